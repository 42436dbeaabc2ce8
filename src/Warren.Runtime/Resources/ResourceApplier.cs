using Warren.Cgroups;
using Warren.Oci;

namespace Warren.Runtime.Resources;

/// <summary>Writes linux.resources into a container's cgroups (at create, before its program runs; and on update).</summary>
public static class ResourceApplier
{
    /// <param name="rootless">Limits whose controller the user has no delegated cgroup for are dropped with a
    /// warning (runc's rootless behaviour) instead of failing; device rules need privileges and are left out.</param>
    public static void Apply(CgroupSet set, IReadOnlyList<CgroupHierarchy> hierarchies, LinuxResources? resources,
        IReadOnlyList<LinuxDevice>? devices = null, bool rootless = false)
    {
        if (rootless && resources is not null) resources = Available(resources, c => CgroupFiles.Locate(set, hierarchies, c) is not null);
        var writes = ResourceMapper.Map(resources, c => CgroupFiles.Locate(set, hierarchies, c)?.Version, devices);
        if (resources?.Devices is { Count: > 0 } rules && CgroupFiles.Locate(set, hierarchies, "devices") is null && set.UnifiedDir is { } devDir)
            AttachDeviceProgram(devDir, DeviceRules.Effective(rules, devices));
        if (writes.Count == 0) return;
        var unified = hierarchies.FirstOrDefault(h => h.Unified);
        if (unified is not null && set.UnifiedDir is { } udir)
        {
            var v2 = writes.Select(w => w.Controller).Distinct()
                .Where(c => CgroupFiles.Locate(set, hierarchies, c)?.Version == CgroupVersion.V2).ToList();
            try { CgroupFiles.EnableV2(unified.MountPoint, udir, v2); }
            catch (CgroupException e) { throw new RuntimeException($"linux.resources: enabling {string.Join(", ", v2)} on cgroup v2: {e.Message}"); }
        }
        var ordered = OrderMemory(writes).ToList();
        for (int i = 0; i < ordered.Count; i++)
        {
            var w = ordered[i];
            var (dir, _) = CgroupFiles.Locate(set, hierarchies, w.Controller)!.Value;
            try { CgroupFiles.Write(Path.Combine(dir, w.File), w.Value); }
            catch (CgroupException) when (i == 0 && w.File == "memory.memsw.limit_in_bytes") { } // retried after the limit
            catch (CgroupException e) { throw new RuntimeException($"{w.Field}: {e.Message}"); }
        }
    }

    /// <summary>The sections of <paramref name="r"/> whose controllers exist for this container; warns about the rest.</summary>
    private static LinuxResources Available(LinuxResources r, Func<string, bool> has)
    {
        var kept = new LinuxResources();
        var dropped = new List<string>();
        void Keep(bool present, bool ok, string name, Action take)
        {
            if (!present) return;
            if (ok) take(); else dropped.Add(name);
        }
        Keep(r.Memory is not null, has("memory"), "memory", () => kept.Memory = r.Memory);
        Keep(r.Cpu is not null, has("cpu") || has("cpuset"), "cpu", () => kept.Cpu = r.Cpu);
        Keep(r.Pids is not null, has("pids"), "pids", () => kept.Pids = r.Pids);
        Keep(r.BlockIo is not null, has("blkio") || has("io"), "blockIO", () => kept.BlockIo = r.BlockIo);
        Keep(r.HugepageLimits is { Count: > 0 }, has("hugetlb"), "hugepageLimits", () => kept.HugepageLimits = r.HugepageLimits);
        Keep(r.Network is not null, has("net_cls") || has("net_prio"), "network", () => kept.Network = r.Network);
        Keep(r.Unified is { Count: > 0 }, r.Unified?.Keys.All(k => has(k.Split('.')[0])) == true, "unified", () => kept.Unified = r.Unified);
        if (dropped.Count > 0)
            Console.Error.WriteLine($"warren: warning: rootless: no delegated cgroup for linux.resources.{string.Join(", linux.resources.", dropped)}: not applied");
        return kept;
    }

    /// <summary>cgroup2 has no devices files: the rules become a BPF program attached to the container's cgroup.</summary>
    private static void AttachDeviceProgram(string dir, List<DeviceRule> rules)
    {
        int prog = -1, cg = -1;
        try
        {
            prog = Warren.Linux.Bpf.LoadCgroupDeviceProgram(DeviceRules.BpfProgram(rules));
            cg = Warren.Linux.Sys.Open(dir, Warren.Linux.O.RDONLY | Warren.Linux.O.DIRECTORY);
            Warren.Linux.Bpf.AttachToCgroup(cg, prog, dir);
        }
        catch (Warren.Linux.SyscallException e) { throw new RuntimeException($"linux.resources.devices: {e.Message}"); }
        finally
        {
            // The attachment holds the program; our fds can go.
            Warren.Linux.Sys.Close(prog);
            Warren.Linux.Sys.Close(cg);
        }
    }

    /// <summary>
    /// v1 wants memsw >= limit at every step: when raising, write memsw first; when lowering, the limit first.
    /// </summary>
    private static IEnumerable<CgroupWrite> OrderMemory(List<CgroupWrite> writes)
    {
        var limit = writes.FirstOrDefault(w => w.File == "memory.limit_in_bytes");
        var memsw = writes.FirstOrDefault(w => w.File == "memory.memsw.limit_in_bytes");
        if (limit is null || memsw is null) return writes;
        var rest = writes.Where(w => w != limit && w != memsw).ToList();
        // Unknown current values: write limit, memsw, then limit again; each step keeps memsw >= limit or retries.
        return new[] { memsw, limit, memsw }.Concat(rest);
    }
}
