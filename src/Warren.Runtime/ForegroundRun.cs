using System.Runtime.InteropServices;
using Warren.Linux;

namespace Warren.Runtime;

/// <summary>
/// A foreground `run`: create + start, forward signals to the container, proxy its terminal in raw
/// mode, and return its exit code (128+N for signal N). The container is deleted afterwards unless kept.
/// </summary>
public static class ForegroundRun
{
    private const int PR_SET_CHILD_SUBREAPER = 36;
    private static readonly int[] Forwarded = { Sig.HUP, Sig.INT, Sig.QUIT, Sig.USR1, Sig.USR2, Sig.ALRM, Sig.TERM, Sig.WINCH };

    public static int Run(ContainerStore store, CreateOptions o, bool keep)
    {
        // Orphans of the container (and an init behind an extra fork) are reparented to us: we reap them.
        Sys.Prctl(PR_SET_CHILD_SUBREAPER, 1, what: "prctl(PR_SET_CHILD_SUBREAPER)");
        var created = ContainerCreator.Create(store, o);
        var container = new Container(store, created.Record);
        int pid = created.Record.Pid;
        int master = created.PtyMaster;
        var registrations = new List<PosixSignalRegistration>();
        TtyProxy? proxy = null;
        try
        {
            foreach (var sig in Forwarded)
            {
                registrations.Add(PosixSignalRegistration.Create((PosixSignal)sig, ctx =>
                {
                    ctx.Cancel = true;
                    if (sig == Sig.WINCH && master >= 0) TtyProxy.CopyWindowSize(0, master);
                    else if (sig != Sig.WINCH) Sys.Kill(pid, sig);
                }));
            }
            if (master >= 0) proxy = TtyProxy.Start(master);
            using (store.LockContainer(o.Id)) container.Start();
            DebugTrace.Mark("run: started");
            int code = WaitFor(pid);
            DebugTrace.Mark("run: container exited");
            proxy?.Finish();
            return code;
        }
        finally
        {
            foreach (var r in registrations) r.Dispose();
            proxy?.Restore();
            if (!keep) container.Delete(force: true);
            DebugTrace.Mark("run: deleted");
        }
    }

    private static int WaitFor(int pid)
    {
        while (true)
        {
            var (reaped, status) = Sys.WaitPid(-1, 0x40000000 /* __WALL */);
            if (reaped == pid) return Sys.ExitCode(status);
            if (reaped == -Errno.ECHILD) return 255; // not ours to wait for: cannot happen as subreaper
        }
    }
}
