using Xunit;

namespace Warren.Tests.Integration;

/// <summary>warren as the OCI runtime under Podman (conmon drives create/start/state/kill/delete).</summary>
public class PodmanTests
{
    private static ExecResult Podman(params string[] args) => Exec.Run("podman",
        new[] { "--runtime", WarrenBinary.Path, "--cgroup-manager", "cgroupfs", "--events-backend", "file" }.Concat(args),
        timeoutMs: 120_000);

    // This host's root lacks CAP_SYS_RESOURCE, so Podman's default RLIMIT_NOFILE (1048576) cannot be set by
    // any runtime (runc and crun fail the same way): ask for limits within the current ones.
    private static readonly string[] Limits = { "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096" };

    [Fact]
    public void PodmanRunsContainersThroughWarren()
    {
        Skip.IfNotRoot();
        using var sb = new Sandbox();
        string image = $"localhost/warren-test-{Environment.ProcessId}:latest";
        string tar = Path.Combine(sb.Dir, "rootfs.tar");
        Assert.Equal(0, Exec.Run("tar", new[] { "-C", WarrenBinary.Rootfs, "-cf", tar, "." }).Code);
        var imp = Podman("import", tar, image);
        Assert.True(imp.Code == 0, imp.ToString());
        string name = $"warren-podman-{Environment.ProcessId}";
        try
        {
            var r = Podman(new[] { "run", "--rm", "--name", name, "--network", "none", "--hostname", "podbox" }
                .Concat(Limits).Concat(new[] { image, "sh", "-c", "hostname; echo pid=$$; exit 5" }).ToArray());
            Assert.Equal(5, r.Code);
            Assert.Equal(new[] { "podbox", "pid=1" }, ProcessTests.Lines(r.Stdout));

            var d = Podman(new[] { "run", "-d", "--name", name, "--network", "none" }.Concat(Limits).Concat(new[] { image, "sleep", "1000" }).ToArray());
            Assert.True(d.Code == 0, d.ToString());
            var ps = Podman("ps", "--filter", $"name={name}", "--format", "{{.Status}}");
            Assert.StartsWith("Up", ps.Stdout.Trim());
            var stop = Podman("stop", "-t", "1", name);
            Assert.True(stop.Code == 0, stop.ToString());
            var inspect = Podman("inspect", "--format", "{{.State.Status}}", name);
            Assert.Equal("exited", inspect.Stdout.Trim());
        }
        finally
        {
            Podman("rm", "-f", name);
            Podman("rmi", "-f", image);
        }
    }
}
