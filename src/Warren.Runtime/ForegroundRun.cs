using Warren.Linux;

namespace Warren.Runtime;

/// <summary>A foreground `run`: create + start, wait in the foreground, delete unless kept.</summary>
public static class ForegroundRun
{
    private const int PR_SET_CHILD_SUBREAPER = 36;

    public static int Run(ContainerStore store, CreateOptions o, bool keep)
    {
        // Orphans of a container without a PID namespace of its own are reparented to us: we reap them.
        Sys.Prctl(PR_SET_CHILD_SUBREAPER, 1, what: "prctl(PR_SET_CHILD_SUBREAPER)");
        var created = ContainerCreator.Create(store, o);
        var container = new Container(store, created.Record);
        try
        {
            using var fg = new ForegroundProcess(created.PtyMaster, created.Record.Pid);
            using (store.LockContainer(o.Id)) container.Start();
            DebugTrace.Mark("run: started");
            int code = fg.Wait(created.Record.Pid);
            DebugTrace.Mark("run: container exited");
            return code;
        }
        finally
        {
            if (!keep) container.Delete(force: true);
            DebugTrace.Mark("run: deleted");
        }
    }
}
