using System.Diagnostics;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>
/// warren as the runc binary of containerd's runc shim (containerd-shim-runc-v2): ctr drives create, start,
/// exec, pause, resume, kill and delete through it. A private containerd (its own socket, root and state)
/// and a containerd namespace of the test's own keep the host's containerd, if any, out of it.
/// </summary>
public class ContainerdTests
{
    [Fact]
    public void ContainerdRunsTasksThroughWarren()
    {
        Skip.IfNotRoot();
        Assert.True(File.Exists("/usr/bin/containerd") && File.Exists("/usr/bin/ctr"), "containerd is not installed: run scripts/setup.sh");
        using var sb = new Sandbox();
        using var containerd = new PrivateContainerd(sb.Dir);
        string ns = $"warren-test-{Environment.ProcessId}";
        string runcRoot = Path.Combine(sb.Dir, "runc");
        ExecResult Ctr(params string[] a) =>
            Exec.Run("/usr/bin/ctr", new[] { "--address", containerd.Socket, "-n", ns }.Concat(a), timeoutMs: 60_000);
        // ctr run [flags] --rootfs ROOTFS ID COMMAND...
        string[] Run(string flag, params string[] rest) =>
            new[] { "run", flag, "--runc-binary", WarrenBinary.Path, "--runc-root", runcRoot, "--rootfs", WarrenBinary.Rootfs }.Concat(rest).ToArray();
        try
        {
            var r = Ctr(Run("--rm", "c1", "/bin/sh", "-c", "echo pid=$$; grep CapBnd /proc/self/status; grep pids /proc/self/cgroup"));
            Assert.True(r.Code == 0, r.ToString());
            Assert.Equal(new[] { "pid=1", "CapBnd:\t00000000a80425fb", $"8:pids:/{ns}/c1" }, ProcessTests.Lines(r.Stdout));
            Assert.Equal(7, Ctr(Run("--rm", "c2", "/bin/sh", "-c", "exit 7")).Code);

            var d = Ctr(Run("-d", "c3", "/bin/sleep", "300"));
            Assert.True(d.Code == 0, d.ToString());
            var exec = Ctr("task", "exec", "--exec-id", "e1", "c3", "/bin/sh", "-c", "echo exec-ok; cat /proc/1/cmdline");
            Assert.Equal(new[] { "exec-ok", "/bin/sleep300" }, ProcessTests.Lines(exec.Stdout.Replace("\0", "")));
            Assert.Equal(0, Ctr("task", "pause", "c3").Code);
            Assert.Contains("PAUSED", Ctr("task", "ls").Stdout);
            Assert.Equal("FROZEN", File.ReadAllText($"/sys/fs/cgroup/freezer/{ns}/c3/freezer.state").Trim());
            Assert.Equal(0, Ctr("task", "resume", "c3").Code);
            Assert.Equal(0, Ctr("task", "kill", "-s", "KILL", "c3").Code);
            for (int i = 0; i < 100 && !Ctr("task", "ls").Stdout.Contains("STOPPED"); i++) Thread.Sleep(50);
            Assert.Equal(0, Ctr("task", "rm", "c3").Code);
            Assert.Equal(0, Ctr("container", "rm", "c3").Code);

            // Nothing of the three is left: no runtime state, no cgroup.
            Assert.Empty(Directory.Exists(runcRoot) ? Directory.GetFileSystemEntries(Path.Combine(runcRoot, ns)) : Array.Empty<string>());
            foreach (var h in Directory.EnumerateDirectories("/sys/fs/cgroup"))
                Assert.False(Directory.Exists(Path.Combine(h, ns)) && Directory.EnumerateDirectories(Path.Combine(h, ns)).Any(), $"cgroups left in {h}/{ns}");
        }
        finally
        {
            foreach (var c in new[] { "c1", "c2", "c3" })
            {
                Ctr("task", "kill", "-s", "KILL", c);
                Ctr("task", "rm", "-f", c);
                Ctr("container", "rm", c);
            }
            // containerd's cgroupsPath is /<namespace>/<id>: the namespace's directory is the test's to remove.
            foreach (var h in Directory.EnumerateDirectories("/sys/fs/cgroup"))
                try { if (Directory.Exists(Path.Combine(h, ns))) Directory.Delete(Path.Combine(h, ns)); } catch (IOException) { }
        }
    }

    /// <summary>A containerd of the test's own; stopped, with its shims, when disposed.</summary>
    private sealed class PrivateContainerd : IDisposable
    {
        public string Socket { get; }
        private readonly Process _process;

        public PrivateContainerd(string dir)
        {
            string home = Path.Combine(dir, "containerd");
            Directory.CreateDirectory(home);
            Socket = Path.Combine(home, "containerd.sock");
            string config = Path.Combine(home, "config.toml");
            File.WriteAllText(config, $"""
                version = 2
                root = "{home}/root"
                state = "{home}/state"
                [grpc]
                  address = "{Socket}"
                [plugins."io.containerd.grpc.v1.cri"]
                  disable_tcp_service = true
                """);
            var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec /usr/bin/containerd --config \"$1\" >\"$2\" 2>&1");
            psi.ArgumentList.Add("sh");
            psi.ArgumentList.Add(config);
            psi.ArgumentList.Add(Path.Combine(home, "log"));
            _process = Process.Start(psi)!;
            for (int i = 0; i < 200 && !File.Exists(Socket); i++) Thread.Sleep(50);
            Assert.True(File.Exists(Socket), $"containerd did not start: {File.ReadAllText(Path.Combine(home, "log"))}");
        }

        public void Dispose()
        {
            try { _process.Kill(); _process.WaitForExit(10_000); } catch (Exception) { }
            // Shims outlive containerd by design; ours are the ones that name our socket.
            DaemonCleanup.KillNaming(Socket);
            DaemonCleanup.UnmountUnder(Path.GetDirectoryName(Socket)!);
        }
    }
}
