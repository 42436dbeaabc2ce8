using System.Diagnostics;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>
/// warren as a Docker runtime (`--add-runtime`, through Docker's own containerd and the runc shim). A private
/// dockerd (its own socket, data and exec roots, no bridge or iptables) keeps any host Docker out of it.
/// </summary>
public class DockerTests
{
    [Fact]
    public void DockerRunsContainersThroughWarren()
    {
        Skip.IfNotRoot();
        Assert.True(File.Exists("/usr/sbin/dockerd") && File.Exists("/usr/bin/docker"), "docker.io is not installed: run scripts/setup.sh");
        using var sb = new Sandbox();
        using var dockerd = new PrivateDockerd(sb.Dir);
        ExecResult Docker(params string[] a) => Exec.Run("/usr/bin/docker", new[] { "-H", "unix://" + dockerd.Socket }.Concat(a), timeoutMs: 120_000);
        string tar = Path.Combine(sb.Dir, "rootfs.tar");
        Assert.Equal(0, Exec.Run("tar", new[] { "-C", WarrenBinary.Rootfs, "-cf", tar, "." }).Code);
        var imp = Docker("import", tar, "warren-test/busybox:latest");
        Assert.True(imp.Code == 0, imp.ToString());

        // Docker's libnetwork prestart hook runs too (it tells its role by argv[0]), and its zero blkio weight is "unset".
        var r = Docker("run", "--rm", "--runtime", "warren", "--network", "none", "--hostname", "dockbox", "warren-test/busybox",
            "sh", "-c", "hostname; echo pid=$$; grep CapBnd /proc/self/status; exit 3");
        Assert.True(r.Code == 3, r.ToString());
        Assert.Equal(new[] { "dockbox", "pid=1", "CapBnd:\t00000000a80425fb" }, ProcessTests.Lines(r.Stdout));

        var d = Docker("run", "-d", "--name", "w1", "--runtime", "warren", "--network", "none", "warren-test/busybox", "sleep", "300");
        Assert.True(d.Code == 0, d.ToString());
        Assert.Equal("exec-ok", Docker("exec", "w1", "sh", "-c", "echo exec-ok").Stdout.Trim());
        Assert.Equal(0, Docker("pause", "w1").Code);
        Assert.Equal("paused", Docker("inspect", "--format", "{{.State.Status}}", "w1").Stdout.Trim());
        Assert.Equal(0, Docker("unpause", "w1").Code);
        var stop = Docker("stop", "-t", "1", "w1");
        Assert.True(stop.Code == 0, stop.ToString());
        Assert.Equal("exited", Docker("inspect", "--format", "{{.State.Status}}", "w1").Stdout.Trim());
        Assert.Equal(0, Docker("rm", "w1").Code);
    }

    /// <summary>A dockerd of the test's own; stopped with its containerd and shims, its mounts undone, when disposed.</summary>
    private sealed class PrivateDockerd : IDisposable
    {
        public string Socket { get; }
        private readonly string _home;
        private readonly Process _process;

        // Docker's cgroup parent (/docker) is the test's to remove when it made it.
        private readonly List<string> _newCgroupParents = Directory.EnumerateDirectories("/sys/fs/cgroup")
            .Select(h => Path.Combine(h, "docker")).Where(d => !Directory.Exists(d)).ToList();

        public PrivateDockerd(string dir)
        {
            _home = Path.Combine(dir, "docker");
            Directory.CreateDirectory(_home);
            Socket = Path.Combine(_home, "docker.sock");
            var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec /usr/sbin/dockerd --data-root \"$1/data\" --exec-root \"$1/exec\" --pidfile \"$1/pid\" " +
                "-H \"unix://$1/docker.sock\" --bridge=none --iptables=false --ip6tables=false --ip-masq=false " +
                "--add-runtime \"warren=$2\" >\"$1/log\" 2>&1");
            psi.ArgumentList.Add("sh");
            psi.ArgumentList.Add(_home);
            psi.ArgumentList.Add(WarrenBinary.Path);
            _process = Process.Start(psi)!;
            for (int i = 0; i < 300 && !File.Exists(Socket); i++) Thread.Sleep(100);
            Assert.True(File.Exists(Socket), $"dockerd did not start: {File.ReadAllText(Path.Combine(_home, "log"))}");
        }

        public void Dispose()
        {
            try
            {
                Exec.Run("/usr/bin/docker", new[] { "-H", "unix://" + Socket, "rm", "-f", "w1" });
                Exec.Run("kill", new[] { "-TERM", _process.Id.ToString() });
                if (!_process.WaitForExit(20_000)) _process.Kill();
            }
            catch (Exception) { }
            // Its containerd and shims name our exec root; they go too.
            DaemonCleanup.KillNaming(_home);
            DaemonCleanup.UnmountUnder(_home);
            foreach (var d in _newCgroupParents)
                try { if (Directory.Exists(d)) Directory.Delete(d); } catch (IOException) { }
        }
    }
}
