using Warren.Cgroups;
using Warren.Cgroups.Systemd;
using Warren.Oci;

namespace Warren.Runtime;

/// <summary>
/// `--systemd-cgroup`: the container's cgroup is a transient scope systemd makes around the first stage
/// (Delegate=yes), as runc's systemd driver does; warren then writes the limits into it before the go-ahead.
/// cgroup v2 hosts; root uses the system manager, a normal user their own (systemd --user).
/// </summary>
internal static class SystemdCgroups
{
    public static SystemdScope Plan(Spec spec, string id, IReadOnlyList<CgroupHierarchy> hierarchies)
    {
        if (!Directory.Exists("/run/systemd/system"))
            throw new RuntimeException("--systemd-cgroup: systemd is not running on this host (no /run/systemd/system); drop --systemd-cgroup");
        if (CgroupHost.Mode(hierarchies) != CgroupMode.V2)
            throw new RuntimeException("--systemd-cgroup: warren's systemd driver needs a cgroup v2 host; this one has v1 controllers (drop --systemd-cgroup)");
        try { return SystemdScope.Parse(spec.Linux?.CgroupsPath, id, userManager: Linux.Sys.Geteuid() != 0); }
        catch (ArgumentException e) { throw new RuntimeException(e.Message); }
    }

    /// <summary>Starts the scope around pid; returns its directory, made by systemd (nothing is created here).</summary>
    public static CgroupSet Start(SystemdScope scope, int pid, string id, LinuxResources? r, IReadOnlyList<CgroupHierarchy> hierarchies,
        Action created)
    {
        string path;
        try { path = SystemdManager.StartScope(scope, pid, $"warren container {id}", UnitLimits(r), created); }
        catch (SystemdException e) { throw new RuntimeException(e.Message, e); }
        return new CgroupSet(new Dictionary<string, string> { ["unified"] = hierarchies.Single(h => h.Unified).MountPoint + path });
    }

    public static void Stop(string unit)
    {
        try { SystemdManager.StopUnit(unit); }
        catch (SystemdException e) { throw new RuntimeException(e.Message, e); }
    }

    public static void SetLimits(string unit, LinuxResources changes)
    {
        try { SystemdManager.SetLimits(unit, UnitLimits(changes)); }
        catch (SystemdException e) { throw new RuntimeException(e.Message, e); }
    }

    /// <summary>
    /// The limits systemd can hold as unit properties, so that its re-applying the unit (daemon-reload) keeps
    /// them; everything else is written to the scope's files only. -1 (and a pids limit of 0) is "infinity".
    /// </summary>
    private static IEnumerable<KeyValuePair<string, ulong>> UnitLimits(LinuxResources? r)
    {
        if (r?.Memory?.Limit is long mem and (> 0 or -1)) yield return new("MemoryMax", mem < 0 ? ulong.MaxValue : (ulong)mem);
        if (r?.Pids?.Limit is long pids) yield return new("TasksMax", pids <= 0 ? ulong.MaxValue : (ulong)pids);
        if (r?.Cpu?.Shares is ulong shares and > 0) yield return new("CPUWeight", Resources.ResourceMapper.SharesToWeight(shares));
    }
}
