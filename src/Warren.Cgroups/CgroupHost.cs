namespace Warren.Cgroups;

public enum CgroupMode { V1, Hybrid, V2 }

/// <summary>One mounted cgroup hierarchy: a v1 hierarchy with its controllers, or the v2 unified one.</summary>
public sealed record CgroupHierarchy(string MountPoint, IReadOnlyList<string> Controllers, bool Unified)
{
    /// <summary>Key used in state files: the v1 controller list joined by commas, or "unified".</summary>
    public string Key => Unified ? "unified" : string.Join(",", Controllers);
}

/// <summary>Finds the host's cgroup hierarchies from /proc/self/mountinfo: v1, v2 or hybrid, no flag needed.</summary>
public static class CgroupHost
{
    public static IReadOnlyList<CgroupHierarchy> Hierarchies(string mountinfo = "/proc/self/mountinfo") =>
        Parse(File.ReadAllLines(mountinfo));

    public static IReadOnlyList<CgroupHierarchy> Parse(IEnumerable<string> mountinfoLines)
    {
        var result = new List<CgroupHierarchy>();
        var seen = new HashSet<string>();
        foreach (var line in mountinfoLines)
        {
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0) continue;
            var pre = line[..dash].Split(' ');
            var post = line[(dash + 3)..].Split(' ');
            if (pre.Length < 5 || post.Length < 3) continue;
            string mountPoint = Unescape(pre[4]);
            if (pre[3] != "/") continue; // a bind of a sub-cgroup, not the hierarchy root
            if (post[0] == "cgroup2")
            {
                if (seen.Add("unified")) result.Add(new CgroupHierarchy(mountPoint, UnifiedControllers(mountPoint), true));
            }
            else if (post[0] == "cgroup")
            {
                var ctrls = post[2].Split(',').Where(o => o is not ("rw" or "ro") && !o.StartsWith("relatime")
                    && !o.StartsWith("nosuid") && !o.StartsWith("nodev") && !o.StartsWith("noexec")
                    && !o.StartsWith("clone_children") && !o.StartsWith("release_agent")
                    && o != "xattr" && o != "cpuset_v2_mode" && o != "noprefix").ToList();
                var h = new CgroupHierarchy(mountPoint, ctrls, false);
                if (ctrls.Count > 0 && seen.Add(h.Key)) result.Add(h);
            }
        }
        return result;
    }

    public static CgroupMode Mode(IReadOnlyList<CgroupHierarchy> hs) =>
        hs.All(h => h.Unified) ? CgroupMode.V2 : hs.Any(h => h.Unified) ? CgroupMode.Hybrid : CgroupMode.V1;

    /// <summary>The controllers a cgroup2 hierarchy offers (its root's cgroup.controllers).</summary>
    private static IReadOnlyList<string> UnifiedControllers(string mountPoint)
    {
        try
        {
            return File.ReadAllText(Path.Combine(mountPoint, "cgroup.controllers"))
                .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException) { return Array.Empty<string>(); }
        catch (UnauthorizedAccessException) { return Array.Empty<string>(); }
    }

    private static string Unescape(string s) => s.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\134", "\\");
}
