using System.Text.Json;
using Warren.Linux;
using OciProcess = Warren.Oci.Process;

namespace Warren.Runtime.Init;

/// <summary>
/// process.terminal: a pty created inside the container (its own devpts), the slave as the controlling
/// terminal and stdio, /dev/console bound to it, and the master handed to the parent over the sync socket.
/// </summary>
internal static class ConsoleSetup
{
    /// <param name="bindConsole">Bind the slave on /dev/console (the container's init; not for exec).</param>
    public static void Attach(SyncChannel chan, OciProcess p, bool bindConsole = true)
    {
        var (master, slavePath) = Pty.Open("/dev/ptmx");
        var user = p.User;
        if (NativeFs.Chown(slavePath, user?.Uid ?? 0, user?.Gid ?? 0) != 0)
            throw new SyscallException("chown", slavePath, Sys.Errno);
        if (p.ConsoleSize is { } size) Pty.SetWindowSize(master, (ushort)size.Height, (ushort)size.Width);
        if (bindConsole) BindConsole(slavePath);

        chan.SendPayload(JsonSerializer.Serialize(new InitReply { Kind = "pty" }, RuntimeJsonContext.Default.InitReply));
        Pty.SendFd(chan.Fd, master, "x");
        Sys.Close(master);

        int slave = Sys.Open(slavePath, O.RDWR);
        Pty.SetControllingTerminal(slave);
        for (int fd = 0; fd < 3; fd++) Sys.Dup3(slave, fd, 0);
        if (slave > 2) Sys.Close(slave);
    }

    private static void BindConsole(string slavePath)
    {
        using var root = new InRoot("/");
        // CVE-2025-52565: an image may ship /dev/console as a symlink (to a procfs file, say); binding the
        // pty "onto" it would follow the link. Only a regular file or a character device is used, else replaced.
        int existing = Sys.TryOpenAt2(root.RootFd, "dev/console", O.PATH | O.NOFOLLOW, Resolve.IN_ROOT | Resolve.NO_SYMLINKS);
        if (existing == -Errno.ELOOP || (existing >= 0 && Sys.Fstat(existing, "/dev/console").Type is not (Stat.S_IFREG or Stat.S_IFCHR)))
        {
            var (dir, name) = root.OpenParent("/dev/console");
            try
            {
                int err = Sys.UnlinkAt(dir, name, 0);
                if (err != 0) throw new SyscallException("unlink", "/dev/console (not a file or device)", err);
            }
            finally { Sys.Close(dir); }
        }
        Sys.Close(existing);
        root.Ensure("/dev/console", dir: false);
        int fd = Sys.OpenAt2(root.RootFd, "dev/console", O.PATH | O.NOFOLLOW, Resolve.IN_ROOT | Resolve.NO_SYMLINKS);
        try { Sys.MountAt(slavePath, fd, "/dev/console", null, MS.BIND); }
        finally { Sys.Close(fd); }
    }
}
