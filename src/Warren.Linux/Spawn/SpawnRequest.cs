namespace Warren.Linux.Spawn;

/// <summary>A namespace to join by path (setns) in the first stage.</summary>
public readonly record struct NamespaceJoin(long Type, string Path);

/// <summary>What the first-stage child should do between clone and execveat.</summary>
public sealed class SpawnRequest
{
    /// <summary>CLONE_NEW* flags for namespaces to create (CLONE_NEWTIME included; it is always unshared).</summary>
    public long NewNamespaces { get; init; }
    /// <summary>Namespaces to join by path; a user namespace is joined first.</summary>
    public IReadOnlyList<NamespaceJoin> Joins { get; init; } = Array.Empty<NamespaceJoin>();
    /// <summary>"monotonic S N\nboottime S N\n" for a new time namespace, or null.</summary>
    public string? TimeOffsets { get; init; }
    /// <summary>fd of the binary to execute (kept open by the caller).</summary>
    public int ExecFd { get; init; }
    public IReadOnlyList<string> Argv { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Env { get; init; } = Array.Empty<string>();
    /// <summary>The child's end of the sync socket; the child clears its close-on-exec flag.</summary>
    public int ChildSyncFd { get; init; }
    /// <summary>The parent's end: Spawn waits on it for the child's first frame (see Spawner.AwaitAlive).</summary>
    public int ParentSyncFd { get; init; } = -1;
    /// <summary>
    /// cgroup v1 `tasks` files the child writes "0" to right after the go-ahead. Moving only the calling
    /// thread skips the kernel's global threadgroup lock (and its RCU grace period, 6-20 ms measured here),
    /// which a parent writing the pid to cgroup.procs pays.
    /// </summary>
    public IReadOnlyList<string> CgroupTaskFiles { get; init; } = Array.Empty<string>();
    /// <summary>More fds the init stage inherits (the child clears their close-on-exec flag).</summary>
    public IReadOnlyList<int> InheritFds { get; init; } = Array.Empty<int>();
    /// <summary>A cgroup2 directory fd for clone3(CLONE_INTO_CGROUP), or -1.</summary>
    public int CgroupFd { get; init; } = -1;
}

/// <summary>The first stage's pid, and whether clone3 already placed it in <see cref="SpawnRequest.CgroupFd"/>.</summary>
public readonly record struct SpawnResult(int Pid, bool InCgroup);
