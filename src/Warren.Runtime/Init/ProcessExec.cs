using Warren.Linux;
using OciProcess = Warren.Oci.Process;
using LinuxCaps = Warren.Linux.Capabilities;

namespace Warren.Runtime.Init;

/// <summary>The last steps of the init stage: credentials, capabilities, no_new_privs, then execve.</summary>
internal static class ProcessExec
{
    private const int PR_SET_NO_NEW_PRIVS = 38;

    /// <summary>Finds args[0] the way execvp would, with the container's PATH; errors read like runc's.</summary>
    public static string ResolveExecutable(OciProcess p)
    {
        string arg0 = p.Args![0];
        if (arg0.Contains('/'))
        {
            string full = arg0.StartsWith('/') ? arg0 : Path.Combine(p.Cwd ?? "/", arg0);
            if (!Sys.TryStat(full, out var st))
                throw new InvalidOperationException($"exec: \"{arg0}\": stat {full}: {Errno.Describe(Sys.Errno)}");
            if (st.IsDirectory) throw new InvalidOperationException($"exec: \"{arg0}\": is a directory");
            return full;
        }
        string path = p.Env?.FirstOrDefault(e => e.StartsWith("PATH="))?[5..]
                      ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var dir in path.Split(':'))
        {
            string cand = Path.Combine(dir.Length == 0 ? "." : dir, arg0);
            if (Sys.TryStat(cand, out var st) && !st.IsDirectory && (st.Mode & 0x49) != 0) return cand;
        }
        throw new InvalidOperationException($"exec: \"{arg0}\": executable file not found in $PATH");
    }

    /// <summary>
    /// The pid the seccomp listener is told, read early: after pivot_root /proc is the container's, where the
    /// stage's own pid is that of the container's pid namespace. 0 without a listener.
    /// </summary>
    public static int ListenerPid(FinalSteps f) => f.SeccompListenerFd >= 0 ? Security.SeccompListener.HostPid() : 0;

    private static void LoadSeccomp(FinalSteps f, int listenerPid)
    {
        int notifyFd = SeccompLoader.Load(f.Seccomp!, f.SeccompFlags);
        if ((f.SeccompFlags & SeccompLoader.FlagNewListener) != 0)
            Security.SeccompListener.Send(f.SeccompListenerFd, notifyFd, f.SeccompListenerState!, listenerPid);
    }

    /// <summary>In a user namespace set up by an unprivileged user, setgroups(2) is denied for good.</summary>
    private static bool SetgroupsDenied()
    {
        try { return File.ReadAllText("/proc/self/setgroups").Trim() == "deny"; }
        catch (IOException) { return false; }
    }

    public static void SetRlimits(OciProcess p)
    {
        foreach (var r in p.Rlimits ?? new())
        {
            int res = RlimitNumber(r.Type!);
            Sys.SetRlimit(res, r.Soft, r.Hard, r.Type!);
        }
    }

    private static int RlimitNumber(string name) => name switch
    {
        "RLIMIT_CPU" => 0, "RLIMIT_FSIZE" => 1, "RLIMIT_DATA" => 2, "RLIMIT_STACK" => 3, "RLIMIT_CORE" => 4,
        "RLIMIT_RSS" => 5, "RLIMIT_NPROC" => 6, "RLIMIT_NOFILE" => 7, "RLIMIT_MEMLOCK" => 8, "RLIMIT_AS" => 9,
        "RLIMIT_LOCKS" => 10, "RLIMIT_SIGPENDING" => 11, "RLIMIT_MSGQUEUE" => 12, "RLIMIT_NICE" => 13,
        "RLIMIT_RTPRIO" => 14, "RLIMIT_RTTIME" => 15,
        _ => throw new InvalidOperationException($"process.rlimits: unknown type \"{name}\""),
    };

    /// <summary>
    /// Applies user, groups and the five capability sets on this thread (the one that will execve), then
    /// execs. KEEPCAPS carries permitted capabilities across the switch away from uid 0.
    /// </summary>
    /// <param name="final">The seccomp filter (or none), with no_new_privs loaded as the very last step before
    /// execve; without, it must be loaded while warren still holds CAP_SYS_ADMIN (as runc does), so the profile
    /// then has to allow the credential calls that follow. The LSM labels go first of all.</param>
    public static void Exec(OciProcess p, string executable, FinalSteps final, int listenerPid, Warren.Oci.Spec? spec)
    {
        bool nnp = p.NoNewPrivileges == true;
        bool seccomp = final.Seccomp is { Length: > 0 };
        var lsm = final.Lsm;
        Security.ProcessAttributes.ApplyEarly(spec, p);
        Security.Lsm.SetExecLabels(lsm);
        if (seccomp && !nnp) LoadSeccomp(final, listenerPid);
        var caps = p.Capabilities;
        ulong bounding = LinuxCaps.Mask(caps?.Bounding, "process.capabilities.bounding");
        ulong effective = LinuxCaps.Mask(caps?.Effective, "process.capabilities.effective");
        ulong permitted = LinuxCaps.Mask(caps?.Permitted, "process.capabilities.permitted");
        ulong inheritable = LinuxCaps.Mask(caps?.Inheritable, "process.capabilities.inheritable");
        ulong ambient = LinuxCaps.Mask(caps?.Ambient, "process.capabilities.ambient");

        var user = p.User ?? new Warren.Oci.User();
        LinuxCaps.SetKeepCaps(true);
        LinuxCaps.LimitBounding(bounding);
        var groups = (user.AdditionalGids ?? new()).ToArray();
        if (groups.Length > 0 || !SetgroupsDenied()) Sys.SetGroups(groups);
        Sys.SetResGid(user.Gid);
        Sys.SetResUid(user.Uid);
        LinuxCaps.SetKeepCaps(false);
        LinuxCaps.Set(effective, permitted, inheritable);
        LinuxCaps.SetAmbient(ambient);
        if (p.NoNewPrivileges == true) Sys.Prctl(PR_SET_NO_NEW_PRIVS, 1, what: "prctl(PR_SET_NO_NEW_PRIVS)");
        if (user.Umask is uint mask) Sys.Umask(mask);

        // Nothing of warren's may reach the program: only stdio and the preserved fds stay open.
        Sys.CloseRangeCloexec((uint)(3 + final.PreserveFds));
        Security.ProcessAttributes.ApplyFinal(p);
        if (seccomp && nnp) LoadSeccomp(final, listenerPid);

        int err = Sys.Execve(executable, p.Args!, p.Env ?? new List<string>());
        string why = err == Errno.EPERM && nnp && (lsm?.ProcessLabel ?? lsm?.AppArmorProfile) is { } label
            ? $" (the LSM refused the transition to \"{label}\" under noNewPrivileges)" : "";
        throw new InvalidOperationException($"exec: \"{p.Args![0]}\": {Errno.Describe(err)}{why}");
    }
}
