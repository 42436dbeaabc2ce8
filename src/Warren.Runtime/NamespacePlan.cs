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
        uint euid = Sys.Geteuid(), egid = Sys.Getegid();
        if (euid != 0)
        {
            // Unprivileged: the kernel takes only "0 <own id> 1" from us; anything more (subuid/subgid
            // ranges) goes through the setuid newuidmap/newgidmap helpers, which check /etc/subuid and /etc/subgid.
            if (linux?.UidMappings is { Count: > 0 } um)
            {
                if (IsSelf(um, euid)) WriteMap($"/proc/{pid}/uid_map", Lines(um), "linux.uidMappings");
                else Helper("newuidmap", pid, um, "linux.uidMappings");
            }
            if (linux?.GidMappings is { Count: > 0 } gm)
            {
                if (IsSelf(gm, egid))
                {
                    WriteMap($"/proc/{pid}/setgroups", "deny", "linux.gidMappings"); // required before an unprivileged gid_map
                    WriteMap($"/proc/{pid}/gid_map", Lines(gm), "linux.gidMappings");
                }
                else Helper("newgidmap", pid, gm, "linux.gidMappings");
            }
            return;
        }
        if (linux?.UidMappings is { Count: > 0 }) WriteMap($"/proc/{pid}/uid_map", Lines(linux.UidMappings), "linux.uidMappings");
        if (linux?.GidMappings is { Count: > 0 }) WriteMap($"/proc/{pid}/gid_map", Lines(linux.GidMappings), "linux.gidMappings");
    }

    private static bool IsSelf(List<IdMapping> maps, uint id) => maps is [{ Size: 1 } m] && m.HostId == id;

    private static void Helper(string tool, int pid, List<IdMapping> maps, string field)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(tool) { RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(pid.ToString());
        foreach (var m in maps)
        {
            psi.ArgumentList.Add(m.ContainerId.ToString());
            psi.ArgumentList.Add(m.HostId.ToString());
            psi.ArgumentList.Add(m.Size.ToString());
        }
        System.Diagnostics.Process p;
        try { p = System.Diagnostics.Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new RuntimeException($"{field}: mapping more than your own id needs {tool} (Debian package uidmap), which is not installed");
        }
        using (p)
        {
            string err = p.StandardError.ReadToEnd().Trim();
            p.WaitForExit();
            if (p.ExitCode != 0)
                throw new RuntimeException($"{field}: {tool} refused the mapping (see /etc/subuid and /etc/subgid): {err.Replace('\n', ' ')}");
        }
    }

    private static void WriteMap(string path, string content, string field)
    {
        try { Sys.WriteFile(path, content); }
        catch (SyscallException e) { throw new RuntimeException($"{field}: writing {path}: {e.Message}", e); }
    }
}
