using System.Runtime.InteropServices;
using System.Text;

namespace Warren.Linux;

/// <summary>Checked system calls: each throws <see cref="SyscallException"/> naming the call and its path.</summary>
public static unsafe partial class Sys
{
    private static int Check(int rc, string call, string? target) =>
        rc < 0 ? throw SyscallException.Last(call, target) : rc;

    private static long Check(long rc, string call, string? target) =>
        rc < 0 ? throw SyscallException.Last(call, target) : rc;

    public static int Errno => Marshal.GetLastPInvokeError();

    public static int Open(string path, int flags, uint mode = 0) =>
        Check(Libc.open(path, flags | O.CLOEXEC, mode), "open", path);

    public static int OpenAt(int dirfd, string path, int flags, uint mode = 0) =>
        Check(Libc.openat(dirfd, path, flags | O.CLOEXEC, mode), "openat", path);

    /// <summary>Returns the fd, or -errno without throwing.</summary>
    public static int TryOpen(string path, int flags, uint mode = 0)
    {
        int fd = Libc.open(path, flags | O.CLOEXEC, mode);
        return fd < 0 ? -Errno : fd;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow { public ulong Flags, Mode, Resolve; }

    /// <summary>openat2(2): resolves <paramref name="path"/> under <paramref name="dirfd"/> with RESOLVE_* rules.</summary>
    public static int OpenAt2(int dirfd, string path, int flags, ulong resolve, uint mode = 0)
    {
        int fd = TryOpenAt2(dirfd, path, flags, resolve, mode);
        return fd < 0 ? throw new SyscallException("openat2", path, -fd) : fd;
    }

    public static int TryOpenAt2(int dirfd, string path, int flags, ulong resolve, uint mode = 0)
    {
        var how = new OpenHow { Flags = (ulong)(flags | O.CLOEXEC), Mode = mode, Resolve = resolve };
        var bytes = Utf8Z(path);
        fixed (byte* p = bytes)
        {
            long rc = Libc.syscall(SysNr.openat2, dirfd, (long)p, (long)&how, sizeof(OpenHow), 0, 0);
            return rc < 0 ? -Errno : (int)rc;
        }
    }

    public static void Close(int fd) { if (fd >= 0) Libc.close(fd); }

    public static int Read(int fd, Span<byte> buf)
    {
        fixed (byte* p = buf)
        {
            while (true)
            {
                nint n = Libc.read(fd, p, buf.Length);
                if (n >= 0) return (int)n;
                if (Errno != Linux.Errno.EINTR) throw SyscallException.Last("read");
            }
        }
    }

    /// <summary>Read, returning -errno instead of throwing (for poll loops that expect EIO/EAGAIN).</summary>
    public static int TryRead(int fd, Span<byte> buf)
    {
        fixed (byte* p = buf)
        {
            nint n = Libc.read(fd, p, buf.Length);
            return n >= 0 ? (int)n : -Errno;
        }
    }

    public static void WriteAll(int fd, ReadOnlySpan<byte> buf, string? what = null)
    {
        fixed (byte* p = buf)
        {
            int off = 0;
            while (off < buf.Length)
            {
                nint n = Libc.write(fd, p + off, buf.Length - off);
                if (n < 0)
                {
                    if (Errno == Linux.Errno.EINTR) continue;
                    throw SyscallException.Last("write", what);
                }
                off += (int)n;
            }
        }
    }

    public static int TryWrite(int fd, ReadOnlySpan<byte> buf)
    {
        fixed (byte* p = buf)
        {
            nint n = Libc.write(fd, p, buf.Length);
            return n >= 0 ? (int)n : -Errno;
        }
    }

    /// <summary>A small text file (cgroup, proc or sysfs), trimmed; null when it is missing or unreadable.</summary>
    public static string? TryReadText(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    public static void WriteFile(string path, string content)
    {
        int fd = Open(path, O.WRONLY | O.TRUNC);
        try { WriteAll(fd, Encoding.UTF8.GetBytes(content), path); }
        finally { Close(fd); }
    }

    public static void Mount(string? source, string target, string? fstype, ulong flags, string? data = null)
    {
        if (Libc.mount(source, target, fstype, flags, string.IsNullOrEmpty(data) ? null : data) < 0)
            throw SyscallException.Last("mount", target);
    }

    /// <summary>mount(2) for a target given as an fd (through /proc/self/fd), reporting the display path.</summary>
    public static void MountAt(string? source, int targetFd, string display, string? fstype, ulong flags, string? data = null)
    {
        if (Libc.mount(source, $"/proc/self/fd/{targetFd}", fstype, flags, string.IsNullOrEmpty(data) ? null : data) < 0)
            throw SyscallException.Last("mount", display);
    }

    public static int TryMount(string? source, string target, string? fstype, ulong flags, string? data = null) =>
        Libc.mount(source, target, fstype, flags, string.IsNullOrEmpty(data) ? null : data) < 0 ? Errno : 0;

    public static void Umount(string target, int flags) => Check(Libc.umount2(target, flags), "umount2", target);

    public static int TryUmount(string target, int flags) => Libc.umount2(target, flags) < 0 ? Errno : 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct MountAttrStruct { public ulong Set, Clr, Propagation, UsernsFd; }

    public static void MountSetAttr(int dirfd, string path, int flags, ulong set, ulong clear, ulong propagation = 0,
        int usernsFd = 0, string? display = null)
    {
        var attr = new MountAttrStruct { Set = set, Clr = clear, Propagation = propagation, UsernsFd = (ulong)usernsFd };
        var bytes = Utf8Z(path);
        fixed (byte* p = bytes)
            Check(Libc.syscall(SysNr.mount_setattr, dirfd, (long)p, flags, (long)&attr, sizeof(MountAttrStruct), 0),
                "mount_setattr", display ?? path);
    }

    /// <summary>open_tree(OPEN_TREE_CLONE): a detached copy of the mount at path (recursive with AT_RECURSIVE).</summary>
    public static int OpenTreeClone(string path, bool recursive)
    {
        var b = Utf8Z(path);
        fixed (byte* p = b)
        {
            long fd = Libc.syscall(SysNr.open_tree, AT.FDCWD, (long)p, 1 /* OPEN_TREE_CLONE */ | 0x80000 /* OPEN_TREE_CLOEXEC */ | (recursive ? AT.RECURSIVE : 0), 0, 0, 0);
            return fd < 0 ? throw SyscallException.Last("open_tree", path) : (int)fd;
        }
    }

    /// <summary>move_mount of a detached tree (fd) onto the file or directory behind targetFd.</summary>
    public static void MoveMountOnto(int treeFd, int targetFd, string display)
    {
        var empty = Utf8Z("");
        fixed (byte* e = empty)
            Check(Libc.syscall(SysNr.move_mount, treeFd, (long)e, targetFd, (long)e, 0x04 /* F_EMPTY_PATH */ | 0x40 /* T_EMPTY_PATH */, 0),
                "move_mount", display);
    }

    public static void PivotRoot(string newRoot, string putOld)
    {
        var a = Utf8Z(newRoot);
        var b = Utf8Z(putOld);
        fixed (byte* pa = a)
        fixed (byte* pb = b)
            Check(Libc.syscall(SysNr.pivot_root, (long)pa, (long)pb, 0, 0, 0, 0), "pivot_root", newRoot);
    }

    public static int MkdirAt(int dirfd, string path, uint mode) => Libc.mkdirat(dirfd, path, mode) < 0 ? Errno : 0;

    public static void MknodAt(int dirfd, string path, uint mode, uint major, uint minor, string display)
    {
        ulong dev = ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
                    ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
        Check(Libc.mknodat(dirfd, path, mode, dev), "mknod", display);
    }

    public static int SymlinkAt(string target, int dirfd, string linkPath) =>
        Libc.symlinkat(target, dirfd, linkPath) < 0 ? Errno : 0;

    public static void Chown(string path, uint uid, uint gid)
    {
        if (NativeFs.Chown(path, uid, gid) != 0) throw SyscallException.Last("chown", path);
    }

    /// <summary>setxattr(2), e.g. security.selinux on a path such as /proc/self/fd/N.</summary>
    public static void SetXattr(string path, string name, string value, string display)
    {
        var b = Encoding.UTF8.GetBytes(value);
        fixed (byte* p = b) Check(Libc.setxattr(path, name, p, b.Length, 0), "setxattr", $"{display} ({name})");
    }

    public static void Mkfifo(string path, uint mode) => Check(Libc.mkfifo(path, mode), "mkfifo", path);

    public static void Chdir(string path) => Check(Libc.chdir(path), "chdir", path);
    public static void Fchdir(int fd, string display) => Check(Libc.fchdir(fd), "fchdir", display);
    public static void Chroot(string path) => Check(Libc.chroot(path), "chroot", path);

    public static void SetHostname(string name)
    {
        var b = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = b) Check(Libc.sethostname(p, b.Length), "sethostname", name);
    }

    public static void SetDomainname(string name)
    {
        var b = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = b) Check(Libc.setdomainname(p, b.Length), "setdomainname", name);
    }

