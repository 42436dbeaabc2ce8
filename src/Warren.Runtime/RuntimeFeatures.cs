using Warren.Oci;
using Warren.Runtime.Init;

namespace Warren.Runtime;

/// <summary>
/// The runtime-spec features document, built from the tables the code itself uses (namespace flags,
/// capability names, mount options, hook kinds), so it cannot claim what warren does not do.
/// </summary>
public static class RuntimeFeatures
{
    public const string Version = "0.1.0";

    public static Features Build() => new()
    {
        OciVersionMin = "1.0.0",
        OciVersionMax = DefaultSpec.OciVersion,
        Hooks = HookRunner.Kinds.ToList(),
        MountOptions = MountOptions.KnownOptions.Except(MountSetup.UnsupportedOptions).Order(StringComparer.Ordinal).ToList(),
        Linux = new LinuxFeatures
        {
            Namespaces = NamespacePlan.Types.ToList(),
            Capabilities = Warren.Linux.Capabilities.Names.ToList(),
            Cgroup = new CgroupFeatures { V1 = true, V2 = true, Systemd = true, SystemdUser = true, Rdma = false },
            Seccomp = new SeccompFeatures
            {
                Enabled = true,
                Actions = Security.SeccompCompiler.Actions.ToList(),
                Operators = Security.SeccompCompiler.Operators.ToList(),
                Archs = Security.SeccompCompiler.Archs.ToList(),
                KnownFlags = Security.SeccompCompiler.Flags.ToList(),
                SupportedFlags = Security.SeccompCompiler.Flags.ToList(),
            },
            // The spec's meaning: support is built in. Whether this host runs the LSM is in the annotations.
            Apparmor = new EnabledFeature { Enabled = true },
            Selinux = new EnabledFeature { Enabled = true },
            IntelRdt = new EnabledFeature { Enabled = false },
            MountExtensions = new MountExtensionsFeatures { Idmap = new EnabledFeature { Enabled = true } },
        },
        Annotations = new()
        {
            ["io.github.warren.version"] = Version,
            ["run.warren.host.apparmor"] = Security.Lsm.AppArmorEnabled ? "enabled" : "absent",
            ["run.warren.host.selinux"] = Security.Lsm.SelinuxEnabled ? "enabled" : "absent",
        },
    };
}
