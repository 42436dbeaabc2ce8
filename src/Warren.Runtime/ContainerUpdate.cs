using System.Text.Json;
using Warren.Cgroups;
using Warren.Linux;
using Warren.Oci;
using Warren.Runtime.Resources;

namespace Warren.Runtime;

/// <summary>`update`: applies new limits to a live container and records them in its stored config.</summary>
public static class ContainerUpdate
{
    public static void Apply(ContainerStore store, string id, LinuxResources changes)
    {
        var c = Container.Load(store, id);
        if (c.Status == ContainerStatus.Stopped) throw new RuntimeException($"cannot update container \"{id}\": it is stopped");
        var spec = c.Spec ?? throw new RuntimeException($"container \"{id}\": its stored config cannot be read");
        var hierarchies = CgroupHost.Hierarchies();
        bool check = changes.Memory?.CheckBeforeUpdate ?? spec.Linux?.Resources?.Memory?.CheckBeforeUpdate ?? false;
        if (check && changes.Memory?.Limit is long limit && limit >= 0
            && CgroupFiles.Locate(c.Cgroups, hierarchies, "memory") is { Version: CgroupVersion.V2 } mem
            && ulong.TryParse(Sys.TryReadText(Path.Combine(mem.Dir, "memory.current")), out var usage) && (ulong)limit < usage)
            throw new RuntimeException($"linux.resources.memory.checkBeforeUpdate: the new limit {limit} is below the current usage {usage}");
        ResourceApplier.Apply(c.Cgroups, hierarchies, changes);
        if (c.Record.SystemdUnit is { } unit) SystemdCgroups.SetLimits(unit, changes);
        spec.Linux ??= new Warren.Oci.Linux();
        spec.Linux.Resources = Merge(spec.Linux.Resources ?? new LinuxResources(), changes);
        c.Record.ConfigJson = OciJson.Serialize(spec);
        store.Save(c.Record);
    }

    /// <summary>The stored resources with every field the update sets replaced.</summary>
    public static LinuxResources Merge(LinuxResources old, LinuxResources n)
    {
        if (n.Memory is { } m)
        {
            var o = old.Memory ??= new MemoryResources();
            o.Limit = m.Limit ?? o.Limit; o.Reservation = m.Reservation ?? o.Reservation; o.Swap = m.Swap ?? o.Swap;
            o.Swappiness = m.Swappiness ?? o.Swappiness; o.DisableOomKiller = m.DisableOomKiller ?? o.DisableOomKiller;
        }
        if (n.Cpu is { } c)
        {
            var o = old.Cpu ??= new CpuResources();
            o.Shares = c.Shares ?? o.Shares; o.Quota = c.Quota ?? o.Quota; o.Period = c.Period ?? o.Period; o.Burst = c.Burst ?? o.Burst;
            o.RealtimeRuntime = c.RealtimeRuntime ?? o.RealtimeRuntime; o.RealtimePeriod = c.RealtimePeriod ?? o.RealtimePeriod;
            o.Cpus = c.Cpus ?? o.Cpus; o.Mems = c.Mems ?? o.Mems; o.Idle = c.Idle ?? o.Idle;
        }
        if (n.Pids is not null) old.Pids = n.Pids;
        if (n.BlockIo is not null) old.BlockIo = n.BlockIo;
        if (n.HugepageLimits is not null) old.HugepageLimits = n.HugepageLimits;
        if (n.Unified is not null) old.Unified = n.Unified;
        return old;
    }
}
