using Warren.Linux;

namespace Warren.Cgroups;

public enum CgroupVersion { V1, V2 }

/// <summary>Where a controller lives for one container, and writing its files with errors that name them.</summary>
public static class CgroupFiles
{
    /// <summary>The directory holding <paramref name="controller"/>'s files: a v1 hierarchy that has it, else cgroup2.</summary>
    public static (string Dir, CgroupVersion Version)? Locate(CgroupSet set, IReadOnlyList<CgroupHierarchy> hierarchies, string controller)
    {
        foreach (var h in hierarchies)
        {
            if (!set.Paths.TryGetValue(h.Key, out var dir)) continue;
            if (!h.Unified && h.Controllers.Contains(controller)) return (dir, CgroupVersion.V1);
        }
        foreach (var h in hierarchies)
            if (h.Unified && h.Controllers.Contains(controller) && set.Paths.TryGetValue(h.Key, out var dir))
                return (dir, CgroupVersion.V2);
        return null;
    }

    /// <summary>Enables controllers for the container's cgroup2 directory: "+ctrl" in every ancestor's subtree_control.</summary>
    public static void EnableV2(string mountPoint, string dir, IEnumerable<string> controllers)
    {
        string rel = Path.GetRelativePath(mountPoint, dir);
        if (rel == "." || rel.StartsWith("..")) return;
        var wanted = controllers.ToList();
        if (wanted.Count == 0) return;
        string cur = mountPoint;
        foreach (var part in rel.Split('/'))
        {
            // Only what a level lacks: an ancestor someone else manages (systemd, a delegating parent) may
            // already enable it and not let us write there.
            string file = Path.Combine(cur, "cgroup.subtree_control");
            var enabled = (Sys.TryReadText(file) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var missing = wanted.Except(enabled).ToList();
            if (missing.Count > 0) Write(file, string.Join(' ', missing.Select(c => "+" + c)));
            cur = Path.Combine(cur, part);
        }
    }

    /// <summary>Writes one control file; a missing file or a refused value is an error naming both.</summary>
    public static void Write(string path, string value)
    {
        int fd = Sys.TryOpen(path, O.WRONLY);
        if (fd == -Errno.ENOENT) throw new CgroupException($"{path} does not exist on this host");
        if (fd < 0) throw new CgroupException($"{path}: {Errno.Describe(-fd)} ({Errno.Name(-fd)})");
        try
        {
            int n = Sys.TryWrite(fd, System.Text.Encoding.ASCII.GetBytes(value));
            if (n < 0) throw new CgroupException($"writing \"{value}\" to {path}: {Errno.Describe(-n)} ({Errno.Name(-n)})");
        }
        finally { Sys.Close(fd); }
    }

}

public sealed class CgroupException(string message) : Exception(message);
