using Xunit;

namespace Warren.Tests.Integration;

/// <summary>
/// Runs one of tests/vm's scripts in a throwaway guest of ../shared/vmtest (one boot per script), sharing
/// this checkout's binary, rootfs and .work/guest-tools over 9p. The script checks from inside containers and
/// ends with "N passed, N failed".
/// </summary>
public static class Guest
{
    public static ExecResult RunScript(string script, string init, string? kernelArgs = null)
    {
        _ = WarrenBinary.Rootfs;
        string vm = Path.GetFullPath(Path.Combine(WarrenBinary.RepoRoot, "..", "shared", "vmtest", "run-in-vm.sh"));
        Assert.True(File.Exists(vm), $"{vm} (the test guest) is missing");
        // run-in-vm.sh takes extra kernel arguments from its environment.
        return Exec.Run("/usr/bin/env", new[] { $"VMTEST_APPEND={kernelArgs}", "bash", vm, "-C", WarrenBinary.RepoRoot,
            "--init", init, "-t", "600", $"WARREN_IN_GUEST=1 bash {script} /mnt/host" }, timeoutMs: 900_000);
    }

    public static void AssertAllPassed(ExecResult r)
    {
        Assert.True(r.Code == 0, r.ToString());
        Assert.Matches(@"(?m)^\d+ passed, 0 failed$", r.Stdout);
    }

    /// <summary>The tools the LSM scripts load policies with; scripts/setup.sh unpacks them.</summary>
    public static void RequireGuestTools()
    {
        foreach (var tool in new[] { "apparmor_parser", "checkpolicy" })
            Assert.True(File.Exists(Path.Combine(WarrenBinary.RepoRoot, ".work", "guest-tools", tool)),
                $".work/guest-tools/{tool} is missing: run scripts/setup.sh (scripts/guest-tools.sh)");
    }
}
