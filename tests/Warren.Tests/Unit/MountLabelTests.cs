using Warren.Runtime.Security;
using Xunit;

namespace Warren.Tests.Unit;

public class MountLabelTests
{
    private const string Label = "system_u:object_r:container_file_t:s0:c1,c2";

    [Theory]
    [InlineData("tmpfs", null, "context=\"" + Label + "\"")]
    [InlineData("tmpfs", "mode=755,size=65536k", "mode=755,size=65536k,context=\"" + Label + "\"")]
    [InlineData("devpts", "newinstance", "newinstance,context=\"" + Label + "\"")]
    public void TheLabelIsAQuotedContextOption(string type, string? data, string expected) =>
        Assert.Equal(expected, Lsm.MountData(type, data, Label));

    [Theory]
    [InlineData("proc")]
    [InlineData("sysfs")]
    [InlineData("mqueue")]
    [InlineData("cgroup")]
    [InlineData("cgroup2")]
    public void FilesystemsThatRefuseContextKeepTheirData(string type) =>
        Assert.Equal("ro", Lsm.MountData(type, "ro", Label));

    [Fact]
    public void WithoutALabelTheDataIsUnchanged() => Assert.Equal("mode=755", Lsm.MountData("tmpfs", "mode=755", null));
}
