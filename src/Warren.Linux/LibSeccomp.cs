using System.Runtime.InteropServices;

namespace Warren.Linux;

/// <summary>libseccomp (what runc and crun use): builds a filter and exports it as BPF. Loading is done by
/// <see cref="SeccompLoader"/> with the raw syscall, so the container's root filesystem never needs the library.</summary>
public static unsafe partial class LibSeccomp
{
    private const string Lib = "libseccomp.so.2";

    [LibraryImport(Lib, EntryPoint = "seccomp_init")] internal static partial nint Init(uint defAction);
    [LibraryImport(Lib, EntryPoint = "seccomp_release")] internal static partial void Release(nint ctx);
    [LibraryImport(Lib, EntryPoint = "seccomp_arch_add")] internal static partial int ArchAdd(nint ctx, uint arch);
    [LibraryImport(Lib, EntryPoint = "seccomp_arch_resolve_name", StringMarshalling = StringMarshalling.Utf8)] internal static partial uint ArchResolve(string name);
    [LibraryImport(Lib, EntryPoint = "seccomp_syscall_resolve_name", StringMarshalling = StringMarshalling.Utf8)] internal static partial int SyscallResolve(string name);
    [LibraryImport(Lib, EntryPoint = "seccomp_rule_add_array")] internal static partial int RuleAddArray(nint ctx, uint action, int syscall, uint argCount, ArgCmp* args);
    [LibraryImport(Lib, EntryPoint = "seccomp_attr_set")] internal static partial int AttrSet(nint ctx, int attr, uint value);
    [LibraryImport(Lib, EntryPoint = "seccomp_export_bpf")] internal static partial int ExportBpf(nint ctx, int fd);

    [StructLayout(LayoutKind.Sequential)]
    internal struct ArgCmp { public uint Arg; public int Op; public ulong DatumA; public ulong DatumB; }

    public const uint ActKillProcess = 0x80000000, ActKillThread = 0, ActTrap = 0x00030000, ActErrno = 0x00050000,
        ActTrace = 0x7ff00000, ActLog = 0x7ffc0000, ActAllow = 0x7fff0000, ActNotify = 0x7fc00000;

    /// <summary>One rule: syscall name, action, and argument comparisons (index, op, a, b).</summary>
    public readonly record struct Rule(string Syscall, uint Action, IReadOnlyList<(uint Index, int Op, ulong A, ulong B)> Args);

    /// <summary>
    /// Compiles to classic BPF (struct sock_filter[]). Unknown syscall names on this architecture are skipped
    /// (runc does the same); a rule libseccomp refuses is an error naming the syscall.
    /// </summary>
    public static byte[] Compile(uint defaultAction, IEnumerable<string> archs, IEnumerable<Rule> rules)
    {
        nint ctx = Init(defaultAction);
        if (ctx == 0) throw new InvalidOperationException("seccomp: libseccomp refused the default action");
        try
        {
            AttrSet(ctx, 3 /* SCMP_FLTATR_CTL_NNP */, 0); // warren decides about no_new_privs itself
            foreach (var a in archs)
            {
                uint token = ArchResolve(a);
                if (token == 0) throw new InvalidOperationException($"seccomp: unknown architecture \"{a}\"");
                int rc = ArchAdd(ctx, token);
                if (rc < 0 && rc != -Errno.EEXIST) throw new InvalidOperationException($"seccomp: adding architecture \"{a}\": {Errno.Name(-rc)}");
            }
            foreach (var r in rules)
            {
                int nr = SyscallResolve(r.Syscall);
                if (nr == -1) continue;
                var cmp = stackalloc ArgCmp[Math.Max(r.Args.Count, 1)];
                for (int i = 0; i < r.Args.Count; i++)
                    cmp[i] = new ArgCmp { Arg = r.Args[i].Index, Op = r.Args[i].Op, DatumA = r.Args[i].A, DatumB = r.Args[i].B };
                int rc = RuleAddArray(ctx, r.Action, nr, (uint)r.Args.Count, cmp);
                // A rule whose action equals the default is redundant: libseccomp says EACCES; skip it as runc does.
                if (rc == -Errno.EACCES) continue;
                if (rc < 0) throw new InvalidOperationException($"seccomp: rule for \"{r.Syscall}\": {Errno.Describe(-rc)} ({Errno.Name(-rc)})");
            }
            int mfd = Sys.MemfdCreate("seccomp-bpf", 1 /* MFD_CLOEXEC */);
            try
            {
                int rc = ExportBpf(ctx, mfd);
                if (rc < 0) throw new InvalidOperationException($"seccomp: exporting the filter: {Errno.Name(-rc)}");
                return File.ReadAllBytes($"/proc/self/fd/{mfd}");
            }
            finally { Sys.Close(mfd); }
        }
        finally { Release(ctx); }
    }
}

/// <summary>seccomp(SECCOMP_SET_MODE_FILTER) of a compiled program on the calling thread.</summary>
public static unsafe class SeccompLoader
{
    public const uint FlagTsync = 1, FlagLog = 2, FlagSpecAllow = 4, FlagNewListener = 8;

    /// <summary>Loads the filter; with <see cref="FlagNewListener"/> returns the notification fd, else 0.</summary>
    public static int Load(byte[] program, uint flags)
    {
        fixed (byte* p = program)
        {
            var prog = stackalloc byte[16];
            *(ushort*)prog = (ushort)(program.Length / 8);
            *(byte**)(prog + 8) = p;
            long rc = Libc.syscall(SysNr.seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, flags, (long)prog, 0, 0, 0);
            if (rc < 0) throw SyscallException.Last("seccomp(SECCOMP_SET_MODE_FILTER)");
            return (int)rc;
        }
    }
}

/// <summary>The supervisor's side of SECCOMP_RET_USER_NOTIF: receive a notification, answer it.</summary>
public static unsafe class SeccompNotify
{
    private const ulong NotifRecv = 0xc0502100, NotifSend = 0xc0182101;

    /// <summary>Blocks for the next notification; returns its id and the syscall number.</summary>
    public static (ulong Id, int Syscall, uint Pid) Receive(int notifyFd)
    {
        var buf = stackalloc byte[80];
        new Span<byte>(buf, 80).Clear();
        if (Sys.Ioctl(notifyFd, NotifRecv, buf) is var err && err != 0) throw new SyscallException("ioctl(SECCOMP_IOCTL_NOTIF_RECV)", null, err);
        return (*(ulong*)buf, *(int*)(buf + 16), *(uint*)(buf + 8));
    }

    /// <summary>Answers: the syscall returns -error (or val when error is 0).</summary>
    public static void Respond(int notifyFd, ulong id, int error, long val = 0)
    {
        var buf = stackalloc byte[24];
        *(ulong*)buf = id;
        *(long*)(buf + 8) = val;
        *(int*)(buf + 16) = -error;
        *(uint*)(buf + 20) = 0;
        if (Sys.Ioctl(notifyFd, NotifSend, buf) is var err && err != 0) throw new SyscallException("ioctl(SECCOMP_IOCTL_NOTIF_SEND)", null, err);
    }
}
