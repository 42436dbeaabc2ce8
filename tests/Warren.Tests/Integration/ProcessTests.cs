using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>process.*: what the container's program sees of itself, read from inside.</summary>
public class ProcessTests
{
    [Fact]
    public void UserProcessIsPid1AndItsExitCodeIsReturned()
    {
        using var sb = new Sandbox();
        var r = sb.Run(Sandbox.DefaultSpec("sh", "-c", "echo pid=$$; tr '\\0' ' ' < /proc/1/cmdline; echo; exit 42"));
        Assert.Equal(42, r.Code);
        Assert.Contains("pid=1", r.Stdout);
        Assert.Contains("sh -c echo pid=$$", r.Stdout);
    }

    [Fact]
    public void EnvCwdAndUmaskAreApplied()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "echo foo=$FOO; pwd; umask");
        spec.Process!.Env!.Add("FOO=bar baz");
        spec.Process.Cwd = "/tmp/work/dir";
        spec.Process.User!.Umask = 0x17; // 027
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs", Options = new() { "mode=1777" } });
        var r = sb.Run(spec);
        Assert.Equal(0, r.Code);
        Assert.Equal(new[] { "foo=bar baz", "/tmp/work/dir", "0027" }, Lines(r.Stdout));
    }

    [Fact]
    public void UserGroupsAndNoNewPrivsShowInProcStatus()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "grep -E '^(Uid|Gid|Groups|NoNewPrivs):' /proc/self/status");
        spec.Process!.User = new User { Uid = 1000, Gid = 1001, AdditionalGids = new() { 5, 27 } };
        spec.Process.NoNewPrivileges = true;
        var r = sb.Run(spec);
        Assert.Equal(0, r.Code);
        var status = Status(r.Stdout);
        Assert.Equal("1000\t1000\t1000\t1000", status["Uid"]);
        Assert.Equal("1001\t1001\t1001\t1001", status["Gid"]);
        Assert.Equal("5 27", status["Groups"].Trim());
        Assert.Equal("1", status["NoNewPrivs"]);
    }

    [Fact]
    public void NoNewPrivsIsOffWhenNotAsked()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("grep", "NoNewPrivs", "/proc/self/status");
        spec.Process!.NoNewPrivileges = false;
        var r = sb.Run(spec);
        Assert.Equal("0", Status(r.Stdout)["NoNewPrivs"]);
    }

    [Fact]
    public void CapabilitySetsEqualTheConfig()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("grep", "^Cap", "/proc/self/status");
        var r = sb.Run(spec);
        Assert.Equal(0, r.Code);
        var s = Status(r.Stdout);
        // CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29)
        const string mask = "0000000020000420";
        Assert.Equal(mask, s["CapBnd"]);
        Assert.Equal(mask, s["CapEff"]);
        Assert.Equal(mask, s["CapPrm"]);
        Assert.Equal("0000000000000000", s["CapInh"]);
        Assert.Equal("0000000000000000", s["CapAmb"]);
    }

    [Fact]
    public void RlimitsAreApplied()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "ulimit -Sn; ulimit -Hn; grep 'Max processes' /proc/self/limits");
        spec.Process!.Rlimits = new()
        {
            new Rlimit { Type = "RLIMIT_NOFILE", Soft = 777, Hard = 888 },
            new Rlimit { Type = "RLIMIT_NPROC", Soft = 300, Hard = 400 },
        };
        var r = sb.Run(spec);
        Assert.Equal(0, r.Code);
        var lines = Lines(r.Stdout);
        Assert.Equal("777", lines[0]);
        Assert.Equal("888", lines[1]);
        Assert.Matches(@"Max processes\s+300\s+400\s", lines[2]);
    }

    [Fact]
    public void OomScoreAdjIsApplied()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("cat", "/proc/self/oom_score_adj");
        spec.Process!.OomScoreAdj = 123;
        var r = sb.Run(spec);
        Assert.Equal("123", r.Stdout.Trim());
    }

    [Fact]
    public void OnlyStdioReachesTheContainer()
    {
        using var sb = new Sandbox();
        var r = sb.Run(Sandbox.DefaultSpec("ls", "/proc/self/fd"));
        Assert.Equal(0, r.Code);
        // 0-2 and the fd ls itself opened to list the directory
        Assert.Equal(new[] { "0", "1", "2", "3" }, Lines(r.Stdout));
    }

    [Fact]
    public void PreservedFdsReachTheContainer()
    {
        using var sb = new Sandbox();
        string file = Path.Combine(sb.Dir, "secret.txt");
        File.WriteAllText(file, "passed-through\n");
        string bundle = sb.Bundle(Sandbox.DefaultSpec("sh", "-c", "cat <&3; cat <&4"));
        string id = sb.NewId();
        var r = Exec.Run("/bin/sh", new[]
        {
            "-c", $"exec 3<'{file}' 4<'{file}'; exec '{WarrenBinary.Path}' --root '{sb.StateRoot}' run --preserve-fds 2 --bundle '{bundle}' {id}",
        });
        Assert.Equal(0, r.Code);
        Assert.Equal(new[] { "passed-through", "passed-through" }, Lines(r.Stdout));
    }

    internal static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    internal static Dictionary<string, string> Status(string s) =>
        Lines(s).Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim());
}
