namespace Warren.Linux.Spawn;

/// <summary>
/// The binary the init stage executes, protected against CVE-2019-5736: a container that reopens
/// /proc/PID/exe for writing must never reach the host's warren. Preferred: a detached, read-only bind
/// mount of the binary (open_tree + mount_setattr), which costs a few system calls and is attached nowhere;
/// where that is not allowed (no CAP_SYS_ADMIN), a sealed memfd copy.
/// </summary>
public static unsafe class ProtectedExe
{
    private const uint OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = 0x80000;

    /// <summary>Returns an O_CLOEXEC fd for execveat(fd, "", AT_EMPTY_PATH) of this binary.</summary>
    public static int Create()
    {
        int fd = TryReadOnlyMount();
        return fd >= 0 ? fd : CreateSealedCopy();
    }

    /// <summary>The fd of a detached read-only bind mount of /proc/self/exe, or -1.</summary>
    public static int TryReadOnlyMount()
    {
        var path = Sys.Utf8Z("/proc/self/exe");
        long fd;
        fixed (byte* p = path)
            fd = Libc.syscall(SysNr.open_tree, AT.FDCWD, (long)p, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC, 0, 0, 0);
        if (fd < 0) return -1;
        try
        {
            Sys.MountSetAttr((int)fd, "", AT.EMPTY_PATH, MountAttr.RDONLY | MountAttr.NOSUID | MountAttr.NODEV, 0);
            return (int)fd;
        }
        catch (SyscallException)
        {
            Sys.Close((int)fd);
            return -1;
        }
    }
    private const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_EXEC = 0x10;
    private const int F_ADD_SEALS = 1033;
    private const int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;

    /// <summary>Returns an O_CLOEXEC fd of a sealed, executable copy of /proc/self/exe.</summary>
    public static int CreateSealedCopy()
    {
        int src = Sys.Open("/proc/self/exe", O.RDONLY);
        try
        {
            long size = Sys.Fstat(src, "/proc/self/exe").Size;
            int mfd;
            try { mfd = Sys.MemfdCreate("warren", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC); }
            catch (SyscallException e) when (e.Errno == Errno.EINVAL) // kernels before 6.3 lack MFD_EXEC
            { mfd = Sys.MemfdCreate("warren", MFD_CLOEXEC | MFD_ALLOW_SEALING); }
            long done = 0;
            while (done < size)
            {
                long n = Sys.Sendfile(mfd, src, size - done);
                if (n == 0) break;
                done += n;
            }
            if (Sys.Fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
                throw SyscallException.Last("fcntl F_ADD_SEALS", "memfd:warren");
            return mfd;
        }
        finally { Sys.Close(src); }
    }
}
