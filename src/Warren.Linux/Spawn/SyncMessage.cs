namespace Warren.Linux.Spawn;

/// <summary>
/// Fixed 12-byte frames on the sync socket: kind, a, b (little-endian int32). The first stage can only
/// send these (it may not allocate); the init stage sends kind <see cref="Payload"/> followed by a bytes of JSON.
/// </summary>
public static class SyncMessage
{
    public const int Size = 12;
    public const int NeedMaps = 1;   // child unshared a user namespace: write its uid/gid maps
    public const int ChildPid = 2;   // a = pid of the process that will exec (after the extra fork)
    public const int Failed = 3;     // a = stage, b = errno
    public const int Payload = 4;    // a = length of the JSON payload that follows
    public const int Alive = 5;      // the child's first act: it got past the runtime's GC poll after clone

    public static string StageName(int stage) => stage switch
    {
        1 => "waiting for the parent",
        2 => "setns",
        3 => "unshare",
        4 => "writing timens_offsets",
        5 => "setresgid/setresuid",
        6 => "fork",
        7 => "execveat of the init stage",
        8 => "clearing close-on-exec on inherited fds",
        9 => "joining its cgroups",
        _ => $"stage {stage}",
    };
}
