using Warren.Linux;

namespace Warren.Runtime;

/// <summary>Copies stdin to a pty master and the master to stdout, with the local terminal in raw mode.</summary>
public sealed class TtyProxy
{
    private readonly int _master;
    private readonly byte[]? _savedMode;
    private readonly Thread _output;

    private TtyProxy(int master)
    {
        _master = master;
        _savedMode = Pty.MakeRaw(0);
        CopyWindowSize(0, master);
        _output = new Thread(() => Pump(master, 1)) { IsBackground = true, Name = "pty-out" };
        _output.Start();
        new Thread(() => Pump(0, master)) { IsBackground = true, Name = "pty-in" }.Start();
    }

    public static TtyProxy Start(int master) => new(master);

    public static void CopyWindowSize(int from, int to)
    {
        if (Pty.TryGetWindowSize(from, out var rows, out var cols)) Pty.SetWindowSize(to, rows, cols);
    }

    private static void Pump(int from, int to)
    {
        var buf = new byte[32 * 1024];
        while (true)
        {
            int n = Sys.TryRead(from, buf);
            if (n == -Errno.EINTR || n == -Errno.EAGAIN) continue;
            if (n <= 0) return; // EOF, or EIO once the container's side of the pty is gone
            if (Sys.TryWrite(to, buf.AsSpan(0, n)) < 0) return;
        }
    }

    /// <summary>Waits (briefly) until the container's last output has been copied.</summary>
    public void Finish() => _output.Join(TimeSpan.FromSeconds(2));

    public void Restore()
    {
        if (_savedMode is not null) Pty.Restore(0, _savedMode);
        Sys.Close(_master);
    }
}
