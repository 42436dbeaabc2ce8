using System.Text;

namespace Warren.Linux;

/// <summary>
/// A procfs nobody else can have mounted over (CVE-2025-52881): a fresh detached procfs instance
/// (fsopen/fsmount), else a non-recursive detached clone of the /proc mount (open_tree, which leaves every
/// mount on top of it behind), else /proc. Writes through it are resolved beneath it with no mount crossings
/// and no magic links, so a label write cannot be redirected to another procfs file such as core_pattern:
/// at worst it fails.
/// </summary>
public sealed unsafe class PrivateProcfs : IDisposable
{
    private const long PROC_ROOT_INO = 1;
    private const long FSOPEN_CLOEXEC = 1, FSCONFIG_CMD_CREATE = 6, FSMOUNT_CLOEXEC = 1;

    public int Fd { get; }

    private PrivateProcfs(int fd) => Fd = fd;

    /// <summary>Opens one for the caller's pid namespace; needs CAP_SYS_ADMIN over its mount namespace.</summary>
    public static PrivateProcfs Open()
    {
        int fd = FreshInstance();
        // A user namespace may not mount a procfs while a masked one is its only view (mount_too_revealing):
        // clone the /proc mount alone. That in turn is refused for a mount inherited with locked submounts
        // (a host /proc copied into a user namespace): then /proc itself, where the writes' RESOLVE_NO_XDEV
        // still refuses to pass any mount placed over a file.
        if (fd < 0) fd = TryCloneProc();
        if (fd < 0) fd = Sys.Open("/proc", O.PATH | O.DIRECTORY);
        var (type, _) = Sys.Fstatfs(fd, "/proc (private)");
        if (type != Sys.PROC_SUPER_MAGIC || Sys.Fstat(fd, "/proc (private)").Ino != PROC_ROOT_INO)
        {
            Sys.Close(fd);
            throw new SyscallException("open_tree", "/proc: not the root of a procfs", Errno.EXDEV);
        }
        return new PrivateProcfs(fd);
    }

    private static int TryCloneProc()
    {
        try { return Sys.OpenTreeClone("/proc", recursive: false); }
        catch (SyscallException) { return -1; }
    }

    private static int FreshInstance()
    {
        var name = Sys.Utf8Z("proc");
        long fs;
        fixed (byte* n = name) fs = Libc.syscall(SysNr.fsopen, (long)n, FSOPEN_CLOEXEC, 0, 0, 0, 0);
        if (fs < 0) return -1;
        try
        {
            if (Libc.syscall(SysNr.fsconfig, fs, FSCONFIG_CMD_CREATE, 0, 0, 0, 0) < 0) return -1;
            long mnt = Libc.syscall(SysNr.fsmount, fs, FSMOUNT_CLOEXEC,
                (long)(MountAttr.NOSUID | MountAttr.NODEV | MountAttr.NOEXEC), 0, 0, 0);
            return mnt < 0 ? -1 : (int)mnt;
        }
        finally { Sys.Close((int)fs); }
    }

    /// <summary>Writes <paramref name="value"/> to a file below this procfs, e.g. "thread-self/attr/exec".</summary>
    public void Write(string relative, string value)
    {
        int err = TryWrite(relative, value);
        if (err != 0) throw new SyscallException("write", "/proc/" + relative, err);
    }

    /// <summary>As <see cref="Write"/>, returning 0 or the errno.</summary>
    public int TryWrite(string relative, string value)
    {
        int fd = Sys.TryOpenAt2(Fd, relative, O.WRONLY, Resolve.BENEATH | Resolve.NO_XDEV | Resolve.NO_MAGICLINKS);
        if (fd < 0) return -fd;
        try
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            int n = Sys.TryWrite(fd, bytes);
            return n < 0 ? -n : 0;
        }
        finally { Sys.Close(fd); }
    }

    public void Dispose() => Sys.Close(Fd);
}
