using Warren.Cgroups.Systemd;
using Xunit;

namespace Warren.Tests.Unit;

public class SystemdScopeTests
{
    [Theory]
    [InlineData("machine.slice:libpod:abc", "machine.slice", "libpod-abc.scope", "/machine.slice/libpod-abc.scope")]
    [InlineData("user-1000.slice:warren:c1", "user-1000.slice", "warren-c1.scope", "/user.slice/user-1000.slice/warren-c1.scope")]
    [InlineData(":cri-containerd:x", "system.slice", "cri-containerd-x.scope", "/system.slice/cri-containerd-x.scope")]
    [InlineData("kubepods-besteffort-pod12ab.slice:cri-containerd:c9", "kubepods-besteffort-pod12ab.slice", "cri-containerd-c9.scope",
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12ab.slice/cri-containerd-c9.scope")]
    [InlineData("-.slice::x", "-.slice", "x.scope", "/x.scope")]
    [InlineData(null, "system.slice", "warren-c1.scope", "/system.slice/warren-c1.scope")]
    public void ParsesRuncsSlicePrefixNameForm(string? path, string slice, string unit, string cgroup)
    {
        var s = SystemdScope.Parse(path, "c1");
        Assert.Equal((slice, unit, cgroup), (s.Slice, s.Unit, s.CgroupPath));
    }

    [Theory]
    [InlineData("/a/b")]
    [InlineData("a:b")]
    [InlineData("system:warren:c1")]
    [InlineData("a--b.slice:p:n")]
    [InlineData("system.slice:p:../x")]
    [InlineData("system.slice:p:child.slice")]
    public void RefusesWhatIsNotAScopeInASlice(string path) =>
        Assert.Throws<ArgumentException>(() => SystemdScope.Parse(path, "c1"));
}
