using Warren.Cgroups;
using Xunit;

namespace Warren.Tests.Unit;

public class CgroupPathTests
{
    [Theory]
    [InlineData(null, "c1", "/c1")]
    [InlineData("", "c1", "/c1")]
    [InlineData("/a/b", "c1", "/a/b")]
    [InlineData("a/b", "c1", "/a/b")]
    [InlineData("//a///b/", "c1", "/a/b")]
    public void NormalizesLikeRunc(string? path, string id, string expected) =>
        Assert.Equal(expected, CgroupSet.Normalize(path, id));

    [Fact]
    public void SystemdFormNeedsTheFlag()
    {
        var e = Assert.Throws<ArgumentException>(() => CgroupSet.Normalize("system.slice:warren:c1", "c1"));
        Assert.Contains("--systemd-cgroup", e.Message);
    }

    [Fact]
    public void DotDotIsRefused() => Assert.Throws<ArgumentException>(() => CgroupSet.Normalize("/a/../../etc", "c1"));

    private const string Hybrid = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
        50 31 0:32 /sub /mnt/bound rw,relatime - cgroup cgroup rw,memory
        """;

    [Fact]
    public void FindsHybridHierarchies()
    {
        var hs = CgroupHost.Parse(Hybrid.Split('\n'));
        Assert.Equal(CgroupMode.Hybrid, CgroupHost.Mode(hs));
        Assert.Contains(hs, h => h.Key == "cpu" && h.MountPoint == "/sys/fs/cgroup/cpu");
        Assert.Contains(hs, h => h.Key == "cpu,cpuacct");
        Assert.Contains(hs, h => h.Key == "name=systemd");
        Assert.Contains(hs, h => h.Unified && h.MountPoint == "/sys/fs/cgroup/unified");
        Assert.DoesNotContain(hs, h => h.MountPoint == "/mnt/bound"); // a bind of a subtree is no hierarchy root
    }

    [Fact]
    public void PureV2AndPureV1()
    {
        var v2 = CgroupHost.Parse(new[] { "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate" });
        Assert.Equal(CgroupMode.V2, CgroupHost.Mode(v2));
        var v1 = CgroupHost.Parse(new[] { "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu" });
        Assert.Equal(CgroupMode.V1, CgroupHost.Mode(v1));
    }
}
