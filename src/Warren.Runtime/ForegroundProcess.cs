using System.Runtime.InteropServices;
using Warren.Linux;

namespace Warren.Runtime;

/// <summary>
/// Waits for a container process in the foreground (run, exec): forwards signals to it, proxies its
/// terminal in raw mode, and returns its exit code (128+N for signal N). The process must be our child.
/// </summary>
public sealed class ForegroundProcess : IDisposable
{
    private static readonly int[] Forwarded = { Sig.HUP, Sig.INT, Sig.QUIT, Sig.USR1, Sig.USR2, Sig.ALRM, Sig.TERM, Sig.WINCH };
    private readonly List<PosixSignalRegistration> _registrations = new();
    private readonly TtyProxy? _proxy;
    private int _pid;

    /// <summary>Starts forwarding and proxying; <paramref name="pid"/> may be set later (0 until known).</summary>
    public ForegroundProcess(int ptyMaster, int pid = 0)
    {
        _pid = pid;
        foreach (var sig in Forwarded)
        {
            _registrations.Add(PosixSignalRegistration.Create((PosixSignal)sig, ctx =>
            {
                ctx.Cancel = true;
                if (sig == Sig.WINCH) { if (ptyMaster >= 0) TtyProxy.CopyWindowSize(0, ptyMaster); }
                else if (Volatile.Read(ref _pid) > 0) Sys.Kill(_pid, sig);
            }));
        }
        if (ptyMaster >= 0) _proxy = TtyProxy.Start(ptyMaster);
    }

    public int Pid { set => Volatile.Write(ref _pid, value); }

    /// <summary>Reaps children until <paramref name="pid"/> exits; returns its shell-style exit code.</summary>
    public int Wait(int pid)
    {
        Pid = pid;
        while (true)
        {
            var (reaped, status) = Sys.WaitPid(-1, 0x40000000 /* __WALL */);
            if (reaped == pid)
            {
                _proxy?.Finish();
                return Sys.ExitCode(status);
            }
            if (reaped == -Errno.ECHILD) return 255; // not our child: cannot happen (CLONE_PARENT, subreaper)
        }
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _proxy?.Restore();
    }
}
