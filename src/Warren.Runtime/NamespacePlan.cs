using Warren.Linux;
using Warren.Linux.Spawn;
using Warren.Oci;

namespace Warren.Runtime;

/// <summary>Turns linux.namespaces and linux.timeOffsets into clone flags, setns joins and timens offsets.</summary>
public static class NamespacePlan
{
    /// <summary>Every namespace type warren creates or joins (reported by `features`).</summary>
    public static readonly string[] Types = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts" };

    public static long Flag(string type) => type switch
    {
        "pid" => CloneFlags.NEWPID, "network" => CloneFlags.NEWNET, "mount" => CloneFlags.NEWNS,
        "ipc" => CloneFlags.NEWIPC, "uts" => CloneFlags.NEWUTS, "user" => CloneFlags.NEWUSER,
        "cgroup" => CloneFlags.NEWCGROUP, "time" => CloneFlags.NEWTIME,
        _ => throw new RuntimeException($"linux.namespaces: unknown namespace type \"{type}\""),
    };

    public static long NewFlags(Spec spec) =>
        (spec.Linux?.Namespaces ?? new()).Where(n => string.IsNullOrEmpty(n.Path)).Aggregate(0L, (f, n) => f | Flag(n.Type!));

    public static List<NamespaceJoin> Joins(Spec spec)
    {
        var joins = new List<NamespaceJoin>();
        foreach (var (n, i) in (spec.Linux?.Namespaces ?? new()).Select((n, i) => (n, i)))
        {
            if (string.IsNullOrEmpty(n.Path)) continue;
            if (!File.Exists(n.Path))
                throw new RuntimeException($"linux.namespaces[{i}].path: {n.Path} does not exist");
            joins.Add(new NamespaceJoin(Flag(n.Type!), n.Path));
        }
        return joins;
    }

    public static string? TimeOffsets(Spec spec)
    {
        var offsets = spec.Linux?.TimeOffsets;
        if (offsets is null || offsets.Count == 0) return null;
        return string.Concat(offsets.Select(kv => $"{kv.Key} {kv.Value.Secs} {kv.Value.Nanosecs}\n"));
    }

    /// <summary>The host uid and gid that the container's root maps to (0, 0 without a user namespace).</summary>
    public static (uint Uid, uint Gid) HostRoot(Spec spec)
    {
        static uint Map(List<IdMapping>? maps) =>
            maps?.FirstOrDefault(m => m.ContainerId == 0 && m.Size > 0)?.HostId ?? 0;
        return (Map(spec.Linux?.UidMappings), Map(spec.Linux?.GidMappings));
    }

    /// <summary>Writes uid_map and gid_map of a child that has a new user namespace.</summary>
    public static void WriteIdMaps(int pid, Spec spec)
    {
        static string Lines(List<IdMapping>? maps) =>
            string.Concat((maps ?? new()).Select(m => $"{m.ContainerId} {m.HostId} {m.Size}\n"));
        var linux = spec.Linux;
        // An unprivileged writer may map gids only once setgroups is denied (user_namespaces(7)).
        if (Sys.Geteuid() != 0 && linux?.GidMappings is { Count: > 0 }) WriteMap($"/proc/{pid}/setgroups", "deny", "linux.gidMappings");
        if (linux?.UidMappings is { Count: > 0 }) WriteMap($"/proc/{pid}/uid_map", Lines(linux.UidMappings), "linux.uidMappings");
        if (linux?.GidMappings is { Count: > 0 }) WriteMap($"/proc/{pid}/gid_map", Lines(linux.GidMappings), "linux.gidMappings");
    }

    private static void WriteMap(string path, string content, string field)
    {
        try { Sys.WriteFile(path, content); }
        catch (SyscallException e) { throw new RuntimeException($"{field}: writing {path}: {e.Message}", e); }
    }
}
