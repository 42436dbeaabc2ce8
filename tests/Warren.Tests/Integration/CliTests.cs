using System.Text.Json;
using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>runc's command-line surface: spec, --help, flags that change what the container gets.</summary>
public class CliTests
{
    [Fact]
    public void SpecWritesARuncEquivalentConfigThatRuns()
    {
        using var sb = new Sandbox();
        string bundle = Path.Combine(sb.Dir, "spec-bundle");
        Directory.CreateDirectory(bundle);
        var r = Exec.Run(WarrenBinary.Path, new[] { "spec", "--bundle", bundle });
        Assert.True(r.Code == 0, r.ToString());
        var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(bundle, "config.json"))).RootElement;
        Assert.Equal("rootfs", doc.GetProperty("root").GetProperty("path").GetString());
        Assert.True(doc.GetProperty("process").GetProperty("terminal").GetBoolean());
        Assert.Equal("sh", doc.GetProperty("process").GetProperty("args")[0].GetString());
        var ns = doc.GetProperty("linux").GetProperty("namespaces").EnumerateArray().Select(n => n.GetProperty("type").GetString()).ToHashSet();
        Assert.Equal(new HashSet<string?> { "pid", "network", "ipc", "uts", "mount", "cgroup" }, ns);

        var again = Exec.Run(WarrenBinary.Path, new[] { "spec", "--bundle", bundle });
        Assert.NotEqual(0, again.Code);
        Assert.Contains("exists", again.Stderr);

        // The generated spec runs as it is (but for the terminal and the command).
        var spec = SpecLoader.LoadFile(Path.Combine(bundle, "config.json"));
        spec.Process!.Terminal = false;
        spec.Process.Args = new() { "hostname" };
        spec.Root!.Path = WarrenBinary.Rootfs;
        var run = sb.Run(spec);
        Assert.True(run.Code == 0, run.ToString());
        Assert.Equal("warren", run.Stdout.Trim());
    }

    [Fact]
    public void RootlessSpecHasAUserNamespaceMappingTheCaller()
    {
        using var sb = new Sandbox();
        string bundle = Path.Combine(sb.Dir, "rootless");
        Directory.CreateDirectory(bundle);
        Assert.Equal(0, Exec.Run(WarrenBinary.Path, new[] { "spec", "--rootless", "--bundle", bundle }).Code);
        var spec = SpecLoader.LoadFile(Path.Combine(bundle, "config.json"));
        Assert.Contains(spec.Linux!.Namespaces!, n => n.Type == "user");
        Assert.DoesNotContain(spec.Linux.Namespaces!, n => n.Type == "network");
        Assert.Equal(0u, spec.Linux.UidMappings![0].ContainerId);
        Assert.Equal(1u, spec.Linux.UidMappings[0].Size);
    }

    [Theory]
    [InlineData("create")]
    [InlineData("run")]
    [InlineData("kill")]
    [InlineData("delete")]
    [InlineData("list")]
    [InlineData("state")]
    [InlineData("start")]
    [InlineData("spec")]
    public void EveryVerbHasHelp(string verb)
    {
        var r = Exec.Run(WarrenBinary.Path, new[] { verb, "--help" });
        Assert.Equal(0, r.Code);
        Assert.Contains("Usage:", r.Stdout);
        Assert.Contains(verb, r.Stdout);
    }

    [Fact]
    public void VersionNamesTheSpec()
    {
        var r = Exec.Run(WarrenBinary.Path, new[] { "--version" });
        Assert.Equal(0, r.Code);
        Assert.Matches(@"warren version \d+\.\d+\.\d+", r.Stdout);
        Assert.Contains("spec: 1.", r.Stdout);
    }

    [Fact]
    public void FlagsAcceptBothEqualsAndSpaceForms()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        var r = Exec.Run(WarrenBinary.Path, new[] { $"--root={sb.StateRoot}", "run", $"--bundle={sb.Bundle(Sandbox.DefaultSpec("true"))}", id });
        Assert.True(r.Code == 0, r.ToString());
    }

    [Fact]
    public void SystemdCgroupWithoutSystemdIsAClearError()
    {
        if (Directory.Exists("/run/systemd/system")) return; // the check is about hosts without systemd
        using var sb = new Sandbox();
        string id = sb.NewId();
        var r = sb.Warren("--systemd-cgroup", "create", "--bundle", sb.Bundle(Sandbox.DefaultSpec("true")), id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("systemd is not running", r.Stderr);
        Assert.Empty(Leftovers.Find(sb, id));
    }

    [Fact]
    public void EachContainerGetsItsOwnSessionKeyringUnlessNoNewKeyring()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("cat", "/proc/keys");
        spec.Linux!.MaskedPaths!.Remove("/proc/keys");
        string id = sb.NewId();
        var r = sb.Warren("run", "--bundle", sb.Bundle(spec), id);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("_ses." + id, r.Stdout);

        string id2 = sb.NewId();
        var r2 = sb.Warren("run", "--no-new-keyring", "--bundle", sb.Bundle(spec), id2);
        Assert.True(r2.Code == 0, r2.ToString());
        Assert.DoesNotContain("_ses." + id2, r2.Stdout);
    }

    [Fact]
    public void RecursiveReadOnlyBindMountMakesSubmountsReadOnly()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "grep ' /host-dev' /proc/self/mountinfo | awk '{print $5, $6}'");
        spec.Mounts!.Add(new Mount { Destination = "/host-dev", Type = "bind", Source = "/dev", Options = new() { "rbind", "rro", "nosuid" } });
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.Contains(lines, l => l.StartsWith("/host-dev/pts ") || l.StartsWith("/host-dev/shm ") || l.StartsWith("/host-dev/mqueue "));
        Assert.All(lines, l => Assert.StartsWith("ro", l.Split(' ')[1]));
    }
}
