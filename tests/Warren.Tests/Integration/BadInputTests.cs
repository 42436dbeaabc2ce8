using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>Bad input: one clear line naming what is at fault, a non-zero exit, and nothing left behind.</summary>
public class BadInputTests
{
    private static void AssertFails(Sandbox sb, ExecResult r, string id, params string[] expected)
    {
        Assert.NotEqual(0, r.Code);
        var lines = ProcessTests.Lines(r.Stderr);
        Assert.True(lines.Length == 1, "expected one line on stderr, got:\n" + r.Stderr);
        foreach (var e in expected) Assert.Contains(e, lines[0]);
        Assert.Empty(Leftovers.Find(sb, id));
    }

    private static ExecResult Create(Sandbox sb, string bundle, string id) => sb.Warren("create", "--bundle", bundle, id);

    [Fact]
    public void MissingConfigJson()
    {
        using var sb = new Sandbox();
        string id = sb.NewId(), bundle = Path.Combine(sb.Dir, "empty");
        Directory.CreateDirectory(bundle);
        AssertFails(sb, Create(sb, bundle, id), id, "config.json not found", bundle);
    }

    [Fact]
    public void InvalidJson()
    {
        using var sb = new Sandbox();
        string id = sb.NewId(), bundle = sb.Bundle(Sandbox.DefaultSpec("true"));
        File.WriteAllText(Path.Combine(bundle, "config.json"), "{ \"ociVersion\": \"1.2.1\", ");
        AssertFails(sb, Create(sb, bundle, id), id, "config.json", "invalid JSON");
    }

    [Fact]
    public void WrongTypeNamesTheField()
    {
        using var sb = new Sandbox();
        string id = sb.NewId(), bundle = sb.Bundle(Sandbox.DefaultSpec("true"));
        string path = Path.Combine(bundle, "config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"terminal\": false", "\"terminal\": \"yes\""));
        AssertFails(sb, Create(sb, bundle, id), id, "$.process.terminal", "boolean");
    }

    [Fact]
    public void MissingRootfs()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        var spec = Sandbox.DefaultSpec("true");
        spec.Root = new Root { Path = "/nonexistent/rootfs" };
        AssertFails(sb, Create(sb, sb.Bundle(spec), id), id, "root.path", "/nonexistent/rootfs");
    }

    [Fact]
    public void UnknownNamespaceType()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        var spec = Sandbox.DefaultSpec("true");
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "bogus" });
        AssertFails(sb, Create(sb, sb.Bundle(spec), id), id, "linux.namespaces", "bogus");
    }

    [Fact]
    public void DuplicateIdIsRefusedAndTheFirstSurvives()
    {
        using var sb = new Sandbox();
        string id = sb.NewId(), bundle = sb.Bundle(Sandbox.DefaultSpec("true"));
        Assert.Equal(0, Create(sb, bundle, id).Code);
        var r = Create(sb, bundle, id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("already exists", r.Stderr);
        Assert.Contains("\"created\"", sb.Warren("state", id).Stdout);
    }

    [Theory]
    [InlineData("kill")]
    [InlineData("delete")]
    [InlineData("start")]
    [InlineData("state")]
    public void UnknownId(string verb)
    {
        using var sb = new Sandbox();
        var r = sb.Warren(verb, "no-such-container");
        Assert.NotEqual(0, r.Code);
        Assert.Single(ProcessTests.Lines(r.Stderr));
        Assert.Contains("\"no-such-container\" does not exist", r.Stderr);
    }

    [Fact]
    public void MountDestinationThatCannotBeCreated()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        var spec = Sandbox.DefaultSpec("true");
        spec.Mounts!.Add(new Mount { Destination = "/etc/passwd/sub", Type = "tmpfs", Source = "tmpfs" });
        AssertFails(sb, Create(sb, sb.Bundle(spec), id), id, "/etc/passwd/sub", "not a directory");
    }

    [Fact]
    public void MissingExecutableFailsAtCreate()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        AssertFails(sb, Create(sb, sb.Bundle(Sandbox.DefaultSpec("no-such-program")), id), id,
            "exec: \"no-such-program\": executable file not found in $PATH");
        string id2 = sb.NewId();
        AssertFails(sb, sb.Warren("run", "--bundle", sb.Bundle(Sandbox.DefaultSpec("/bin/nope")), id2), id2,
            "exec: \"/bin/nope\"", "no such file or directory");
    }

    [Fact]
    public void MissingBindSource()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        var spec = Sandbox.DefaultSpec("true");
        spec.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Source = "/no/such/source", Options = new() { "rbind" } });
        AssertFails(sb, Create(sb, sb.Bundle(spec), id), id, "/no/such/source");
    }

    [Fact]
    public void UnknownCapabilityIsAnError()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        var spec = Sandbox.DefaultSpec("true");
        spec.Process!.Capabilities!.Bounding!.Add("CAP_TEST");
        AssertFails(sb, Create(sb, sb.Bundle(spec), id), id, "CAP_TEST");
    }

    [Fact]
    public void TerminalWithoutConsoleSocket()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        var spec = Sandbox.DefaultSpec("true");
        spec.Process!.Terminal = true;
        AssertFails(sb, Create(sb, sb.Bundle(spec), id), id, "--console-socket");
    }

    [Fact]
    public void ErrorsLandInTheLogAsJsonLines()
    {
        using var sb = new Sandbox();
        string log = Path.Combine(sb.Dir, "log.json");
        var r = sb.Warren("--log", log, "--log-format", "json", "kill", "nope");
        Assert.NotEqual(0, r.Code);
        var line = ProcessTests.Lines(File.ReadAllText(log)).Single();
        using var doc = System.Text.Json.JsonDocument.Parse(line);
        Assert.Equal("error", doc.RootElement.GetProperty("level").GetString());
        Assert.Contains("\"nope\" does not exist", doc.RootElement.GetProperty("msg").GetString());
        Assert.True(doc.RootElement.TryGetProperty("time", out _));
    }
}
