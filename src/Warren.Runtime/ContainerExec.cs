using System.Text.Json;
using Warren.Cgroups;
using Warren.Linux;
using Warren.Linux.Spawn;
using Warren.Oci;

namespace Warren.Runtime;

/// <summary>
/// `exec` (DESIGN 3.5): the first stage joins the user, pid, time, ipc, uts, net and cgroup namespaces of
/// the container's init and its cgroups; the exec stage joins the mount namespace from its main thread and
/// execs the command.
/// </summary>
public static class ContainerExec
{
    private static readonly (string Type, string Proc)[] NamespaceFiles =
    {
        ("user", "user"), ("pid", "pid"), ("time", "time"), ("ipc", "ipc"), ("uts", "uts"), ("network", "net"),
        ("cgroup", "cgroup"),
    };

    /// <summary>Starts the process; foreground returns its exit code, detached returns 0 once it runs.</summary>
    public static int Exec(ContainerStore store, ExecOptions o)
    {
        var container = Container.Load(store, o.Id);
        string status = container.Status;
        if (status == ContainerStatus.Stopped)
            throw new RuntimeException($"cannot exec in container \"{o.Id}\": it is stopped");
        if (status == "paused" && !o.IgnorePaused)
            throw new RuntimeException($"cannot exec in container \"{o.Id}\": it is paused (use --ignore-paused)");
        Spec spec;
        try { spec = SpecLoader.Parse(container.Record.ConfigJson, "config.json (of the container)"); }
        catch (OciException e) { throw new RuntimeException(e.Message, e); }
        var process = ExecProcessBuilder.Build(spec, o);
        if (process.Terminal == true && o.Detach && o.ConsoleSocket is null)
            throw new RuntimeException("exec: --tty with --detach needs --console-socket");
        if (process.Terminal != true && o.ConsoleSocket is not null)
            throw new RuntimeException("exec: --console-socket needs --tty");
        Security.ProcessAttributes.Validate(spec, process);
        var final = Security.FinalStepsPlan.Make(spec, process, o.PreserveFds, withMounts: false);

        int initPid = container.Record.Pid;
        var types = (spec.Linux?.Namespaces ?? new()).Select(n => n.Type).ToHashSet();
        var joins = NamespaceFiles.Where(n => types.Contains(n.Type))
            .Select(n => new NamespaceJoin(NamespacePlan.Flag(n.Type), $"/proc/{initPid}/ns/{n.Proc}")).ToList();
        var cgroups = CgroupsFor(container, o.SubCgroup);

        int mntFd = Sys.Open($"/proc/{initPid}/ns/mnt", O.RDONLY);
        int listenerFd = Security.FinalStepsPlan.ConnectListener(final, spec, o.Id, container.Record.Bundle);
        bool foreground = !o.Detach;
        if (foreground) Sys.Prctl(36 /* PR_SET_CHILD_SUBREAPER */, 1, what: "prctl(PR_SET_CHILD_SUBREAPER)");
        SyncChannel chan;
        int firstPid;
        try
        {
            var request = new ExecRequest
            {
                ProcessJson = OciJson.Serialize(process), MountNsFd = mntFd, Debug = DebugTrace.Enabled, Final = final,
            };
            (chan, firstPid) = StageLauncher.Launch(new StageLauncher.Plan("exec-init", 0, joins, null, cgroups, spec,
                listenerFd >= 0 ? new[] { mntFd, listenerFd } : new[] { mntFd },
                JsonSerializer.Serialize(request, ExecJsonContext.Default.ExecRequest)));
        }
        finally
        {
            Sys.Close(mntFd);
            Sys.Close(listenerFd);
        }

        int pid = firstPid, master = -1;
        using (chan)
        {
            try
            {
                (pid, master) = Converse(chan, firstPid, process.Terminal == true ? o.ConsoleSocket : null, foreground);
            }
            catch
            {
                Sys.Kill(pid, Sig.KILL);
                Sys.WaitPid(firstPid, 0x40000000);
                if (pid != firstPid) Sys.WaitPid(pid, 0x40000000);
                throw;
            }
        }
        if (o.PidFile is not null) PidFile.Write(o.PidFile, pid);
        if (!foreground) return 0;
        using var fg = new ForegroundProcess(master, pid);
        return fg.Wait(pid);
    }

    private static CgroupSet CgroupsFor(Container c, string? sub)
    {
        if (string.IsNullOrEmpty(sub)) return c.Cgroups;
        var rel = sub.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (rel.Contains("..")) throw new RuntimeException($"--cgroup \"{sub}\" must not contain \"..\"");
        var paths = c.Record.CgroupPaths.ToDictionary(kv => kv.Key, kv => Path.Combine(new[] { kv.Value }.Concat(rel).ToArray()));
        foreach (var dir in paths.Values)
            if (!Directory.Exists(dir)) throw new RuntimeException($"--cgroup \"{sub}\": {dir} does not exist");
        return new CgroupSet(paths);
    }

    /// <summary>Drives the exec stage until it execs (EOF on the sync socket); returns (pid, pty master).</summary>
    private static (int Pid, int Master) Converse(SyncChannel chan, int firstPid, string? consoleSocket, bool foreground)
    {
        int pid = firstPid, master = -1;
        bool execing = false;
        while (true)
        {
            var e = StageEvents.Next(chan, "exec");
            switch (e.Kind)
            {
                case StageEventKind.Closed:
                    // After "execing", EOF is the close-on-exec of a successful execve; before it, a crash.
                    if (execing) return (pid, master);
                    throw new RuntimeException("exec: the exec stage exited before running the command");
                case StageEventKind.ChildPid:
                    pid = e.Value;
                    Sys.WaitPid(firstPid);
                    break;
                case StageEventKind.Pty when foreground:
                    master = e.Value;
                    break;
                case StageEventKind.Pty:
                    ConsoleSocket.Send(consoleSocket!, e.Value);
                    break;
                case StageEventKind.Reply when e.Reply!.Kind == "execing":
                    execing = true;
                    break;
            }
        }
    }
}
