namespace Warren.Linux;

public static class O
{
    public const int RDONLY = 0, WRONLY = 1, RDWR = 2, CREAT = 0x40, EXCL = 0x80, NOCTTY = 0x100, TRUNC = 0x200,
        APPEND = 0x400, NONBLOCK = 0x800, DIRECTORY = 0x10000, NOFOLLOW = 0x20000, CLOEXEC = 0x80000, PATH = 0x200000;
}

public static class AT
{
    public const int FDCWD = -100, SYMLINK_NOFOLLOW = 0x100, REMOVEDIR = 0x200, EMPTY_PATH = 0x1000, RECURSIVE = 0x8000;
}

/// <summary>openat2 RESOLVE_* flags.</summary>
public static class Resolve
{
    public const ulong NO_XDEV = 0x01, NO_MAGICLINKS = 0x02, NO_SYMLINKS = 0x04, BENEATH = 0x08, IN_ROOT = 0x10;
}

public static class MS
{
    public const ulong RDONLY = 1, NOSUID = 2, NODEV = 4, NOEXEC = 8, SYNCHRONOUS = 16, REMOUNT = 32, MANDLOCK = 64,
        DIRSYNC = 128, NOSYMFOLLOW = 256, NOATIME = 1024, NODIRATIME = 2048, BIND = 4096, MOVE = 8192, REC = 16384,
        SILENT = 32768, UNBINDABLE = 1 << 17, PRIVATE = 1 << 18, SLAVE = 1 << 19, SHARED = 1 << 20,
        RELATIME = 1 << 21, STRICTATIME = 1 << 24, LAZYTIME = 1 << 25;
    public const ulong PropagationMask = UNBINDABLE | PRIVATE | SLAVE | SHARED;
}

public static class MNT
{
    public const int FORCE = 1, DETACH = 2, EXPIRE = 4, UMOUNT_NOFOLLOW = 8;
}

/// <summary>mount_setattr MOUNT_ATTR_* bits.</summary>
public static class MountAttr
{
    public const ulong RDONLY = 0x1, NOSUID = 0x2, NODEV = 0x4, NOEXEC = 0x8, ATIME = 0x70, RELATIME = 0,
        NOATIME = 0x10, STRICTATIME = 0x20, NODIRATIME = 0x80, IDMAP = 0x100000, NOSYMFOLLOW = 0x200000;
}

public static class CloneFlags
{
    public const long NEWTIME = 0x80, VM = 0x100, FS = 0x200, FILES = 0x400, NEWNS = 0x20000, NEWCGROUP = 0x02000000,
        NEWUTS = 0x04000000, NEWIPC = 0x08000000, NEWUSER = 0x10000000, NEWPID = 0x20000000, NEWNET = 0x40000000,
        PARENT = 0x8000, PIDFD = 0x1000;
}

public static class Sig
{
    public const int HUP = 1, INT = 2, QUIT = 3, ILL = 4, TRAP = 5, ABRT = 6, BUS = 7, FPE = 8, KILL = 9, USR1 = 10,
        SEGV = 11, USR2 = 12, PIPE = 13, ALRM = 14, TERM = 15, STKFLT = 16, CHLD = 17, CONT = 18, STOP = 19,
        TSTP = 20, TTIN = 21, TTOU = 22, URG = 23, XCPU = 24, XFSZ = 25, VTALRM = 26, PROF = 27, WINCH = 28,
        IO = 29, PWR = 30, SYS = 31;

    private static readonly string[] Names =
    {
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM",
        "PROF", "WINCH", "IO", "PWR", "SYS",
    };

    /// <summary>Parses "KILL", "SIGKILL", "9", "RTMIN+3" the way runc's kill does.</summary>
    public static bool TryParse(string text, out int signal)
    {
        signal = 0;
        if (int.TryParse(text, out var n)) { signal = n; return n is > 0 and <= 64; }
        var s = text.ToUpperInvariant();
        if (s.StartsWith("SIG")) s = s[3..];
        if (s == "IOT") s = "ABRT";
        if (s == "POLL") s = "IO";
        int idx = Array.IndexOf(Names, s);
        if (idx > 0) { signal = idx; return true; }
        if (s.StartsWith("RTMIN"))
            return TryOffset(s[5..], 34, +1, out signal);
        if (s.StartsWith("RTMAX"))
            return TryOffset(s[5..], 64, -1, out signal);
        return false;
    }

    private static bool TryOffset(string rest, int baseSig, int dir, out int signal)
    {
        signal = baseSig;
        if (rest.Length == 0) return true;
        if (!int.TryParse(rest, out var off)) return false;
        signal = baseSig + off;
        return signal is >= 34 and <= 64 && Math.Sign(off) != -dir;
    }

    public static string Name(int sig) => sig > 0 && sig < Names.Length ? "SIG" + Names[sig] : $"signal {sig}";
}
