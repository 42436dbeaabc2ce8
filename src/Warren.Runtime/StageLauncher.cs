using Warren.Cgroups;
using Warren.Linux;
using Warren.Linux.Spawn;
using Warren.Oci;
using Warren.Runtime.Init;

namespace Warren.Runtime;

/// <summary>
/// Starts warren's own binary as a container stage (`init` for create, `exec-init` for exec): protected
/// executable, sync socket, first-stage clone into the given namespaces and cgroups, then the go-ahead.
/// </summary>
internal static class StageLauncher
{
    /// <param name="RequestJson">The stage's instructions. Sent right behind the go-ahead byte so the stage finds
    /// them when it starts (no round trip), unless the child first asks for uid/gid maps: then the caller
    /// sends them after the second go-ahead.</param>
    public sealed record Plan(string Stage, long NewNamespaces, IReadOnlyList<NamespaceJoin> Joins, string? TimeOffsets,
        CgroupSet Cgroups, Spec Spec, IReadOnlyList<int> InheritFds, string RequestJson)
    {
        public bool ChildAsksForMaps => Spawner.ChildAsksForMaps(NewNamespaces, Joins);

        /// <summary>
        /// Puts the cloned first stage (pid) in its cgroups instead of warren doing it, before the go-ahead:
        /// the systemd driver, where systemd makes the scope around the process.
        /// </summary>
        public Action<int>? Place { get; init; }
    }

    /// <summary>
    /// Moves the first stage in. A normal user may only move a process between cgroups below one they own
    /// (the common ancestor): where that is not the case the process runs outside, with a warning, as runc does.
    /// </summary>
    private static void AddProcess(CgroupSet cgroups, int pid)
    {
        try { cgroups.AddProcess(pid); }
        catch (IOException e) when (Sys.Geteuid() != 0 && e.InnerException is UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warren: warning: {e.Message} (the process runs outside the container's cgroup)");
        }
    }

    /// <summary>Returns the parent's end of the sync socket and the first stage's pid.</summary>
    public static (SyncChannel Chan, int Pid) Launch(Plan plan)
    {
        var (parentEnd, childEnd) = Sys.SocketPair(1 /* SOCK_STREAM */);
        var chan = new SyncChannel(parentEnd);
        bool userNs = (plan.NewNamespaces & CloneFlags.NEWUSER) != 0 || plan.Joins.Any(j => j.Type == CloneFlags.NEWUSER);
        // Root of the host: the child moves itself (v1 tasks "0"; cgroup2 through CLONE_INTO_CGROUP), which
        // skips the kernel's RCU-synchronised global lock. In a user namespace it lacks the right to.
        bool childJoinsCgroups = !userNs && plan.Place is null;
        int cgroupFd = -1, exe = -1;
        SpawnResult spawned;
        try
        {
            if (childJoinsCgroups && plan.Cgroups.UnifiedDir is { } unified) cgroupFd = Sys.Open(unified, O.PATH | O.DIRECTORY);
            exe = ProtectedExe.Create();
            DebugTrace.Mark($"{plan.Stage}: protected exe ready");
            spawned = Spawner.Spawn(new SpawnRequest
            {
                NewNamespaces = plan.NewNamespaces,
                Joins = plan.Joins,
                TimeOffsets = plan.TimeOffsets,
                ExecFd = exe,
                ChildSyncFd = childEnd,
                ParentSyncFd = parentEnd,
                Argv = new[] { "warren", plan.Stage },
                Env = new[] { $"{InitStage.SyncFdVariable}={childEnd}" },
                CgroupTaskFiles = childJoinsCgroups ? plan.Cgroups.V1TaskFiles : Array.Empty<string>(),
                CgroupFd = cgroupFd,
                InheritFds = plan.InheritFds,
            });
        }
        catch
        {
            chan.Dispose();
            throw;
        }
        finally
        {
            Sys.Close(childEnd);
            Sys.Close(exe);
            Sys.Close(cgroupFd);
        }
        int pid = spawned.Pid;
        DebugTrace.Mark($"{plan.Stage}: cloned");
        try
        {
            bool clonedUserNs = (plan.NewNamespaces & CloneFlags.NEWUSER) != 0 && plan.Joins.Count == 0;
            if (clonedUserNs) NamespacePlan.WriteIdMaps(pid, plan.Spec);
            if (plan.Place is not null) plan.Place(pid);
            else if (!childJoinsCgroups) AddProcess(plan.Cgroups, pid);
            else if (!spawned.InCgroup && plan.Cgroups.UnifiedDir is not null) plan.Cgroups.AddProcess(pid, unifiedOnly: true);
            chan.SendGo();
            if (!plan.ChildAsksForMaps) chan.SendPayload(plan.RequestJson);
        }
        catch
        {
            Sys.Kill(pid, Sig.KILL);
            Sys.WaitPid(pid, 0x40000000);
            chan.Dispose();
            throw;
        }
        DebugTrace.Mark($"{plan.Stage}: in cgroups (or joining them), go sent");
        return (chan, pid);
    }
}
