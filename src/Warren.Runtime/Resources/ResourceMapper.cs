using Warren.Cgroups;
using Warren.Oci;

namespace Warren.Runtime.Resources;

/// <summary>One control-file write, with the config field it comes from (for error messages).</summary>
public sealed record CgroupWrite(string Field, string Controller, string File, string Value);

/// <summary>
/// linux.resources → control-file writes for the hierarchy each controller lives on (v1 or cgroup2),
/// converting v1 values to v2 the way runc and crun do; what cannot be expressed is an error naming the field.
/// </summary>
public static class ResourceMapper
{
    public static List<CgroupWrite> Map(LinuxResources? r, Func<string, CgroupVersion?> locate, IReadOnlyList<LinuxDevice>? devices = null)
    {
        var w = new List<CgroupWrite>();
        if (r is null) return w;
        CgroupVersion Need(string controller, string field) =>
            locate(controller) ?? throw new RuntimeException($"{field}: the {controller} cgroup controller is not available on this host");

        if (r.Memory is { } m) Memory(m, Need, w);
        if (r.Cpu is { } c) Cpu(c, Need, w);
        if (r.Pids is { Limit: var pl } && Set(pl) is not null)
        {
            Need("pids", "linux.resources.pids");
            w.Add(new("linux.resources.pids.limit", "pids", "pids.max", pl <= 0 ? "max" : pl.ToString()));
        }
        if (r.BlockIo is { } b) BlockIo(b, Need, w);
        foreach (var h in r.HugepageLimits ?? new())
        {
            var v = Need("hugetlb", "linux.resources.hugepageLimits");
            string size = h.PageSize ?? throw new RuntimeException("linux.resources.hugepageLimits: pageSize is missing");
            w.Add(new($"linux.resources.hugepageLimits[{size}]", "hugetlb",
                v == CgroupVersion.V1 ? $"hugetlb.{size}.limit_in_bytes" : $"hugetlb.{size}.max", h.Limit.ToString()));
        }
        if (r.Network is { } n)
        {
            if (n.ClassId is uint classId)
            {
                if (Need("net_cls", "linux.resources.network.classID") == CgroupVersion.V2)
                    throw new RuntimeException("linux.resources.network.classID: net_cls does not exist on cgroup v2");
                w.Add(new("linux.resources.network.classID", "net_cls", "net_cls.classid", classId.ToString()));
            }
            foreach (var p in n.Priorities ?? new())
            {
                if (Need("net_prio", "linux.resources.network.priorities") == CgroupVersion.V2)
                    throw new RuntimeException("linux.resources.network.priorities: net_prio does not exist on cgroup v2");
                w.Add(new("linux.resources.network.priorities", "net_prio", "net_prio.ifpriomap", $"{p.Name} {p.Priority}"));
            }
        }
        foreach (var (dev, lim) in r.Rdma ?? new())
        {
            Need("rdma", "linux.resources.rdma");
            var parts = new List<string>();
            if (lim.HcaHandles is uint hh) parts.Add($"hca_handle={hh}");
            if (lim.HcaObjects is uint ho) parts.Add($"hca_object={ho}");
            w.Add(new($"linux.resources.rdma[{dev}]", "rdma", "rdma.max", $"{dev} {string.Join(' ', parts)}"));
        }
        foreach (var (key, value) in r.Unified ?? new())
        {
            string controller = key.Split('.')[0];
            if (key.Contains('/') || key.Contains("..")) throw new RuntimeException($"linux.resources.unified: invalid key \"{key}\"");
            if (Need(controller, $"linux.resources.unified[{key}]") != CgroupVersion.V2)
                throw new RuntimeException($"linux.resources.unified[{key}]: the {controller} controller is not on cgroup v2 here");
            w.Add(new($"linux.resources.unified[{key}]", controller, key, value));
        }
        if (r.Devices is { Count: > 0 } rules && locate("devices") == CgroupVersion.V1)
            w.AddRange(DeviceRules.V1Writes(rules, devices));
        return w;
    }

