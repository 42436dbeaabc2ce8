using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>linux.resources, enforced by the kernel and observed from inside the container.</summary>
public class ResourceTests
{
    [Fact]
    public void MemoryLimitOomKillsTheProcess()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; tail /dev/zero; echo survived");
        spec.Linux!.Resources = new LinuxResources { Memory = new MemoryResources { Limit = 32 << 20, Swap = 32 << 20 } };
        var r = sb.Run(spec);
        Assert.Equal((32 << 20).ToString(), ProcessTests.Lines(r.Stdout)[0]);
        Assert.Contains("survived", r.Stdout); // the shell lives on; tail was killed
        Assert.True(r.Code == 0, r.ToString());
    }

    [Fact]
    public void ForkLoopStopsAtThePidsLimit()
    {
        using var sb = new Sandbox();
        // Builtins only once the limit is reached: read, echo and kill need no fork.
        var spec = Sandbox.DefaultSpec("sh", "-c",
            "(for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 30 & done) 2>/dev/null; " +
            "d=/sys/fs/cgroup/pids; [ -e $d/pids.current ] || d=/sys/fs/cgroup; read n < $d/pids.current; read ev < $d/pids.events; " +
            "echo $n; echo $ev; kill -9 -1; true");
        spec.Linux!.Resources = new LinuxResources { Pids = new PidsResources { Limit = 10 } };
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.InRange(int.Parse(lines[0]), 8, 10);  // the fork loop filled the limit (its own subshell has exited)
        Assert.StartsWith("max ", lines[1]);
        Assert.NotEqual("max 0", lines[1]);          // and was refused past it
    }

    [Fact]
    public void CpuQuotaThrottles()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "timeout 1 sh -c 'while :; do :; done'; grep nr_throttled /sys/fs/cgroup/cpu/cpu.stat 2>/dev/null || grep nr_throttled /sys/fs/cgroup/cpu.stat");
        spec.Linux!.Resources = new LinuxResources { Cpu = new CpuResources { Quota = 10000, Period = 100000 } };
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var throttled = long.Parse(ProcessTests.Lines(r.Stdout)[0].Split(' ')[1]);
        Assert.True(throttled > 0, r.Stdout);
    }

    [Fact]
    public void DeviceRulesAllowSomeNodesAndDenyOthers()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "mknod /tmp/n c 1 3 && echo x > /tmp/n && echo null-ok; mknod /tmp/k c 1 11 && echo made-k; (echo x > /tmp/k) 2>&1; true");
        spec.Process!.Capabilities!.Bounding!.Add("CAP_MKNOD");
        spec.Process.Capabilities.Effective!.Add("CAP_MKNOD");
        spec.Process.Capabilities.Permitted!.Add("CAP_MKNOD");
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" });
        spec.Linux!.Resources = new LinuxResources
        {
            Devices = new()
            {
                new DeviceCgroupRule { Allow = false, Access = "rwm" },
                new DeviceCgroupRule { Allow = true, Type = "c", Major = 1, Minor = 11, Access = "m" }, // mknod only
            },
        };
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("null-ok", r.Stdout);
        Assert.Contains("made-k", r.Stdout);
        Assert.Contains("Operation not permitted", r.Stdout);
    }

    [Fact]
    public void ALimitTheHostCannotApplyIsAnErrorNamingIt()
    {
        using var sb = new Sandbox();
        // This VM's blkio has no weight files; a host where it has them still lacks net_prio here or there:
        // pick whichever of the two is missing.
        var spec = Sandbox.DefaultSpec("true");
        bool hasWeight = File.Exists("/sys/fs/cgroup/blkio/blkio.weight") || File.Exists("/sys/fs/cgroup/io.weight");
        spec.Linux!.Resources = hasWeight
            ? new LinuxResources { Network = new NetworkResources { ClassId = 42 } }
            : new LinuxResources { BlockIo = new BlockIoResources { Weight = 500 } };
        string id = sb.NewId();
        var r = sb.Warren("create", "--bundle", sb.Bundle(spec), id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains(hasWeight ? "linux.resources.network.classID" : "linux.resources.blockIO.weight", r.Stderr);
        Assert.Single(ProcessTests.Lines(r.Stderr));
        Assert.Empty(Leftovers.Find(sb, id));
    }
}
