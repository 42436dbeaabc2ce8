using Xunit;

namespace Warren.Tests.Integration;

/// <summary>
/// The cgroup v2 path (limits, freeze, update, events, cleanup) and the systemd cgroup driver (the system
/// manager, and a user's own in the guest) checked on a pure-v2 host with systemd as PID 1: this host when it
/// is one, else a throwaway guest of ../shared/vmtest (one boot for all checks).
/// </summary>
public class CgroupV2Tests
{
    [Fact]
    public void CgroupV2ChecksPassOnAPureV2Host()
    {
        Skip.IfNotRoot();
        const string script = "tests/vm/cgroup-v2.sh";
        bool hostIsV2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        if (!hostIsV2) Guest.RequireGuestTools();
        var r = hostIsV2
            ? Exec.Run("/bin/bash", new[] { Path.Combine(WarrenBinary.RepoRoot, script), WarrenBinary.RepoRoot }, timeoutMs: 600_000)
            : Guest.RunScript(script, "systemd");
        Guest.AssertAllPassed(r);
    }
}
