using Warren.Cgroups;
using Warren.Cgroups.Systemd;
using Warren.Oci;

namespace Warren.Runtime;

/// <summary>
/// `--systemd-cgroup`: the container's cgroup is a transient scope systemd makes around the first stage
/// (Delegate=yes), as runc's systemd driver does; warren then writes the limits into it before the go-ahead.
/// Root uses the system manager, a normal user their own (systemd --user); v1, hybrid and v2 hosts.
/// </summary>
internal static class SystemdCgroups
{
    public static SystemdScope Plan(Spec spec, string id, IReadOnlyList<CgroupHierarchy> hierarchies)
    {
        if (!Directory.Exists("/run/systemd/system"))
            throw new RuntimeException("--systemd-cgroup: systemd is not running on this host (no /run/systemd/system); drop --systemd-cgroup");
        try { return SystemdScope.Parse(spec.Linux?.CgroupsPath, id, userManager: Linux.Sys.Geteuid() != 0); }
        catch (ArgumentException e) { throw new RuntimeException(e.Message); }
    }

    /// <summary>
    /// Starts the scope around pid and returns the container's cgroups: the scope's directory on cgroup2; on a
    /// v1 or hybrid host also the same path in the controllers systemd does not manage, made and joined here
    /// as runc does.
    /// </summary>
    public static CgroupSet Start(SystemdScope scope, int pid, string id, LinuxResources? r, IReadOnlyList<CgroupHierarchy> hierarchies,
        Action created)
    {
        string path;
        try { path = SystemdManager.StartScope(scope, pid, $"warren container {id}", UnitLimits(r), created); }
        catch (SystemdException e) { throw new RuntimeException(e.Message, e); }
        var set = CgroupSet.Create(path, hierarchies, skipDenied: Linux.Sys.Geteuid() != 0);
        try { set.AddProcessWhereMissing(pid); }
        catch
        {
            set.Destroy();
            throw;
        }
        return set;
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
