namespace Warren.Tests.Integration;

/// <summary>What a container may leave on the host: a state directory, cgroup directories, processes.</summary>
public static class Leftovers
{
    public static List<string> Find(Sandbox sb, string id)
    {
        var found = new List<string>();
        if (Directory.Exists(Path.Combine(sb.StateRoot, id))) found.Add($"state dir {Path.Combine(sb.StateRoot, id)}");
        foreach (var h in Directory.EnumerateDirectories("/sys/fs/cgroup"))
        {
            string d = Path.Combine(h, id);
            if (Directory.Exists(d)) found.Add($"cgroup {d}");
        }
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
            if (line.Contains(id)) found.Add($"mount {line}");
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out _)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(proc, "cgroup")).Contains("/" + id + "\n"))
                    found.Add($"process {Path.GetFileName(proc)}");
            }
            catch (IOException) { }
        }
        return found;
    }
}