    private static void Memory(MemoryResources m, Func<string, string, CgroupVersion> need, List<CgroupWrite> w)
    {
        var v = need("memory", "linux.resources.memory");
        const string f = "linux.resources.memory";
        if (m.Kernel is not null || m.KernelTcp is not null)
            Console.Error.WriteLine($"warren: warning: {f}.kernel/kernelTCP ignored: kernel memory limits are gone from current kernels");
        if (v == CgroupVersion.V1)
        {
            if (Set(m.Limit) is long limit) w.Add(new($"{f}.limit", "memory", "memory.limit_in_bytes", limit.ToString()));
            if (Set(m.Swap) is long swap) w.Add(new($"{f}.swap", "memory", "memory.memsw.limit_in_bytes", swap.ToString()));
            if (Set(m.Reservation) is long res) w.Add(new($"{f}.reservation", "memory", "memory.soft_limit_in_bytes", res.ToString()));
            if (m.Swappiness is ulong sw)
            {
                if (sw > 100) throw new RuntimeException($"{f}.swappiness: {sw} is not within 0-100");
                w.Add(new($"{f}.swappiness", "memory", "memory.swappiness", sw.ToString()));
            }
            if (m.DisableOomKiller == true) w.Add(new($"{f}.disableOOMKiller", "memory", "memory.oom_control", "1"));
            return;
        }
        if (Set(m.Limit) is long l2) w.Add(new($"{f}.limit", "memory", "memory.max", l2 < 0 ? "max" : l2.ToString()));
        if (Set(m.Reservation) is long r2) w.Add(new($"{f}.reservation", "memory", "memory.low", r2 < 0 ? "max" : r2.ToString()));
        if (Set(m.Swap) is long s2)
        {
            // OCI swap is memory+swap (v1 memsw); cgroup2 limits swap alone.
            string value = s2 < 0 ? "max"
                : Set(m.Limit) is long lim && lim >= 0 ? (s2 >= lim ? (s2 - lim).ToString() : throw new RuntimeException($"{f}.swap: {s2} is below memory.limit {lim}"))
                : throw new RuntimeException($"{f}.swap: on cgroup v2 a swap limit needs memory.limit too");
            w.Add(new($"{f}.swap", "memory", "memory.swap.max", value));
        }
        if (m.Swappiness is ulong)
            throw new RuntimeException($"{f}.swappiness: cgroup v2 has no per-cgroup swappiness");
        if (m.DisableOomKiller == true)
            throw new RuntimeException($"{f}.disableOOMKiller: cgroup v2 cannot disable the OOM killer");
    }

    private static void Cpu(CpuResources c, Func<string, string, CgroupVersion> need, List<CgroupWrite> w)
    {
        const string f = "linux.resources.cpu";
        if (!string.IsNullOrEmpty(c.Cpus) || !string.IsNullOrEmpty(c.Mems))
        {
            need("cpuset", f);
            if (c.Cpus is { Length: > 0 } cpus) w.Add(new($"{f}.cpus", "cpuset", "cpuset.cpus", cpus));
            if (c.Mems is { Length: > 0 } mems) w.Add(new($"{f}.mems", "cpuset", "cpuset.mems", mems));
        }
        if (Set(c.Shares) is null && Set(c.Quota) is null && Set(c.Period) is null && c.Burst is null && Set(c.RealtimeRuntime) is null
            && Set(c.RealtimePeriod) is null && c.Idle is null) return;
        var v = need("cpu", f);
        if (v == CgroupVersion.V1)
        {
            if (Set(c.Shares) is ulong sh) w.Add(new($"{f}.shares", "cpu", "cpu.shares", sh.ToString()));
            if (Set(c.Period) is ulong p) w.Add(new($"{f}.period", "cpu", "cpu.cfs_period_us", p.ToString()));
            if (Set(c.Quota) is long q) w.Add(new($"{f}.quota", "cpu", "cpu.cfs_quota_us", q.ToString()));
            if (c.Burst is ulong bu) w.Add(new($"{f}.burst", "cpu", "cpu.cfs_burst_us", bu.ToString()));
            if (Set(c.RealtimePeriod) is ulong rp) w.Add(new($"{f}.realtimePeriod", "cpu", "cpu.rt_period_us", rp.ToString()));
            if (Set(c.RealtimeRuntime) is long rr) w.Add(new($"{f}.realtimeRuntime", "cpu", "cpu.rt_runtime_us", rr.ToString()));
            if (c.Idle is long idle) w.Add(new($"{f}.idle", "cpu", "cpu.idle", idle.ToString()));
            return;
        }
        if (Set(c.Shares) is ulong shares) w.Add(new($"{f}.shares", "cpu", "cpu.weight", SharesToWeight(shares).ToString()));
        if (Set(c.Quota) is not null || Set(c.Period) is not null)
        {
            string quota = c.Quota is long q2 && q2 > 0 ? q2.ToString() : "max";
            w.Add(new($"{f}.quota", "cpu", "cpu.max", $"{quota} {Set(c.Period) ?? 100000}"));
        }
        if (c.Burst is ulong b2) w.Add(new($"{f}.burst", "cpu", "cpu.max.burst", b2.ToString()));
        if (c.Idle is long i2) w.Add(new($"{f}.idle", "cpu", "cpu.idle", i2.ToString()));
        if (Set(c.RealtimeRuntime) is not null || Set(c.RealtimePeriod) is not null)
            throw new RuntimeException($"{f}.realtimeRuntime: cgroup v2 has no realtime CPU bandwidth");
    }

