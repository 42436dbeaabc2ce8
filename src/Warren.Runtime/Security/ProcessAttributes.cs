using Warren.Linux;
using Warren.Oci;
using OciProcess = Warren.Oci.Process;

namespace Warren.Runtime.Security;

/// <summary>
/// process.ioPriority, scheduler, execCPUAffinity and linux.personality / intelRdt: checked
/// at create (clear errors), applied by the init or exec stage.
/// </summary>
public static class ProcessAttributes
{
    public static void Validate(Spec spec, OciProcess p)
    {
        if (spec.Linux?.IntelRdt is not null)
            throw new RuntimeException(Directory.Exists("/sys/fs/resctrl/info")
                ? "linux.intelRdt: Intel RDT is not supported by warren yet"
                : "linux.intelRdt: this host has no resctrl filesystem (Intel RDT is absent)");
        if (p.IoPriority is { } io)
        {
            IoClass(io.Class);
            if (io.Priority is < 0 or > 7) throw new RuntimeException($"process.ioPriority.priority: {io.Priority} is not within 0-7");
        }
        if (p.Scheduler is { } s) Policy(s.Policy);
        foreach (var (cpus, field) in new[] { (p.ExecCpuAffinity?.Initial, "initial"), (p.ExecCpuAffinity?.Final, "final") })
            if (cpus is not null && ProcessAttrs.ParseCpuList(cpus) is null)
                throw new RuntimeException($"process.execCPUAffinity.{field}: \"{cpus}\" is not a CPU list");
        if (spec.Linux?.Personality is { } pers) Persona(pers);
    }

    /// <summary>In the stage, with its privileges still held: everything but the final CPU affinity.</summary>
    public static void ApplyEarly(Spec? spec, OciProcess p)
    {
        if (p.ExecCpuAffinity?.Initial is { } initial) ProcessAttrs.SetAffinity(ProcessAttrs.ParseCpuList(initial)!, initial);
        if (p.IoPriority is { } io) ProcessAttrs.SetIoPriority(IoClass(io.Class), io.Priority);
        if (p.Scheduler is { } s)
            ProcessAttrs.SetScheduler(Policy(s.Policy), SchedFlags(s.Flags), s.Nice ?? 0, (uint)(s.Priority ?? 0),
                s.Runtime ?? 0, s.Deadline ?? 0, s.Period ?? 0);
        if (spec?.Linux?.Personality is { } pers) ProcessAttrs.SetPersonality(Persona(pers));
    }

    public static void ApplyFinal(OciProcess p)
    {
        if (p.ExecCpuAffinity?.Final is { } final) ProcessAttrs.SetAffinity(ProcessAttrs.ParseCpuList(final)!, final);
    }

    private static int IoClass(string? c) => c switch
    {
        "IOPRIO_CLASS_RT" => 1, "IOPRIO_CLASS_BE" => 2, "IOPRIO_CLASS_IDLE" => 3,
        _ => throw new RuntimeException($"process.ioPriority.class: unknown \"{c}\""),
    };

    private static uint Policy(string? p) => p switch
    {
        "SCHED_OTHER" => 0, "SCHED_FIFO" => 1, "SCHED_RR" => 2, "SCHED_BATCH" => 3, "SCHED_ISO" => 4, "SCHED_IDLE" => 5, "SCHED_DEADLINE" => 6,
        _ => throw new RuntimeException($"process.scheduler.policy: unknown \"{p}\""),
    };

    private static ulong SchedFlags(List<string>? flags) => (flags ?? new()).Aggregate(0UL, (acc, f) => acc | f switch
    {
        "SCHED_FLAG_RESET_ON_FORK" => 0x01UL, "SCHED_FLAG_RECLAIM" => 0x02UL, "SCHED_FLAG_DL_OVERRUN" => 0x04UL,
        "SCHED_FLAG_KEEP_POLICY" => 0x08UL, "SCHED_FLAG_KEEP_PARAMS" => 0x10UL, "SCHED_FLAG_UTIL_CLAMP_MIN" => 0x20UL,
        "SCHED_FLAG_UTIL_CLAMP_MAX" => 0x40UL,
        _ => throw new RuntimeException($"process.scheduler.flags: unknown \"{f}\""),
    });

    private static ulong Persona(Personality p)
    {
        ulong domain = p.Domain switch
        {
            "LINUX" => 0, "LINUX32" => 8,
            _ => throw new RuntimeException($"linux.personality.domain: unknown \"{p.Domain}\" (LINUX or LINUX32)"),
        };
        if (p.Flags is { Count: > 0 }) throw new RuntimeException("linux.personality.flags: no flags are defined by the spec");
        return domain;
    }
}
