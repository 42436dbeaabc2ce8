using Warren.Cgroups;
using Warren.Oci;

namespace Warren.Runtime.Resources;

/// <summary>Writes linux.resources into a container's cgroups (at create, before its program runs; and on update).</summary>
public static class ResourceApplier
{
    public static void Apply(CgroupSet set, IReadOnlyList<CgroupHierarchy> hierarchies, LinuxResources? resources,
        IReadOnlyList<LinuxDevice>? devices = null)
    {
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