    private static void BlockIo(BlockIoResources b, Func<string, string, CgroupVersion> need, List<CgroupWrite> w)
    {
        const string f = "linux.resources.blockIO";
        bool any = Set(b.Weight) is not null || Set(b.LeafWeight) is not null || b.WeightDevice is { Count: > 0 }
                   || b.ThrottleReadBpsDevice is { Count: > 0 } || b.ThrottleWriteBpsDevice is { Count: > 0 }
                   || b.ThrottleReadIopsDevice is { Count: > 0 } || b.ThrottleWriteIopsDevice is { Count: > 0 };
        if (!any) return;
        if (need("blkio", f) is var v && v == CgroupVersion.V1)
        {
            if (Set(b.Weight) is ushort wt) w.Add(new($"{f}.weight", "blkio", "blkio.weight", wt.ToString()));
            if (Set(b.LeafWeight) is ushort lw) w.Add(new($"{f}.leafWeight", "blkio", "blkio.leaf_weight", lw.ToString()));
            foreach (var d in b.WeightDevice ?? new())
                if (Set(d.Weight) is ushort dw) w.Add(new($"{f}.weightDevice", "blkio", "blkio.weight_device", $"{d.Major}:{d.Minor} {dw}"));
            void Throttle(List<ThrottleDevice>? list, string name, string file)
            {
                foreach (var d in list ?? new()) w.Add(new($"{f}.{name}", "blkio", file, $"{d.Major}:{d.Minor} {d.Rate}"));
            }
            Throttle(b.ThrottleReadBpsDevice, "throttleReadBpsDevice", "blkio.throttle.read_bps_device");
            Throttle(b.ThrottleWriteBpsDevice, "throttleWriteBpsDevice", "blkio.throttle.write_bps_device");
            Throttle(b.ThrottleReadIopsDevice, "throttleReadIOPSDevice", "blkio.throttle.read_iops_device");
            Throttle(b.ThrottleWriteIopsDevice, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device");
            return;
        }
        // cgroup2: io.weight (converted from the blkio 10-1000 range) and io.max.
        if (Set(b.Weight) is ushort w2) w.Add(new($"{f}.weight", "io", "io.weight", $"default {BlkioToIoWeight(w2)}"));
        if (Set(b.LeafWeight) is not null) throw new RuntimeException($"{f}.leafWeight: cgroup v2 has no leaf weight");
        foreach (var d in b.WeightDevice ?? new())
            if (Set(d.Weight) is ushort dw2) w.Add(new($"{f}.weightDevice", "io", "io.weight", $"{d.Major}:{d.Minor} {BlkioToIoWeight(dw2)}"));
        void Max(List<ThrottleDevice>? list, string name, string key)
        {
            foreach (var d in list ?? new()) w.Add(new($"{f}.{name}", "io", "io.max", $"{d.Major}:{d.Minor} {key}={d.Rate}"));
        }
        Max(b.ThrottleReadBpsDevice, "throttleReadBpsDevice", "rbps");
        Max(b.ThrottleWriteBpsDevice, "throttleWriteBpsDevice", "wbps");
        Max(b.ThrottleReadIopsDevice, "throttleReadIOPSDevice", "riops");
        Max(b.ThrottleWriteIopsDevice, "throttleWriteIOPSDevice", "wiops");
    }

    /// <summary>runc's conversion of cpu.shares (2-262144) to cpu.weight (1-10000).</summary>
    // Clients (Docker among them) send 0 for "not set" in these fields, and runc treats a zero as unset: so
    // does warren, so that a host without blkio weights (or the like) does not refuse a container for a zero.
    private static long? Set(long? v) => v == 0 ? null : v;
    private static ulong? Set(ulong? v) => v == 0 ? null : v;
    private static ushort? Set(ushort? v) => v == 0 ? null : v;

    public static ulong SharesToWeight(ulong shares) => shares == 0 ? 100 : 1 + ((Math.Clamp(shares, 2, 262144) - 2) * 9999) / 262142;

    /// <summary>blkio.weight (10-1000) to io.weight (1-10000).</summary>
    public static ulong BlkioToIoWeight(ushort weight) => 1 + ((ulong)Math.Clamp((int)weight, 10, 1000) - 10) * 9999 / 990;
}
