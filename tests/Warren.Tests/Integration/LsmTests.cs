using Xunit;

namespace Warren.Tests.Integration;

/// <summary>
/// AppArmor and SELinux labels, applied and enforced, checked from inside containers in guests whose
/// kernels run those LSMs (this host runs neither; the two are exclusive, so one boot each). Each script
/// loads a test policy, and includes the CVE-2025-52881 attack: mounts over the init's attr files.
/// </summary>
public class LsmTests
{
    [Fact]
    public void AppArmorProfilesConfineContainersAndExecs()
    {
        Skip.IfNotRoot();
        Guest.RequireGuestTools();
        Guest.AssertAllPassed(Guest.RunScript("tests/vm/apparmor.sh", "script"));
    }

    [Fact]
    public void SelinuxLabelsApplyToProcessesAndMountsAndAreEnforced()
    {
        Skip.IfNotRoot();
        Guest.RequireGuestTools();
        Guest.AssertAllPassed(Guest.RunScript("tests/vm/selinux.sh", "script", "security=selinux selinux=1 enforcing=0"));
    }
}
