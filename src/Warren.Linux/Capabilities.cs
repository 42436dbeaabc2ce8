using System.Runtime.InteropServices;

namespace Warren.Linux;

/// <summary>Capability names and the five sets of the calling thread (capset/prctl).</summary>
public static unsafe class Capabilities
{
    /// <summary>Index = capability number, as in linux/capability.h.</summary>
    public static readonly string[] Names =
    {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    };

    private const int PR_CAPBSET_READ = 23, PR_CAPBSET_DROP = 24, PR_SET_KEEPCAPS = 8, PR_CAP_AMBIENT = 47,
        PR_CAP_AMBIENT_RAISE = 2, PR_CAP_AMBIENT_CLEAR_ALL = 4;

    /// <summary>The highest capability this kernel knows (from /proc/sys/kernel/cap_last_cap).</summary>
    public static int LastCap
    {
        get
        {
            try { return int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim()); }
            catch (IOException) { return Names.Length - 1; }
        }
    }

    public static bool TryParse(string name, out int cap)
    {
        cap = Array.IndexOf(Names, name.ToUpperInvariant());
        return cap >= 0;
    }

    /// <summary>Bit mask of the named capabilities; unknown names throw with the name.</summary>
    public static ulong Mask(IEnumerable<string>? names, string field)
    {
        ulong m = 0;
        if (names is null) return 0;
        foreach (var n in names)
        {
            if (!TryParse(n, out var c)) throw new ArgumentException($"{field}: unknown capability \"{n}\"");
            m |= 1UL << c;
        }
        return m;
    }

    public static void SetKeepCaps(bool on) => Sys.Prctl(PR_SET_KEEPCAPS, on ? 1UL : 0, what: "prctl(PR_SET_KEEPCAPS)");

    /// <summary>Drops every capability not in <paramref name="keep"/> from the bounding set.</summary>
    public static void LimitBounding(ulong keep)
    {
        int last = LastCap;
        for (int c = 0; c <= last; c++)
        {
            if ((keep & (1UL << c)) != 0) continue;
            int rc = Sys.TryPrctl(PR_CAPBSET_DROP, (ulong)c);
            if (rc < 0 && -rc != Errno.EINVAL)
                throw new SyscallException("prctl(PR_CAPBSET_DROP)", c < Names.Length ? Names[c] : c.ToString(), -rc);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapHeader { public uint Version; public int Pid; }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapData { public uint Effective, Permitted, Inheritable; }

    /// <summary>capset(2) for the calling thread (version 3: 64-bit sets).</summary>
    public static void Set(ulong effective, ulong permitted, ulong inheritable)
    {
        var hdr = new CapHeader { Version = 0x20080522, Pid = 0 };
        var data = stackalloc CapData[2];
        data[0] = new CapData { Effective = (uint)effective, Permitted = (uint)permitted, Inheritable = (uint)inheritable };
        data[1] = new CapData
        {
            Effective = (uint)(effective >> 32), Permitted = (uint)(permitted >> 32), Inheritable = (uint)(inheritable >> 32),
        };
        if (Libc.syscall(SysNr.capset, (long)&hdr, (long)data, 0, 0, 0, 0) < 0)
            throw SyscallException.Last("capset");
    }

    public static void SetAmbient(ulong ambient)
    {
        Sys.TryPrctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL);
        for (int c = 0; c < 64; c++)
        {
            if ((ambient & (1UL << c)) == 0) continue;
            int rc = Sys.TryPrctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (ulong)c);
            if (rc < 0) throw new SyscallException("prctl(PR_CAP_AMBIENT_RAISE)", Names[c], -rc);
        }
    }
}
