using Warren.Linux;
using Warren.Oci;
using Warren.Runtime;
using Xunit;

namespace Warren.Tests.Unit;

public class NamespacePlanTests
{
    private static Spec With(params LinuxNamespace[] ns) => new() { Linux = new Warren.Oci.Linux { Namespaces = ns.ToList() } };

    [Fact]
    public void NewNamespacesBecomeCloneFlags()
    {
        var spec = With(new LinuxNamespace { Type = "pid" }, new LinuxNamespace { Type = "mount" }, new LinuxNamespace { Type = "time" }, new LinuxNamespace { Type = "network", Path = "/proc/1/ns/net" });
        Assert.Equal(CloneFlags.NEWPID | CloneFlags.NEWNS | CloneFlags.NEWTIME, NamespacePlan.NewFlags(spec));
    }

    [Fact]
    public void JoinedNamespacesMustExist()
    {
        var e = Assert.Throws<RuntimeException>(() => NamespacePlan.Joins(With(new LinuxNamespace { Type = "network", Path = "/no/such/ns" })));
        Assert.Contains("linux.namespaces[0].path", e.Message);
    }

    [Fact]
    public void TimeOffsetsAreWrittenPerClock()
    {
        var spec = With(new LinuxNamespace { Type = "time" });
        spec.Linux!.TimeOffsets = new() { ["monotonic"] = new TimeOffset { Secs = 5, Nanosecs = 7 }, ["boottime"] = new TimeOffset { Secs = -3 } };
        Assert.Equal("monotonic 5 7\nboottime -3 0\n", NamespacePlan.TimeOffsets(spec));
    }

    [Fact]
    public void HostRootComesFromTheMappingOfZero()
    {
        var spec = With(new LinuxNamespace { Type = "user" });
        spec.Linux!.UidMappings = new() { new IdMapping { ContainerId = 1, HostId = 5, Size = 10 }, new IdMapping { ContainerId = 0, HostId = 100000, Size = 1 } };
        Assert.Equal((100000u, 0u), NamespacePlan.HostRoot(spec));
    }
}
