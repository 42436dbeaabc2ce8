namespace Warren.Cgroups.Systemd;

/// <summary>
/// A container's transient scope unit under the systemd cgroup driver: linux.cgroupsPath in runc's
/// "slice:prefix:name" form names unit "prefix-name.scope" in the slice, whose cgroup is the slice's
/// expanded path ("a-b.slice" lives at /a.slice/a-b.slice) plus the unit.
/// </summary>
public sealed record SystemdScope(string Slice, string Unit)
{
    /// <summary>The scope's cgroup below the cgroup2 root, e.g. /machine.slice/libpod-abc.scope.</summary>
    public string CgroupPath => ExpandSlice(Slice) + "/" + Unit;

    /// <summary>
    /// Parses cgroupsPath; empty means "system.slice:warren:&lt;id&gt;" as runc does with its own prefix
    /// (user.slice for a user's own manager).
    /// </summary>
    public static SystemdScope Parse(string? cgroupsPath, string id, bool userManager = false)
    {
        string defaultSlice = userManager ? "user.slice" : "system.slice";
        if (string.IsNullOrEmpty(cgroupsPath)) return new SystemdScope(defaultSlice, $"warren-{id}.scope");
        var parts = cgroupsPath.Split(':');
        if (parts.Length != 3)
            throw new ArgumentException($"linux.cgroupsPath \"{cgroupsPath}\": --systemd-cgroup needs the form slice:prefix:name");
        string slice = parts[0].Length == 0 ? defaultSlice : parts[0];
        string name = parts[2];
        if (name.EndsWith(".slice", StringComparison.Ordinal))
            throw new ArgumentException($"linux.cgroupsPath \"{cgroupsPath}\": a slice as the container's unit is not supported; name a scope");
        string unit = (parts[1].Length == 0 ? name : $"{parts[1]}-{name}") + ".scope";
        foreach (var (what, value) in new[] { ("slice", slice), ("unit", unit) })
            if (value.Contains('/') || value.Contains('\0') || value.StartsWith('.'))
                throw new ArgumentException($"linux.cgroupsPath \"{cgroupsPath}\": invalid {what} name \"{value}\"");
        ExpandSlice(slice); // validates
        return new SystemdScope(slice, unit);
    }

    /// <summary>systemd's slice nesting: "a-b-c.slice" is /a.slice/a-b.slice/a-b-c.slice; "-.slice" is the root.</summary>
    public static string ExpandSlice(string slice)
    {
        if (!slice.EndsWith(".slice", StringComparison.Ordinal))
            throw new ArgumentException($"slice \"{slice}\" does not end in .slice");
        if (slice == "-.slice") return "";
        string stem = slice[..^".slice".Length];
        if (stem.Length == 0 || stem.StartsWith('-') || stem.EndsWith('-') || stem.Contains("--"))
            throw new ArgumentException($"slice \"{slice}\" is not a valid slice name");
        var path = new System.Text.StringBuilder();
        int at = 0;
        while (true)
        {
            int dash = stem.IndexOf('-', at);
            string prefix = dash < 0 ? stem : stem[..dash];
            path.Append('/').Append(prefix).Append(".slice");
            if (dash < 0) return path.ToString();
            at = dash + 1;
        }
    }
}
