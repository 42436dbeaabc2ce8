using System.Text.Json;
using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>exec into a running container, checked from inside: namespaces, cgroups, credentials.</summary>
public class ExecTests
{
    private static (Sandbox Sb, string Id, int Pid) Running(Action<Spec>? edit = null)
    {
        var sb = new Sandbox();
        string id = sb.NewId();
        var spec = Sandbox.DefaultSpec("sleep", "1000");
        spec.Hostname = "exec-host";
        edit?.Invoke(spec);
        var r = sb.Warren("run", "-d", "--bundle", sb.Bundle(spec), id);
        Assert.True(r.Code == 0, r.ToString());
        int pid = JsonDocument.Parse(sb.Warren("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        return (sb, id, pid);
    }

    [Fact]
    public void ExecSeesTheContainersPid1HostnameMountsCgroupAndUser()
    {
        var (sb, id, pid) = Running();
        using var _ = sb;
        var r = sb.Warren("exec", id, "sh", "-c",
            "tr '\\0' ' ' < /proc/1/cmdline; echo; hostname; readlink /proc/self/ns/mnt; readlink /proc/self/ns/pid; readlink /proc/self/ns/net; cat /proc/self/cgroup | sort; id -u; ls /bin/busybox");
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.Equal("sleep 1000", lines[0].Trim());
        Assert.Equal("exec-host", lines[1]);
        Assert.Equal(new FileInfo($"/proc/{pid}/ns/mnt").LinkTarget, lines[2]);
        Assert.Equal(new FileInfo($"/proc/{pid}/ns/pid").LinkTarget, lines[3]);
        Assert.Equal(new FileInfo($"/proc/{pid}/ns/net").LinkTarget, lines[4]);
        var initCgroups = File.ReadAllLines($"/proc/{pid}/cgroup").Order().ToArray();
        Assert.All(lines.Skip(5).Take(initCgroups.Length), l => Assert.EndsWith(":/", l)); // same cgroup: the namespace root
        Assert.Equal("0", lines[^2]);
        Assert.Equal("/bin/busybox", lines[^1]);
    }

    [Fact]
    public void ExecReturnsTheExitCodeAndAppliesFlags()
    {
        var (sb, id, _) = Running();
        using var _sb = sb;
        var seven = sb.Warren("exec", id, "sh", "-c", "exit 7");
        Assert.True(seven.Code == 7, seven.ToString());
        var r = sb.Warren("exec", "--user", "1000:1001", "--additional-gids", "5", "--cwd", "/tmp", "-e", "FOO=bar", "--no-new-privs", "--cap", "CAP_SYS_ADMIN",
            id, "sh", "-c", "grep -E '^(Uid|Gid|Groups|NoNewPrivs|CapBnd):' /proc/self/status; pwd; echo $FOO");
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        var status = ProcessTests.Status(string.Join("\n", lines.Take(5)));
        Assert.StartsWith("1000\t", status["Uid"]);
        Assert.StartsWith("1001\t", status["Gid"]);
        Assert.Equal("5", status["Groups"].Trim());
        Assert.Equal("1", status["NoNewPrivs"]);
        Assert.Equal("0000000020200420", status["CapBnd"]); // the config's three plus CAP_SYS_ADMIN (21)
        Assert.Equal("/tmp", lines[5]);
        Assert.Equal("bar", lines[6]);
    }

    [Fact]
    public void ExecWithTtyGetsATerminal()
    {
        var (sb, id, _) = Running();
        using var _sb = sb;
        var r = sb.Warren("exec", "-t", id, "tty");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("/dev/pts/", r.Stdout);
    }

    [Fact]
    public void DetachedExecWritesItsPidFile()
    {
        var (sb, id, _) = Running();
        using var _sb = sb;
        string pidFile = Path.Combine(sb.Dir, "exec.pid");
        var r = sb.Warren("exec", "-d", "--pid-file", pidFile, id, "sleep", "999");
        Assert.True(r.Code == 0, r.ToString());
        int pid = int.Parse(File.ReadAllText(pidFile));
        Assert.Equal("sleep\0999\0", File.ReadAllText($"/proc/{pid}/cmdline"));
        Assert.Contains(id, File.ReadAllText($"/proc/{pid}/cgroup"));
    }

    [Fact]
    public void SignalsReachAForegroundExec()
    {
        var (sb, id, _) = Running();
        using var _sb = sb;
        var r = Exec.Run(WarrenBinary.Path, new[] { "--root", sb.StateRoot, "exec", id, "sh", "-c", "trap 'echo got-usr1; exit 9' USR1; echo ready; while true; do sleep 0.1; done" },
            started: p =>
            {
                Thread.Sleep(700);
                Assert.Equal(0, Exec.Run("/bin/kill", new[] { "-USR1", p.Id.ToString() }).Code);
            });
        Assert.Equal(9, r.Code);
        Assert.Contains("got-usr1", r.Stdout);
    }

    [Fact]
    public void ExecWithAProcessFile()
    {
        var (sb, id, _) = Running();
        using var _sb = sb;
        string file = Path.Combine(sb.Dir, "process.json");
        File.WriteAllText(file, OciJson.Serialize(new Process { Args = new() { "sh", "-c", "echo $X; pwd" }, Env = new() { "X=from-file" }, Cwd = "/bin", User = new User() }));
        var r = sb.Warren("exec", "--process", file, id);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal(new[] { "from-file", "/bin" }, ProcessTests.Lines(r.Stdout));
    }

    [Fact]
    public void ExecIntoAStoppedOrPausedContainerIsRefused()
    {
        var (sb, id, pid) = Running();
        using var _sb = sb;
        var freezer = Path.Combine("/sys/fs/cgroup/freezer", id, "freezer.state");
        if (File.Exists(freezer))
        {
            File.WriteAllText(freezer, "FROZEN");
            for (int i = 0; i < 500 && File.ReadAllText(freezer).Trim() != "FROZEN"; i++) Thread.Sleep(10);
            try
            {
                var paused = sb.Warren("exec", id, "true");
                Assert.NotEqual(0, paused.Code);
                Assert.Contains("paused", paused.Stderr);
            }
            finally { File.WriteAllText(freezer, "THAWED"); }
        }
        Assert.Equal(0, sb.Warren("kill", id, "KILL").Code);
        for (int i = 0; i < 200 && Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z"); i++) Thread.Sleep(25);
        var stopped = sb.Warren("exec", id, "true");
        Assert.NotEqual(0, stopped.Code);
        Assert.Contains("stopped", stopped.Stderr);
        var unknown = sb.Warren("exec", "nope", "true");
        Assert.NotEqual(0, unknown.Code);
        Assert.Contains("does not exist", unknown.Stderr);
    }

    [Fact]
    public void ExecIntoAUserNamespacedContainerHasTheContainersCredentials()
    {
        var (sb, id, pid) = Running(spec =>
        {
            spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
            spec.Linux.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
            spec.Linux.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        });
        using var _sb = sb;
        var r = sb.Warren("exec", id, "sh", "-c", "id -u; readlink /proc/self/ns/user; grep CapEff /proc/self/status");
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.Equal("0", lines[0]);
        Assert.Equal(new FileInfo($"/proc/{pid}/ns/user").LinkTarget, lines[1]);
        Assert.EndsWith("0000000020000420", lines[2]);
    }
}
