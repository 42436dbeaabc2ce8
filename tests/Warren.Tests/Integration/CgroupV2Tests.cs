using Xunit;

namespace Warren.Tests.Integration;

/// <summary>
/// The cgroup v2 path (limits, freeze, update, events, cleanup) checked on a pure-v2 host with systemd as
/// PID 1: this host when it is one, else a throwaway guest of ../shared/vmtest (one boot for all checks).
/// </summary>
public class CgroupV2Tests
{
    [Fact]
    public void CgroupV2ChecksPassOnAPureV2Host()
    {
        Skip.IfNotRoot();
        _ = WarrenBinary.Rootfs; // the guest uses the rootfs and binary of this checkout (shared over 9p)
        string script = "tests/v2/cgroup-v2.sh";
        ExecResult r;
        bool hostIsV2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        if (hostIsV2)
            r = Exec.Run("/bin/bash", new[] { Path.Combine(WarrenBinary.RepoRoot, script), WarrenBinary.RepoRoot }, timeoutMs: 600_000);
        else
        {
            string vm = Path.GetFullPath(Path.Combine(WarrenBinary.RepoRoot, "..", "shared", "vmtest", "run-in-vm.sh"));
            Assert.True(File.Exists(vm), $"this host is not pure cgroup v2 and {vm} (the v2 guest) is missing");
            r = Exec.Run("/bin/bash", new[] { vm, "-C", WarrenBinary.RepoRoot, "--init", "systemd", "-t", "600", $"bash {script} /mnt/host" },
                timeoutMs: 900_000);
        }
        Assert.True(r.Code == 0, r.ToString());
        Assert.Matches(@"(?m)^\d+ passed, 0 failed$", r.Stdout);
    }
}
