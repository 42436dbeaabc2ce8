using Warren.Linux;
using OciSeccomp = Warren.Oci.Seccomp;

namespace Warren.Runtime.Security;

/// <summary>The OCI seccomp model → libseccomp rules → BPF bytes, in the parent (DESIGN 3).</summary>
public static class SeccompCompiler
{
    public static readonly string[] Actions =
        { "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY" };
    public static readonly string[] Operators =
        { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ" };
    public static readonly string[] Flags = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW" };
    public static readonly string[] Archs =
    {
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
        "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
        "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_RISCV64",
    };

    public static (byte[] Program, uint Flags) Compile(OciSeccomp s)
    {
        const string f = "linux.seccomp";
        bool notifies = s.DefaultAction == "SCMP_ACT_NOTIFY" || (s.Syscalls ?? new()).Any(x => x.Action == "SCMP_ACT_NOTIFY");
        if (notifies && string.IsNullOrEmpty(s.ListenerPath))
            throw new RuntimeException($"{f}: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
        uint def = Action(s.DefaultAction ?? throw new RuntimeException($"{f}.defaultAction is missing"), s.DefaultErrnoRet, $"{f}.defaultAction");
        var archs = (s.Architectures ?? new()).Select(a =>
            Archs.Contains(a) ? a["SCMP_ARCH_".Length..].ToLowerInvariant() : throw new RuntimeException($"{f}.architectures: unknown \"{a}\""));
        var rules = new List<LibSeccomp.Rule>();
        foreach (var (sc, i) in (s.Syscalls ?? new()).Select((x, i) => (x, i)))
        {
            uint act = Action(sc.Action ?? throw new RuntimeException($"{f}.syscalls[{i}].action is missing"), sc.ErrnoRet, $"{f}.syscalls[{i}].action");
            var args = (sc.Args ?? new()).Select(a => (a.Index, Op(a.Op, $"{f}.syscalls[{i}].args"), a.Value, a.ValueTwo ?? 0UL)).ToList();
            if (args.Any(a => a.Index > 5)) throw new RuntimeException($"{f}.syscalls[{i}].args: index must be 0-5");
            foreach (var name in sc.Names ?? new()) rules.Add(new LibSeccomp.Rule(name, act, args));
        }
        uint flags = 0;
        foreach (var fl in s.Flags ?? new())
            flags |= fl switch
            {
                "SECCOMP_FILTER_FLAG_TSYNC" => SeccompLoader.FlagTsync,
                "SECCOMP_FILTER_FLAG_LOG" => SeccompLoader.FlagLog,
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => SeccompLoader.FlagSpecAllow,
                _ => throw new RuntimeException($"{f}.flags: unknown or unsupported flag \"{fl}\""),
            };
        if (!string.IsNullOrEmpty(s.ListenerPath)) flags |= SeccompLoader.FlagNewListener;
        try { return (LibSeccomp.Compile(def, archs, rules), flags); }
        catch (InvalidOperationException e) { throw new RuntimeException(e.Message, e); }
        catch (DllNotFoundException) { throw new RuntimeException($"{f}: libseccomp.so.2 is not installed on this host"); }
    }

    private static uint Action(string name, uint? errno, string field) => name switch
    {
        "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => LibSeccomp.ActKillThread,
        "SCMP_ACT_KILL_PROCESS" => LibSeccomp.ActKillProcess,
        "SCMP_ACT_TRAP" => LibSeccomp.ActTrap,
        "SCMP_ACT_ERRNO" => LibSeccomp.ActErrno | ((errno ?? 1) & 0xffff),
        "SCMP_ACT_TRACE" => LibSeccomp.ActTrace | ((errno ?? 1) & 0xffff),
        "SCMP_ACT_ALLOW" => LibSeccomp.ActAllow,
        "SCMP_ACT_LOG" => LibSeccomp.ActLog,
        "SCMP_ACT_NOTIFY" => LibSeccomp.ActNotify,
        _ => throw new RuntimeException($"{field}: unknown action \"{name}\""),
    };

    private static int Op(string? name, string field) => Array.IndexOf(Operators, name) is var i and >= 0
        ? i + 1 : throw new RuntimeException($"{field}: unknown operator \"{name}\"");
}
