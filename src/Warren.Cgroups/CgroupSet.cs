using Warren.Linux;

namespace Warren.Cgroups;

/// <summary>
/// The cgroup directories of one container, one per hierarchy. Created before the container's first
/// stage runs its program, removed on delete; never left behind by a failed create.
/// </summary>
public sealed class CgroupSet
{
    /// <summary>Hierarchy key → absolute directory.</summary>
    public IReadOnlyDictionary<string, string> Paths { get; }

    public CgroupSet(IReadOnlyDictionary<string, string> paths) => Paths = paths;

    /// <summary>Maps runtime-spec cgroupsPath to a path below each hierarchy root (runc's cgroupfs rules).</summary>
    public static string Normalize(string? cgroupsPath, string id)
    {
        if (string.IsNullOrEmpty(cgroupsPath)) return "/" + id;
        if (cgroupsPath.Contains(':') && !cgroupsPath.StartsWith('/'))
            throw new ArgumentException($"linux.cgroupsPath \"{cgroupsPath}\" is in systemd slice:prefix:name form; that needs --systemd-cgroup");
        var parts = cgroupsPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p == ".."))
            throw new ArgumentException($"linux.cgroupsPath \"{cgroupsPath}\" must not contain \"..\"");
        return "/" + string.Join('/', parts);
    }

    /// <summary>Hierarchies left out because this (unprivileged) user may not create cgroups there.</summary>
    public IReadOnlyList<string> Denied { get; init; } = Array.Empty<string>();

    /// <summary>
    /// Creates the directories (and missing parents) on every hierarchy; removes what it made on failure.
    /// With <paramref name="skipDenied"/> (rootless), a hierarchy the user has no delegated part of is left out.
    /// </summary>
    public static CgroupSet Create(string relPath, IReadOnlyList<CgroupHierarchy>? hierarchies = null, bool skipDenied = false)
    {
        hierarchies ??= CgroupHost.Hierarchies();
        var paths = new Dictionary<string, string>();
        var made = new List<string>();
        var denied = new List<string>();
        try
        {
            foreach (var h in hierarchies)
            {
                string dir = h.MountPoint + relPath;
                try { MakeDirs(h, dir, made); }
                catch (IOException e) when (skipDenied && e.InnerException is UnauthorizedAccessException)
                {
                    denied.Add(h.Key);
                    continue;
                }
                paths[h.Key] = dir;
            }
        }
        catch
        {
            for (int i = made.Count - 1; i >= 0; i--) TryRmdir(made[i]);
            throw;
        }
        return new CgroupSet(paths) { Denied = denied };
    }

    private static void MakeDirs(CgroupHierarchy h, string dir, List<string> made)
    {
        var missing = new Stack<string>();
        for (var d = dir; d.Length > h.MountPoint.Length && !Directory.Exists(d); d = Path.GetDirectoryName(d)!)
            missing.Push(d);
        while (missing.Count > 0)
        {
            var d = missing.Pop();
            try { Directory.CreateDirectory(d); }
            catch (Exception e) { throw new IOException($"cgroup {d}: {e.Message}", e); }
            made.Add(d);
            if (!h.Unified && h.Controllers.Contains("cpuset")) InheritCpuset(d);
        }
    }

    /// <summary>A new v1 cpuset starts empty and refuses tasks: copy the parent's cpus and mems.</summary>
    private static void InheritCpuset(string dir)
    {
        string parent = Path.GetDirectoryName(dir)!;
        foreach (var f in new[] { "cpuset.cpus", "cpuset.mems" })
        {
            var mine = Path.Combine(dir, f);
            if (File.Exists(mine) && File.ReadAllText(mine).Trim().Length == 0)
                File.WriteAllText(mine, File.ReadAllText(Path.Combine(parent, f)).Trim());
        }
    }

    /// <summary>The v1 `tasks` files a single-threaded process writes "0" to, to move itself in.</summary>
    public IReadOnlyList<string> V1TaskFiles =>
        Paths.Where(kv => kv.Key != "unified").Select(kv => Path.Combine(kv.Value, "tasks")).ToList();

    /// <summary>The cgroup2 directory (for clone3 CLONE_INTO_CGROUP), or null on a pure v1 host.</summary>
    public string? UnifiedDir => Paths.TryGetValue("unified", out var d) ? d : null;

    /// <summary>Moves a process into every hierarchy (or only the unified one) by writing cgroup.procs.</summary>
    public void AddProcess(int pid, bool unifiedOnly = false)
    {
        foreach (var (key, dir) in Paths)
            if (!unifiedOnly || key == "unified") Join(dir, pid);
    }

    private static void Join(string dir, int pid)
    {
        var procs = Path.Combine(dir, "cgroup.procs");
        try { File.WriteAllText(procs, pid.ToString()); }
        catch (Exception e) { throw new IOException($"cgroup {procs}: adding pid {pid}: {e.Message}", e); }
    }

    /// <summary>
    /// Moves a process into the hierarchies where it is not yet in this set's directory (by /proc/PID/cgroup):
    /// with systemd on a v1 or hybrid host, the controllers systemd did not place it in.
    /// </summary>
    public void AddProcessWhereMissing(int pid)
    {
        var where = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3) where[parts[1].Length == 0 ? "unified" : parts[1]] = parts[2];
        }
        foreach (var (key, dir) in Paths)
            if (!(where.TryGetValue(key, out var path) && path != "/" && dir.EndsWith(path, StringComparison.Ordinal))) Join(dir, pid);
    }

    /// <summary>Every pid in the container's cgroup (from the first hierarchy that lists any).</summary>
    public List<int> Pids()
    {
        foreach (var dir in PreferredDirs())
        {
            var procs = Path.Combine(dir, "cgroup.procs");
            if (!File.Exists(procs)) continue;
            try
            {
                return ReadPidsRecursive(dir);
            }
            catch (IOException) { }
        }
        return new List<int>();
    }

    private IEnumerable<string> PreferredDirs() =>
        Paths.OrderBy(kv => kv.Key == "unified" ? 1 : kv.Key.Contains("pids") ? 0 : kv.Key.Contains("freezer") ? 0 : 2)
             .Select(kv => kv.Value);

    private static List<int> ReadPidsRecursive(string dir)
    {
        var pids = new List<int>();
        foreach (var line in File.ReadAllLines(Path.Combine(dir, "cgroup.procs")))
            if (int.TryParse(line, out var p)) pids.Add(p);
        foreach (var sub in Directory.EnumerateDirectories(dir))
            pids.AddRange(ReadPidsRecursive(sub));
        return pids;
    }

    /// <summary>Removes the container's directories (deepest first). Retries briefly while tasks exit.</summary>
    public void Destroy()
    {
        foreach (var dir in Paths.Values)
        {
            for (int attempt = 0; attempt < 50; attempt++)
            {
                if (!Directory.Exists(dir) || RemoveTree(dir)) break;
                Thread.Sleep(10);
            }
        }
    }

    private static bool RemoveTree(string dir)
    {
        foreach (var sub in Directory.EnumerateDirectories(dir))
            if (!RemoveTree(sub)) return false;
        return TryRmdir(dir);
    }

    private static bool TryRmdir(string dir)
    {
        int err = Sys.UnlinkAt(AT.FDCWD, dir, AT.REMOVEDIR);
        return err == 0 || err == Errno.ENOENT;
    }
}