    public static uint Umask(uint mask) => Libc.umask(mask);

    public static void SetGroups(uint[] groups)
    {
        fixed (uint* p = groups) Check(Libc.setgroups(groups.Length, p), "setgroups", null);
    }

    public static void SetResUid(uint uid) => Check(Libc.setresuid(uid, uid, uid), "setresuid", uid.ToString());
    public static void SetResGid(uint gid) => Check(Libc.setresgid(gid, gid, gid), "setresgid", gid.ToString());

    public static int Prctl(int option, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0, string what = "prctl") =>
        Check(Libc.prctl(option, a2, a3, a4, a5), what, null);

    public static int TryPrctl(int option, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0) =>
        Libc.prctl(option, a2, a3, a4, a5) < 0 ? -Errno : 0;

    public static (int, int) SocketPair(int type = 5 /* SOCK_SEQPACKET */)
    {
        int* sv = stackalloc int[2];
        Check(Libc.socketpair(1 /* AF_UNIX */, type | 0x80000 /* SOCK_CLOEXEC */, 0, sv), "socketpair", null);
        return (sv[0], sv[1]);
    }

    public static (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        Check(Libc.pipe2(fds, O.CLOEXEC), "pipe2", null);
        return (fds[0], fds[1]);
    }

    public static int Kill(int pid, int sig) => Libc.kill(pid, sig) < 0 ? Errno : 0;

