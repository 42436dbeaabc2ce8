using Warren.Linux;
using Warren.Oci;
using OciProcess = Warren.Oci.Process;

namespace Warren.Runtime.Security;

/// <summary>The LSM labels a stage applies: only those the host's LSMs can enforce (null fields apply nothing).</summary>
public sealed class LsmLabels
{
    public string? AppArmorProfile { get; set; }
    public string? ProcessLabel { get; set; }
    public string? MountLabel { get; set; }
}

/// <summary>
/// process.apparmorProfile, process.selinuxLabel and linux.mountLabel: checked against the host at create
/// (a label for an absent LSM is an error unless annotated otherwise; an unknown profile or invalid context
/// is an error before anything exists), then applied by the stage: the SELinux key label before the session
/// keyring, the mount label as context= on the filesystems it mounts, the exec transitions last.
/// </summary>
public static class Lsm
{
    /// <summary>An annotation that lets a label be asked for on a host without that LSM (it is then not applied).</summary>
    public const string IgnoreMissingLsm = "run.warren.ignore-missing-lsm";

    private const string AppArmorFs = "/sys/kernel/security/apparmor";
    private const string SelinuxFs = "/sys/fs/selinux";

    public static bool AppArmorEnabled => Sys.TryReadText("/sys/module/apparmor/parameters/enabled") == "Y";

    /// <summary>SELinux is on when selinuxfs is mounted and a policy is loaded (the kernel then lists classes).</summary>
    public static bool SelinuxEnabled => File.Exists(SelinuxFs + "/enforce") && Directory.Exists(SelinuxFs + "/class/process");

    /// <summary>The labels to apply for this process (and, at create, its mounts), or null when none apply.</summary>
    public static LsmLabels? Resolve(Spec spec, OciProcess p, bool withMounts)
    {
        bool ignore = spec.Annotations?.GetValueOrDefault(IgnoreMissingLsm) == "true";
        var labels = new LsmLabels
        {
            AppArmorProfile = Wanted(p.ApparmorProfile, "process.apparmorProfile", AppArmorEnabled, "AppArmor", ignore),
            ProcessLabel = Wanted(p.SelinuxLabel, "process.selinuxLabel", SelinuxEnabled, "SELinux", ignore),
            MountLabel = withMounts ? Wanted(spec.Linux?.MountLabel, "linux.mountLabel", SelinuxEnabled, "SELinux", ignore) : null,
        };
        if (labels.AppArmorProfile is { } profile) CheckProfileLoaded(profile);
        if (labels.ProcessLabel is { } pl) CheckContext(pl, "process.selinuxLabel");
        if (labels.MountLabel is { } ml) CheckContext(ml, "linux.mountLabel");
        return labels is { AppArmorProfile: null, ProcessLabel: null, MountLabel: null } ? null : labels;
    }

    private static string? Wanted(string? label, string field, bool enabled, string lsm, bool ignore)
    {
        if (string.IsNullOrEmpty(label)) return null;
        if (label.Contains('\n') || label.Contains('\0')) throw new RuntimeException($"{field}: the label contains a newline or NUL");
        if (enabled) return label;
        if (ignore) return null;
        throw new RuntimeException($"{field} \"{label}\": {lsm} is not enabled on this host (annotation {IgnoreMissingLsm}=true runs without it)");
    }

    /// <summary>The kernel would only refuse an unknown profile at execve; say so at create, naming it.</summary>
    private static void CheckProfileLoaded(string profile)
    {
        if (profile == "unconfined") return;
        string? loaded;
        try { loaded = File.ReadAllText(AppArmorFs + "/profiles"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; } // securityfs not mounted: the kernel decides
        if (!loaded.Split('\n').Any(l => l.StartsWith(profile + " (", StringComparison.Ordinal)))
            throw new RuntimeException($"process.apparmorProfile \"{profile}\": no such AppArmor profile is loaded (see {AppArmorFs}/profiles)");
    }

    /// <summary>Asks the loaded policy whether the context is valid, as libselinux's security_check_context does.</summary>
    private static void CheckContext(string context, string field)
    {
        int fd = Sys.TryOpen(SelinuxFs + "/context", O.RDWR);
        if (fd < 0) return;
        try
        {
            int n = Sys.TryWrite(fd, System.Text.Encoding.UTF8.GetBytes(context));
            if (n == -Errno.EINVAL)
                throw new RuntimeException($"{field} \"{context}\": not a valid SELinux context in the loaded policy");
        }
        finally { Sys.Close(fd); }
    }

    /// <summary>SELinux labels the session keyring the stage is about to create with the process label.</summary>
    public static void SetKeyringLabel(LsmLabels? labels)
    {
        if (labels?.ProcessLabel is not { } label) return;
        using var proc = PrivateProcfs.Open();
        proc.Write("thread-self/attr/keycreate", label);
    }

    /// <summary>
    /// The transitions taken at execve, written on the thread that will call it and before the credential
    /// change and seccomp, so neither can get in the way.
    /// </summary>
    public static void SetExecLabels(LsmLabels? labels)
    {
        if (labels is null || (labels.AppArmorProfile is null && labels.ProcessLabel is null)) return;
        using var proc = PrivateProcfs.Open();
        if (labels.AppArmorProfile is { } profile)
        {
            // The AppArmor-specific file exists since 5.8 with stacked LSMs; older kernels have only the shared one.
            int err = proc.TryWrite("thread-self/attr/apparmor/exec", "exec " + profile);
            if (err == Errno.ENOENT) err = proc.TryWrite("thread-self/attr/exec", "exec " + profile);
            if (err != 0) throw new SyscallException("write", $"/proc/thread-self/attr/apparmor/exec (AppArmor profile \"{profile}\")", err);
        }
        if (labels.ProcessLabel is { } label)
        {
            int err = proc.TryWrite("thread-self/attr/exec", label);
            if (err != 0) throw new SyscallException("write", $"/proc/thread-self/attr/exec (SELinux label \"{label}\")", err);
        }
    }

    /// <summary>
    /// Mount data with the mount label as context= (quoted: MLS levels contain commas), as runc and crun do for
    /// the filesystems they mount. procfs, sysfs and mqueue take no context= option; binds keep their labels.
    /// </summary>
    public static string? MountData(string type, string? data, string? mountLabel)
    {
        if (mountLabel is null || type is "proc" or "sysfs" or "cgroup" or "cgroup2" or "bind" || LabelsRoot(type)) return data;
        string ctx = $"context=\"{mountLabel}\"";
        return string.IsNullOrEmpty(data) ? ctx : data + "," + ctx;
    }

    /// <summary>The filesystems that refuse context= and have their root labelled instead.</summary>
    public static bool LabelsRoot(string type) => type == "mqueue";

    /// <summary>
    /// mqueue refuses context=: label its root instead (through an fd of the mount). Relabelling needs
    /// privilege over the initial user namespace: inside a user namespace of its own the mount keeps the
    /// label SELinux gave it.
    /// </summary>
    public static void LabelMountRoot(int mountFd, string display, string mountLabel)
    {
        try { Sys.SetXattr($"/proc/self/fd/{mountFd}", "security.selinux", mountLabel, display); }
        catch (SyscallException e) when (e.Errno == Errno.EPERM && InUserNamespace()) { }
    }

    private static bool InUserNamespace() =>
        Sys.TryReadText("/proc/self/uid_map") is { } map && map.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is not ["0", "0", "4294967295"];
}
