using Warren.Cgroups;
using Warren.Linux;

namespace Warren.Runtime.Events;

/// <summary>Reads a container's statistics from whichever hierarchy holds each controller (v1 or cgroup2).</summary>
public static class StatsReader
{
    public static Stats Read(CgroupSet set, IReadOnlyList<CgroupHierarchy> hs)
    {
        var s = new Stats();
        string? Dir(string ctrl, out CgroupVersion v)
        {
            var loc = CgroupFiles.Locate(set, hs, ctrl);
            v = loc?.Version ?? CgroupVersion.V1;
            return loc?.Dir;
        }
        if (Dir("cpuacct", out _) is { } acct)
        {
            s.Cpu.Usage.Total = Num(acct, "cpuacct.usage");
            s.Cpu.Usage.Percpu = Text(acct, "cpuacct.usage_percpu")?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ulong.Parse).ToList();
            var kv = KeyValues(acct, "cpuacct.stat");
            const ulong nsPerTick = 10_000_000; // USER_HZ = 100
            s.Cpu.Usage.User = kv.GetValueOrDefault("user") * nsPerTick;
            s.Cpu.Usage.Kernel = kv.GetValueOrDefault("system") * nsPerTick;
        }
        if (Dir("cpu", out var cv) is { } cpu)
        {
            var st = KeyValues(cpu, "cpu.stat");
            s.Cpu.Throttling.Periods = st.GetValueOrDefault("nr_periods");
            s.Cpu.Throttling.ThrottledPeriods = st.GetValueOrDefault("nr_throttled");
            if (cv == CgroupVersion.V1) s.Cpu.Throttling.ThrottledTime = st.GetValueOrDefault("throttled_time");
            else
            {
                s.Cpu.Throttling.ThrottledTime = st.GetValueOrDefault("throttled_usec") * 1000;
                s.Cpu.Usage.Total = st.GetValueOrDefault("usage_usec") * 1000;
                s.Cpu.Usage.User = st.GetValueOrDefault("user_usec") * 1000;
                s.Cpu.Usage.Kernel = st.GetValueOrDefault("system_usec") * 1000;
            }
        }
        if (Dir("memory", out var mv) is { } mem)
        {
            s.Memory.Raw = KeyValues(mem, "memory.stat");
            if (mv == CgroupVersion.V1)
            {
                s.Memory.Usage = new MemoryEntry
                {
                    Usage = Num(mem, "memory.usage_in_bytes"), Max = Num(mem, "memory.max_usage_in_bytes"),
                    Limit = Num(mem, "memory.limit_in_bytes"), Failcnt = Num(mem, "memory.failcnt"),
                };
                s.Memory.Swap = new MemoryEntry
                {
                    Usage = Num(mem, "memory.memsw.usage_in_bytes"), Max = Num(mem, "memory.memsw.max_usage_in_bytes"),
                    Limit = Num(mem, "memory.memsw.limit_in_bytes"), Failcnt = Num(mem, "memory.memsw.failcnt"),
                };
            }
            else
            {
                s.Memory.Usage = new MemoryEntry { Usage = Num(mem, "memory.current"), Max = Num(mem, "memory.peak"), Limit = Num(mem, "memory.max") };
                s.Memory.Swap = new MemoryEntry { Usage = Num(mem, "memory.swap.current"), Limit = Num(mem, "memory.swap.max") };
            }
        }
        if (Dir("pids", out _) is { } pids)
        {
            s.Pids.Current = Num(pids, "pids.current");
            s.Pids.Limit = Num(pids, "pids.max");
        }
        if (Dir("blkio", out _) is { } blk)
        {
            foreach (var line in (Text(blk, "blkio.throttle.io_service_bytes_recursive") ?? "").Split('\n'))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length == 3 && f[0].Split(':') is [var ma, var mi])
                    s.Blkio.IoServiceBytesRecursive.Add(new BlkioEntry { Major = ulong.Parse(ma), Minor = ulong.Parse(mi), Op = f[1], Value = ulong.Parse(f[2]) });
            }
        }
        if (Dir("hugetlb", out var hv) is { } huge)
        {
            foreach (var f in Directory.EnumerateFiles(huge, hv == CgroupVersion.V1 ? "hugetlb.*.usage_in_bytes" : "hugetlb.*.current"))
            {
                string size = Path.GetFileName(f).Split('.')[1];
                s.Hugetlb[size] = hv == CgroupVersion.V1
                    ? new HugetlbStats { Usage = Num(huge, $"hugetlb.{size}.usage_in_bytes"), Max = Num(huge, $"hugetlb.{size}.max_usage_in_bytes"), Failcnt = Num(huge, $"hugetlb.{size}.failcnt") }
                    : new HugetlbStats { Usage = Num(huge, $"hugetlb.{size}.current"), Max = Num(huge, $"hugetlb.{size}.max") };
            }
        }
        return s;
    }

    /// <summary>How many times the kernel's OOM killer has struck in the container's memory cgroup.</summary>
    public static ulong OomKills(CgroupSet set, IReadOnlyList<CgroupHierarchy> hs)
    {
        var loc = CgroupFiles.Locate(set, hs, "memory");
        if (loc is not { } l) return 0;
        return KeyValues(l.Dir, l.Version == CgroupVersion.V1 ? "memory.oom_control" : "memory.events").GetValueOrDefault("oom_kill");
    }

    private static string? Text(string dir, string file) => Sys.TryReadText(Path.Combine(dir, file));

    private static ulong Num(string dir, string file)
    {
        string? t = Text(dir, file);
        return ulong.TryParse(t, out var n) ? n : t == "max" ? ulong.MaxValue : 0;
    }

    private static Dictionary<string, ulong> KeyValues(string dir, string file)
    {
        var d = new Dictionary<string, ulong>();
        foreach (var line in (Text(dir, file) ?? "").Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 2 && ulong.TryParse(f[1], out var v)) d[f[0]] = v;
        }
        return d;
    }
}
