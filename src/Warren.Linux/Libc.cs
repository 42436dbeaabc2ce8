using System.Runtime.InteropServices;

namespace Warren.Linux;

/// <summary>
/// Raw libc entry points. Everything here returns the C result; callers in <see cref="Sys"/> turn
/// failures into <see cref="SyscallException"/>s. Nothing outside Warren.Linux calls libc directly.
/// </summary>
internal static unsafe partial class Libc
{
    internal const string Name = "libc.so.6";

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    internal static partial long syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags, uint mode);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int openat(int dirfd, string path, int flags, uint mode);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial nint read(int fd, byte* buf, nint count);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial nint write(int fd, byte* buf, nint count);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mount(string? source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int umount2(string target, int flags);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mkdirat(int dirfd, string path, uint mode);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mknodat(int dirfd, string path, uint mode, ulong dev);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int symlinkat(string target, int dirfd, string linkpath);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mkfifo(string path, uint mode);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int setxattr(string path, string name, byte* value, nint size, int flags);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int chdir(string path);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int fchdir(int fd);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int chroot(string path);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int sethostname(byte* name, nint len);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int setdomainname(byte* name, nint len);

    [LibraryImport(Name)]
    internal static partial uint umask(uint mask);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int setgroups(nint size, uint* list);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int setresuid(uint r, uint e, uint s);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int setresgid(uint r, uint e, uint s);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int prctl(int option, ulong a2, ulong a3, ulong a4, ulong a5);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int socketpair(int domain, int type, int protocol, int* sv);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int connect(int fd, byte* addr, int len);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int bind(int fd, byte* addr, int len);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int listen(int fd, int backlog);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int accept4(int fd, byte* addr, int* len, int flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial nint sendmsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial nint recvmsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int kill(int pid, int sig);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int unshare(int flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int setns(int fd, int nstype);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int execve(byte* path, byte** argv, byte** envp);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int flock(int fd, int op);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int ioctl(int fd, ulong request, void* arg);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int fcntl(int fd, int cmd, long arg);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int dup3(int oldfd, int newfd, int flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int setsid();

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int memfd_create(string name, uint flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial nint sendfile(int outFd, int inFd, long* offset, nint count);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int prlimit(int pid, int resource, ulong* newLimit, ulong* oldLimit);

    [LibraryImport(Name)]
    internal static partial uint geteuid();

    [LibraryImport(Name)]
    internal static partial uint getegid();

    [LibraryImport(Name)]
    internal static partial int getpid();

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int tcgetattr(int fd, byte* termios);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int tcsetattr(int fd, int actions, byte* termios);

    [LibraryImport(Name)]
    internal static partial void cfmakeraw(byte* termios);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int poll(PollFd* fds, ulong nfds, int timeout);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int unlinkat(int dirfd, string path, int flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int fstat(int fd, Stat* st);

    [LibraryImport(Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int fstatat(int dirfd, string path, Stat* st, int flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int pipe2(int* fds, int flags);

    [LibraryImport(Name, SetLastError = true)]
    internal static partial int pthread_sigmask(int how, ulong* set, ulong* old);
}

[StructLayout(LayoutKind.Sequential)]
public struct PollFd
{
    public int Fd;
    public short Events;
    public short REvents;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public void* Base;
    public nint Len;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MsgHdr
{
    public void* Name;
    public int NameLen;
    public IoVec* Iov;
    public nint IovLen;
    public void* Control;
    public nint ControlLen;
    public int Flags;
}

/// <summary>x86_64 struct stat (glibc layout).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Stat
{
    public ulong Dev;
    public ulong Ino;
    public ulong NLink;
    public uint Mode;
    public uint Uid;
    public uint Gid;
    public int Pad0;
    public ulong RDev;
    public long Size;
    public long BlkSize;
    public long Blocks;
    public long ATime, ATimeNs, MTime, MTimeNs, CTime, CTimeNs;
    private long r0, r1, r2;

    public const uint S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFBLK = 0x6000, S_IFREG = 0x8000,
        S_IFLNK = 0xA000, S_IFIFO = 0x1000, S_IFSOCK = 0xC000;

    public readonly uint Type => Mode & S_IFMT;
    public readonly bool IsDirectory => Type == S_IFDIR;
    public readonly uint Major => (uint)(((RDev >> 32) & 0xfffff000) | ((RDev >> 8) & 0xfff));
    public readonly uint Minor => (uint)(((RDev >> 12) & 0xffffff00) | (RDev & 0xff));
}
