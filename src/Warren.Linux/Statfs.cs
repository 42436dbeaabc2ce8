using System.Runtime.InteropServices;

namespace Warren.Linux;

public static unsafe partial class Sys
{
    public const long PROC_SUPER_MAGIC = 0x9fa0, TMPFS_MAGIC = 0x01021994;

    [LibraryImport(Libc.Name, EntryPoint = "fstatfs", SetLastError = true)]
    private static partial int fstatfs(int fd, long* buf);

    /// <summary>(filesystem magic, mount flags as MS_* bits) of the file behind fd.</summary>
    public static (long Type, ulong MountFlags) Fstatfs(int fd, string display)
    {
        long* buf = stackalloc long[15];
        if (fstatfs(fd, buf) < 0) throw SyscallException.Last("fstatfs", display);
        ulong st = (ulong)buf[10];
        // ST_* equal MS_* except ST_RELATIME (0x1000), which is MS_RELATIME (1 << 21).
        ulong ms = st & (MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.SYNCHRONOUS | MS.MANDLOCK | MS.NOATIME | MS.NODIRATIME);
        if ((st & 0x1000) != 0) ms |= MS.RELATIME;
        return (buf[0], ms);
    }
}
