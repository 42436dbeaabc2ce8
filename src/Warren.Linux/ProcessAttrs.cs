using System.Runtime.InteropServices;

namespace Warren.Linux;

/// <summary>Per-process attributes the exec'd program inherits: I/O priority, scheduling, CPU affinity, personality.</summary>
public static unsafe class ProcessAttrs
{
    private const long SysIoprioSet = 251, SysSchedSetattr = 314, SysSchedSetaffinity = 203, SysPersonality = 135;

    public static void SetIoPriority(int cls, int level)
    {
        if (Libc.syscall(SysIoprioSet, 1 /* IOPRIO_WHO_PROCESS */, 0, (cls << 13) | level, 0, 0, 0) < 0)
            throw SyscallException.Last("ioprio_set", $"class {cls} level {level}");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedAttr
    {
        public uint Size, Policy;
        public ulong Flags;
        public int Nice;
        public uint Priority;
        public ulong Runtime, Deadline, Period;
    }

    public static void SetScheduler(uint policy, ulong flags, int nice, uint priority, ulong runtime, ulong deadline, ulong period)
    {
        var a = new SchedAttr
        {
            Size = (uint)sizeof(SchedAttr), Policy = policy, Flags = flags, Nice = nice, Priority = priority,
            Runtime = runtime, Deadline = deadline, Period = period,
        };
        if (Libc.syscall(SysSchedSetattr, 0, (long)&a, 0, 0, 0, 0) < 0) throw SyscallException.Last("sched_setattr", $"policy {policy}");
    }

    /// <summary>Pins the calling thread (and what it execs) to the CPUs in the mask (bit N = CPU N).</summary>
    public static void SetAffinity(ReadOnlySpan<ulong> mask, string display)
    {
        fixed (ulong* m = mask)
            if (Libc.syscall(SysSchedSetaffinity, 0, mask.Length * 8, (long)m, 0, 0, 0) < 0)
                throw SyscallException.Last("sched_setaffinity", display);
    }

    public static void SetPersonality(ulong persona)
    {
        if (Libc.syscall(SysPersonality, (long)persona, 0, 0, 0, 0, 0) < 0) throw SyscallException.Last("personality", $"0x{persona:x}");
    }

    /// <summary>"0-3,6" → a CPU bit mask; null with a reason when the list is malformed.</summary>
    public static ulong[]? ParseCpuList(string list)
    {
        var mask = new ulong[16]; // 1024 CPUs
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = part.Split('-');
            if (ends.Length > 2 || !int.TryParse(ends[0], out int lo)) return null;
            int hi = lo;
            if (ends.Length == 2 && !int.TryParse(ends[1], out hi)) return null;
            if (lo < 0 || hi < lo || hi >= 1024) return null;
            for (int c = lo; c <= hi; c++) mask[c / 64] |= 1UL << (c % 64);
        }
        return mask.Any(m => m != 0) ? mask : null;
    }
}
