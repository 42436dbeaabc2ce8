using Warren.Cgroups;
using Warren.Linux;
using Warren.Oci;

namespace Warren.Runtime;

/// <summary>Lifecycle operations on an existing container: status, start, kill, delete.</summary>
public sealed class Container
{
    public ContainerStore Store { get; }
    public ContainerRecord Record { get; }

    public Container(ContainerStore store, ContainerRecord record)
    {
        Store = store;
        Record = record;
    }

    public static Container Load(ContainerStore store, string id) => new(store, store.Load(id));

    public string Id => Record.Id;
    public CgroupSet Cgroups => new(Record.CgroupPaths);

    public string Status
    {
        get
        {
            if (!ProcessInfo.IsAlive(Record.Pid, Record.PidStartTime)) return ContainerStatus.Stopped;
            if (!Record.Started && File.Exists(Store.FifoPath(Id))) return ContainerStatus.Created;
            return Freezer.IsFrozen(Record) ? "paused" : ContainerStatus.Running;
        }
    }

    public State ToState()
    {
        string status = Status;
        return new State
        {
            OciVersion = Record.OciVersion,
            Id = Id,
            Status = status,
            Pid = status == ContainerStatus.Stopped ? 0 : Record.Pid,
            Bundle = Record.Bundle,
            Annotations = Record.Annotations,
        };
    }

    /// <summary>Releases the init stage from the exec fifo so it execs the user's program.</summary>
    public void Start()
    {
        string status = Status;
        if (status != ContainerStatus.Created)
            throw new RuntimeException($"cannot start container \"{Id}\": it is {status}, not created");
        string outcome = ReleaseInit();
        File.Delete(Store.FifoPath(Id));
        var spec = Spec;
        if (outcome != "0")
        {
            Sys.Kill(Record.Pid, Sig.KILL);
            throw new RuntimeException($"cannot start container \"{Id}\": {(outcome.Length > 1 ? outcome[1..] : "its init process exited")}");
        }
        Record.Started = true;
        Store.Save(Record);
        try
        {
            HookRunner.RunAll(spec?.Hooks, "poststart",
                HookRunner.StateJson(Id, ContainerStatus.Running, Record.Pid, Record.Bundle, Record.Annotations));
        }
        catch (RuntimeException)
        {
            // runtime-spec 1.3: a failing poststart hook is an error, and the container is stopped.
            Sys.Kill(Record.Pid, Sig.KILL);
            throw;
        }
    }

    /// <summary>Opens the exec fifo (the init is blocked opening its write end) and reads the outcome to EOF.</summary>
    private string ReleaseInit()
    {
        string fifo = Store.FifoPath(Id);
        int fd = Sys.TryOpen(fifo, O.RDONLY | O.NONBLOCK);
        if (fd < 0) throw new SyscallException("open", fifo, -fd);
        var got = new List<byte>();
        try
        {
            Span<byte> buf = stackalloc byte[4096];
            Span<PollFd> pfd = stackalloc PollFd[1];
            bool writerSeen = false;
            while (true)
            {
                pfd[0] = new PollFd { Fd = fd, Events = 1 /* POLLIN */ };
                if (Sys.Poll(pfd, 100) > 0)
                {
                    int n = Sys.TryRead(fd, buf);
                    if (n > 0) { got.AddRange(buf[..n].ToArray()); writerSeen = true; continue; }
                    if (n == 0 && writerSeen) break;           // EOF after the outcome
                    if (n == 0 && (pfd[0].REvents & 0x10) != 0) break; // POLLHUP: the writer came and went
                }
                if (!ProcessInfo.IsAlive(Record.Pid, Record.PidStartTime)) break;
            }
        }
        finally { Sys.Close(fd); }
        return System.Text.Encoding.UTF8.GetString(got.ToArray());
    }

    /// <summary>The container's config, as it was at create.</summary>
    public Spec? Spec
    {
        get
        {
            try { return string.IsNullOrEmpty(Record.ConfigJson) ? null : SpecLoader.Parse(Record.ConfigJson); }
            catch (OciException) { return null; }
        }
    }

    public void Kill(int signal, bool all)
    {
        string status = Status;
        if (status == ContainerStatus.Stopped && !all)
            throw new RuntimeException($"cannot kill container \"{Id}\": it is not running");
        if (all)
        {
            foreach (var pid in Cgroups.Pids()) Sys.Kill(pid, signal);
            return;
        }
        int err = Sys.Kill(Record.Pid, signal);
        if (err != 0) throw new SyscallException("kill", $"pid {Record.Pid}", err);
    }

    /// <summary>Removes a stopped (or, with force, any) container: processes, cgroups, state.</summary>
    public void Delete(bool force)
    {
        string status = Status;
        if (status is ContainerStatus.Running or "paused" && !force)
            throw new RuntimeException($"cannot delete container \"{Id}\" that is not stopped: {status} (use --force)");
        if (status != ContainerStatus.Stopped || Cgroups.Pids().Count > 0)
            KillAllAndWait();
        if (Record.SystemdUnit is { } unit)
        {
            // systemd removes the scope's cgroup with the unit; a failure to reach it must not strand the state.
            try { SystemdCgroups.Stop(unit); }
            catch (RuntimeException e) { Console.Error.WriteLine($"warren: warning: {e.Message}"); }
        }
        Cgroups.Destroy();
        var spec = Spec;
        if (HookRunner.Of(spec?.Hooks, "poststop").Count > 0)
            HookRunner.RunAllWarn(spec!.Hooks, "poststop", HookRunner.StateJson(Id, ContainerStatus.Stopped, 0, Record.Bundle, Record.Annotations));
        Store.Remove(Id);
    }

    private void KillAllAndWait()
    {
        Freezer.ThawQuietly(Record);
        // Without a PID namespace of its own the container's children outlive its init: kill them all.
        Sys.Kill(Record.Pid, Sig.KILL);
        foreach (var pid in Cgroups.Pids()) Sys.Kill(pid, Sig.KILL);
        for (int i = 0; i < 500; i++)
        {
            Sys.WaitPid(-1, 1 /* WNOHANG */);
            if (!ProcessInfo.IsAlive(Record.Pid, Record.PidStartTime) && Cgroups.Pids().All(p => !ProcessInfo.IsAlive(p, 0)))
                return;
            Thread.Sleep(10);
        }
    }
}

public static class ContainerViews
{
    public static StateView View(this Container c)
    {
        var s = c.ToState();
        return new StateView
        {
            OciVersion = s.OciVersion ?? "", Id = c.Id, Pid = s.Pid ?? 0, Status = s.Status ?? "", Bundle = c.Record.Bundle,
            Rootfs = c.Record.Rootfs, Created = c.Record.Created, Owner = c.Record.Owner, Annotations = c.Record.Annotations,
        };
    }
}
