namespace Warren.Linux.Spawn;

/// <summary>
/// A sealed memfd copy of the running binary (CVE-2019-5736): the init stage executes this copy, so a
/// container that opens /proc/PID/exe for writing reaches a sealed anonymous file, never the host's warren.
/// </summary>
public static class ProtectedExe
{
    private const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_EXEC = 0x10;
    private const int F_ADD_SEALS = 1033;
    private const int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;

    /// <summary>Returns an O_CLOEXEC fd of a sealed, executable copy of /proc/self/exe.</summary>
    public static int Create()
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