    /// <summary>waitpid; returns (pid, status) or (-errno, 0). Retries EINTR.</summary>
    public static (int Pid, int Status) WaitPid(int pid, int options = 0)
    {
        int status;
        while (true)
        {
            int rc = Libc.waitpid(pid, &status, options);
            if (rc >= 0) return (rc, status);
            if (Errno != Linux.Errno.EINTR) return (-Errno, 0);
        }
    }

    /// <summary>Shell-style exit code: the exit status, or 128+N when killed by signal N.</summary>
    public static int ExitCode(int status) => (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);

    public static void Unshare(long flags) => Check(Libc.unshare((int)flags), "unshare", null);
    public static void Setns(int fd, long nstype, string display) => Check(Libc.setns(fd, (int)nstype), "setns", display);

    public static int Flock(int fd, int op) => Libc.flock(fd, op) < 0 ? Errno : 0;

    public static int Ioctl(int fd, ulong req, void* arg) => Libc.ioctl(fd, req, arg) < 0 ? Errno : 0;

    public static void SetCloexec(int fd, bool on)
    {
        int flags = Libc.fcntl(fd, 1 /* F_GETFD */, 0);
        if (flags < 0) throw SyscallException.Last("fcntl", $"fd {fd}");
        flags = on ? flags | 1 : flags & ~1;
        Check(Libc.fcntl(fd, 2 /* F_SETFD */, flags), "fcntl", $"fd {fd}");
    }

    public static int Fcntl(int fd, int cmd, long arg) => Libc.fcntl(fd, cmd, arg);

    public static int Dup3(int oldFd, int newFd, int flags) =>
        Check(Libc.dup3(oldFd, newFd, flags), "dup3", $"fd {oldFd}");

    public static int Setsid() => Check(Libc.setsid(), "setsid", null);

    public static int MemfdCreate(string name, uint flags) => Check(Libc.memfd_create(name, flags), "memfd_create", name);

    public static long Sendfile(int outFd, int inFd, long count)
    {
        long rc = Libc.sendfile(outFd, inFd, null, (nint)count);
        return rc < 0 ? throw SyscallException.Last("sendfile") : rc;
    }

    public static void SetRlimit(int resource, ulong soft, ulong hard, string name)
    {
        ulong* lim = stackalloc ulong[2];
        lim[0] = soft; lim[1] = hard;
        Check(Libc.prlimit(0, resource, lim, null), "setrlimit", name);
    }

    public static uint Geteuid() => Libc.geteuid();
    public static uint Getegid() => Libc.getegid();
    public static int Getpid() => Libc.getpid();

    public static int Poll(Span<PollFd> fds, int timeoutMs)
    {
        fixed (PollFd* p = fds)
        {
            int rc = Libc.poll(p, (ulong)fds.Length, timeoutMs);
            return rc < 0 ? (Errno == Linux.Errno.EINTR ? 0 : throw SyscallException.Last("poll")) : rc;
        }
    }

    public static int UnlinkAt(int dirfd, string path, int flags) => Libc.unlinkat(dirfd, path, flags) < 0 ? Errno : 0;

    public static Stat Fstat(int fd, string display)
    {
        Stat st;
        Check(Libc.fstat(fd, &st), "fstat", display);
        return st;
    }

    /// <summary>lstat-like (or stat when follow); returns false with errno on failure.</summary>
    public static bool TryStat(string path, out Stat st, bool follow = true)
    {
        Stat s;
        int rc = Libc.fstatat(AT.FDCWD, path, &s, follow ? 0 : AT.SYMLINK_NOFOLLOW);
        st = s;
        return rc == 0;
    }

    public static int PidfdOpen(int pid) => (int)Libc.syscall(SysNr.pidfd_open, pid, 0, 0, 0, 0, 0);

    public static void CloseRangeCloexec(uint first) =>
        Libc.syscall(SysNr.close_range, first, uint.MaxValue, 4 /* CLOSE_RANGE_CLOEXEC */, 0, 0, 0);

    /// <summary>keyctl(KEYCTL_JOIN_SESSION_KEYRING): a fresh session keyring, so containers share none.</summary>
    public static int TryJoinSessionKeyring(string name)
    {
        var b = Utf8Z(name);
        fixed (byte* p = b)
            return Libc.syscall(SysNr.keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, (long)p, 0, 0, 0, 0) < 0 ? Errno : 0;
    }

    public static byte[] Utf8Z(string s)
    {
        var b = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, b);
        return b;
    }
}
