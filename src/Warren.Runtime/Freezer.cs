using Warren.Cgroups;
using Warren.Linux;

namespace Warren.Runtime;

/// <summary>pause/resume: the v1 freezer (freezer.state) or cgroup2's cgroup.freeze, waiting until it holds.</summary>
public static class Freezer
{
    /// <summary>The container's v1 freezer directory and its cgroup2 directory with cgroup.freeze, where they exist.</summary>
    private static (string? V1, string? V2) Dirs(ContainerRecord rec)
    {
        string? v1 = rec.CgroupPaths.FirstOrDefault(kv => kv.Key.Split(',').Contains("freezer")).Value;
        string? v2 = rec.CgroupPaths.TryGetValue("unified", out var u) && File.Exists(Path.Combine(u, "cgroup.freeze")) ? u : null;
        return (v1, v2);
    }

    public static bool IsFrozen(ContainerRecord rec)
    {
        var (v1, v2) = Dirs(rec);
        return (v1 is not null && Sys.TryReadText(Path.Combine(v1, "freezer.state")) == "FROZEN")
               || (v2 is not null && Sys.TryReadText(Path.Combine(v2, "cgroup.freeze")) == "1");
    }

    /// <summary>Best effort, before killing: frozen tasks would not die.</summary>
    public static void ThawQuietly(ContainerRecord rec)
    {
        var (v1, v2) = Dirs(rec);
        try { if (v1 is not null) CgroupFiles.Write(Path.Combine(v1, "freezer.state"), "THAWED"); }
        catch (CgroupException) { }
        try { if (v2 is not null) CgroupFiles.Write(Path.Combine(v2, "cgroup.freeze"), "0"); }
        catch (CgroupException) { }
    }

    public static void Set(Container c, bool frozen)
    {
        var (v1, v2) = Dirs(c.Record);
        if (v1 is null && v2 is null)
            throw new RuntimeException($"cannot {(frozen ? "pause" : "resume")} container \"{c.Id}\": no freezer cgroup on this host");
        try
        {
            if (v1 is not null)
            {
                string file = Path.Combine(v1, "freezer.state");
                for (int i = 0; i < 1000; i++)
                {
                    CgroupFiles.Write(file, frozen ? "FROZEN" : "THAWED");
                    if (Sys.TryReadText(file) == (frozen ? "FROZEN" : "THAWED")) return;
                    Thread.Sleep(1);
                }
                throw new RuntimeException($"container \"{c.Id}\": {file} did not reach {(frozen ? "FROZEN" : "THAWED")}");
            }
            CgroupFiles.Write(Path.Combine(v2!, "cgroup.freeze"), frozen ? "1" : "0");
            for (int i = 0; i < 1000; i++)
            {
                var events = Sys.TryReadText(Path.Combine(v2!, "cgroup.events")) ?? "";
                if (events.Contains(frozen ? "frozen 1" : "frozen 0")) return;
                Thread.Sleep(1);
            }
            throw new RuntimeException($"container \"{c.Id}\": cgroup.events did not report frozen {(frozen ? 1 : 0)}");
        }
        catch (CgroupException e) { throw new RuntimeException($"container \"{c.Id}\": {e.Message}"); }
    }
}
