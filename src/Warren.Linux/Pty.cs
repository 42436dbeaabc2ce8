using System.Runtime.InteropServices;

namespace Warren.Linux;

/// <summary>Pseudo-terminals, terminal modes and passing fds over unix sockets (SCM_RIGHTS).</summary>
public static unsafe class Pty
{
    private const ulong TIOCGPTN = 0x80045430, TIOCSPTLCK = 0x40045431, TIOCSCTTY = 0x540E, TIOCSWINSZ = 0x5414,
        TIOCGWINSZ = 0x5413;

    /// <summary>Opens a new pty pair through the given ptmx path; returns (master, slave path).</summary>
    public static (int Master, string SlavePath) Open(string ptmx = "/dev/ptmx")
    {
        int master = Sys.Open(ptmx, O.RDWR | O.NOCTTY);
        int unlock = 0, n = 0;
        if (Sys.Ioctl(master, TIOCSPTLCK, &unlock) != 0) throw SyscallException.Last("ioctl(TIOCSPTLCK)", ptmx);
        if (Sys.Ioctl(master, TIOCGPTN, &n) != 0) throw SyscallException.Last("ioctl(TIOCGPTN)", ptmx);
        return (master, $"/dev/pts/{n}");
    }

    public static void SetControllingTerminal(int fd)
    {
        if (Sys.Ioctl(fd, TIOCSCTTY, null) != 0) throw SyscallException.Last("ioctl(TIOCSCTTY)");
    }

    public static void SetWindowSize(int fd, ushort rows, ushort cols)
    {
        ushort* ws = stackalloc ushort[4];
        ws[0] = rows; ws[1] = cols; ws[2] = 0; ws[3] = 0;
        Sys.Ioctl(fd, TIOCSWINSZ, ws);
    }

    public static bool TryGetWindowSize(int fd, out ushort rows, out ushort cols)
    {
        ushort* ws = stackalloc ushort[4];
        rows = cols = 0;
        if (Sys.Ioctl(fd, TIOCGWINSZ, ws) != 0) return false;
        rows = ws[0]; cols = ws[1];
        return true;
    }

    /// <summary>Puts a terminal in raw mode; returns the saved mode to restore, or null if fd is no tty.</summary>
    public static byte[]? MakeRaw(int fd)
    {
        var saved = new byte[128];
        fixed (byte* s = saved)
        {
            if (Libc.tcgetattr(fd, s) != 0) return null;
            var raw = stackalloc byte[128];
            Buffer.MemoryCopy(s, raw, 128, 128);
            Libc.cfmakeraw(raw);
            Libc.tcsetattr(fd, 0, raw);
        }
        return saved;
    }

    public static void Restore(int fd, byte[] saved)
    {
        fixed (byte* s = saved) Libc.tcsetattr(fd, 0, s);
    }

    /// <summary>Sends one fd with a name as payload over a unix socket (runc's console-socket protocol).</summary>
    public static void SendFd(int sock, int fd, string name) =>
        SendFdWithPayload(sock, fd, System.Text.Encoding.UTF8.GetBytes(name));

    /// <summary>Receives one fd sent with <see cref="SendFd"/>.</summary>
    /// <param name="maxBytes">Payload bytes to consume; 1 on a stream that carries other frames after it.</param>
    public static int ReceiveFd(int sock, int maxBytes = 4096) => ReceiveFdWithPayload(sock, maxBytes).Fd;

    /// <summary>Sends one fd with an arbitrary payload (also the seccomp listener protocol: JSON state + the notify fd).</summary>
    public static void SendFdWithPayload(int sock, int fd, byte[] payload)
    {
        var control = stackalloc byte[24]; // cmsghdr (16) + one int, aligned to 24
        new Span<byte>(control, 24).Clear();
        *(long*)control = 20;              // cmsg_len = CMSG_LEN(sizeof(int))
        *(int*)(control + 8) = 1;          // SOL_SOCKET
        *(int*)(control + 12) = 1;         // SCM_RIGHTS
        *(int*)(control + 16) = fd;
        fixed (byte* pp = payload)
        {
            var iov = new IoVec { Base = pp, Len = payload.Length };
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 24 };
            if (Libc.sendmsg(sock, &msg, 0) < 0) throw SyscallException.Last("sendmsg", "unix socket");
        }
    }

    /// <summary>Receives one fd and (up to <paramref name="maxBytes"/> of) the payload that came with it.</summary>
    public static (int Fd, byte[] Payload) ReceiveFdWithPayload(int sock, int maxBytes = 65536)
    {
        var control = stackalloc byte[64];
        var buf = new byte[maxBytes];
        fixed (byte* pb = buf)
        {
            var iov = new IoVec { Base = pb, Len = buf.Length };
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 64 };
            nint n = Libc.recvmsg(sock, &msg, 0x40000000 /* MSG_CMSG_CLOEXEC */);
            if (n < 0) throw SyscallException.Last("recvmsg", "unix socket");
            if (msg.ControlLen < 20 || *(int*)(control + 12) != 1) throw new IOException("unix socket: no fd received");
            return (*(int*)(control + 16), buf.AsSpan(0, (int)n).ToArray());
        }
    }

    /// <summary>Connects a SOCK_STREAM unix socket to a path.</summary>
    public static int ConnectUnix(string path)
    {
        int fd = Libc.socket(1, 1 | 0x80000, 0);
        if (fd < 0) throw SyscallException.Last("socket", path);
        var addr = stackalloc byte[110];
        new Span<byte>(addr, 110).Clear();
        *(ushort*)addr = 1;
        var b = System.Text.Encoding.UTF8.GetBytes(path);
        if (b.Length > 107) { Sys.Close(fd); throw new ArgumentException($"console socket path too long: {path}"); }
        b.CopyTo(new Span<byte>(addr + 2, 107));
        if (Libc.connect(fd, addr, 110) < 0)
        {
            var e = SyscallException.Last("connect", path);
            Sys.Close(fd);
            throw e;
        }
        return fd;
    }
}
