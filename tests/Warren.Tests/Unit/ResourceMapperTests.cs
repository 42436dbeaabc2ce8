using Warren.Cgroups;
using Warren.Oci;
using Warren.Runtime;
using Warren.Runtime.Resources;
using Xunit;

namespace Warren.Tests.Unit;

public class ResourceMapperTests
{
    private static List<CgroupWrite> Map(LinuxResources r, CgroupVersion v) => ResourceMapper.Map(r, _ => v);

    private static string Value(List<CgroupWrite> w, string file) => w.Single(x => x.File == file).Value;

    [Fact]
    public void MemoryOnV1AndV2()
    {
        var r = new LinuxResources { Memory = new MemoryResources { Limit = 100, Swap = 300, Reservation = 50 } };
        var v1 = Map(r, CgroupVersion.V1);
        Assert.Equal("100", Value(v1, "memory.limit_in_bytes"));
        Assert.Equal("300", Value(v1, "memory.memsw.limit_in_bytes"));
        Assert.Equal("50", Value(v1, "memory.soft_limit_in_bytes"));
        var v2 = Map(r, CgroupVersion.V2);
        Assert.Equal("100", Value(v2, "memory.max"));
        Assert.Equal("200", Value(v2, "memory.swap.max")); // OCI swap is memory+swap
        Assert.Equal("50", Value(v2, "memory.low"));
        Assert.Equal("max", Value(Map(new LinuxResources { Memory = new MemoryResources { Limit = -1, Swap = -1 } }, CgroupVersion.V2), "memory.swap.max"));
    }

    /// <summary>Docker sends zeros for what is not set (blkio weight 0, cpu shares 0, pids 0...): nothing to write, as with runc.</summary>
    [Theory]
    [InlineData(CgroupVersion.V1)]
    [InlineData(CgroupVersion.V2)]
    public void ZerosAreUnsetAsRuncHasThem(CgroupVersion v)
    {
        var r = new LinuxResources
        {
            Memory = new MemoryResources { Limit = 0, Reservation = 0, Swap = 0 },
            Cpu = new CpuResources { Shares = 0, Quota = 0, Period = 0, RealtimeRuntime = 0, RealtimePeriod = 0, Cpus = "", Mems = "" },
            Pids = new PidsResources { Limit = 0 },
            BlockIo = new BlockIoResources { Weight = 0, LeafWeight = 0 },
        };
        // A locator that knows no controller: any write (or any controller needed) would throw.
        Assert.Empty(ResourceMapper.Map(r, c => c is "memory" ? v : null));
    }

    [Fact]
    public void WhatV2CannotExpressIsAnErrorNamingTheField()
    {
        Assert.Contains("swappiness", Assert.Throws<RuntimeException>(() => Map(new LinuxResources { Memory = new MemoryResources { Swappiness = 5 } }, CgroupVersion.V2)).Message);
        Assert.Contains("disableOOMKiller", Assert.Throws<RuntimeException>(() => Map(new LinuxResources { Memory = new MemoryResources { DisableOomKiller = true } }, CgroupVersion.V2)).Message);
        Assert.Contains("realtime", Assert.Throws<RuntimeException>(() => Map(new LinuxResources { Cpu = new CpuResources { RealtimeRuntime = 5 } }, CgroupVersion.V2)).Message);
        Assert.Contains("swap", Assert.Throws<RuntimeException>(() => Map(new LinuxResources { Memory = new MemoryResources { Swap = 10 } }, CgroupVersion.V2)).Message);
    }

    [Fact]
    public void MissingControllerIsNamed()
    {
        var e = Assert.Throws<RuntimeException>(() => ResourceMapper.Map(new LinuxResources { Pids = new PidsResources { Limit = 5 } }, _ => null));
        Assert.Equal("linux.resources.pids: the pids cgroup controller is not available on this host", e.Message);
    }

    [Theory]
    [InlineData(2UL, 1UL)]
    [InlineData(1024UL, 39UL)]
    [InlineData(262144UL, 10000UL)]
    public void SharesConvertToWeightLikeRunc(ulong shares, ulong weight) => Assert.Equal(weight, ResourceMapper.SharesToWeight(shares));

    [Fact]
    public void CpuAndBlkioOnV2()
    {
        var w = Map(new LinuxResources
        {
            Cpu = new CpuResources { Quota = 50000, Period = 100000, Shares = 1024 },
            BlockIo = new BlockIoResources { Weight = 500, ThrottleReadBpsDevice = new() { new ThrottleDevice { Major = 8, Minor = 0, Rate = 1000 } } },
        }, CgroupVersion.V2);
        Assert.Equal("50000 100000", Value(w, "cpu.max"));
        Assert.Equal("39", Value(w, "cpu.weight"));
        Assert.Equal("default 4950", Value(w, "io.weight")); // runc: 1 + (w - 10) * 9999 / 990
        Assert.Equal("8:0 rbps=1000", Value(w, "io.max"));
    }

    [Fact]
    public void DeviceRulesBecomeV1WritesAndAVerifiableBpfProgram()
    {
        var rules = new List<DeviceCgroupRule> { new() { Allow = false, Access = "rwm" }, new() { Allow = true, Type = "c", Major = 1, Minor = 11, Access = "m" } };
        var writes = DeviceRules.V1Writes(rules, null).ToList();
        Assert.Equal(("devices.deny", "a"), (writes[0].File, writes[0].Value));
        Assert.Equal(("devices.allow", "c 1:11 m"), (writes[1].File, writes[1].Value));
        Assert.Contains(writes, x => x.Value == "c 136:* rwm");

        var prog = DeviceRules.BpfProgram(DeviceRules.Effective(rules, null));
        Assert.Equal(0x95UL, prog[^1] & 0xff);                      // ends in exit
        for (int i = 0; i < prog.Length; i++)
            if ((prog[i] & 0xff) == 0x55)                              // every jump lands inside the program
                Assert.InRange(i + 1 + (short)(ushort)(prog[i] >> 16), 0, prog.Length - 1);
    }
}
