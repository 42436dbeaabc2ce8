using Xunit;

namespace Warren.Tests.Integration;

/// <summary>
/// The systemd cgroup driver on a hybrid host (v1 controllers, systemd tracking units on cgroup2), as on
/// Ubuntu 20.04 or Debian 10: a guest of ../shared/vmtest booted with systemd.unified_cgroup_hierarchy=0.
/// </summary>
public class SystemdHybridTests
{
    [Fact]
    public void SystemdDriverPlacesTheContainerInEveryHierarchyOfAHybridHost()
    {
        Skip.IfNotRoot();
        Guest.AssertAllPassed(Guest.RunScript("tests/vm/systemd-hybrid.sh", "systemd", "systemd.unified_cgroup_hierarchy=0"));
    }
}
