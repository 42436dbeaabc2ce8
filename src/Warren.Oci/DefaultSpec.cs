using System.Text.Json;

namespace Warren.Oci;

/// <summary>The template config.json written by `warren spec` (same shape as `runc spec`).</summary>
public static class DefaultSpec
{
    public const string OciVersion = "1.2.1";
    public const string Hostname = "warren";

    /// <param name="rootless">Produce the `--rootless` variant.</param>
    /// <param name="hostUid">Host (effective) uid mapped to container uid 0 when rootless.</param>
    /// <param name="hostGid">Host (effective) gid mapped to container gid 0 when rootless.</param>
    public static Spec Create(bool rootless, uint hostUid = 0, uint hostGid = 0)
    {
        var caps = new[] { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" };

        var spec = new Spec
        {
            OciVersion = OciVersion,
            Process = new Process
            {
                Terminal = true,
                User = new User { Uid = 0, Gid = 0 },
                Args = ["sh"],
                Env =
                [
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "TERM=xterm",
                ],
                Cwd = "/",
                Capabilities = new Capabilities
                {
                    Bounding = [.. caps],
                    Effective = [.. caps],
                    Permitted = [.. caps],
                },
                Rlimits = [new Rlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
                NoNewPrivileges = true,
            },
            Root = new Root { Path = "rootfs", Readonly = true },
            Hostname = Hostname,
            Mounts =
            [
                M("/proc", "proc", "proc"),
                M("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
                rootless
                    ? M("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620")
                    : M("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
                M("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
                M("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
                rootless
                    ? M("/sys", "none", "/sys", "rbind", "nosuid", "noexec", "nodev", "ro")
                    : M("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
            ],
            Linux = new Linux
            {
                MaskedPaths =
                [
                    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                    "/proc/scsi", "/sys/devices/virtual/powercap",
                ],
                ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            },
        };

        if (rootless)
        {
            spec.Linux.UidMappings = [new IdMapping { ContainerId = 0, HostId = hostUid, Size = 1 }];
            spec.Linux.GidMappings = [new IdMapping { ContainerId = 0, HostId = hostGid, Size = 1 }];
            spec.Linux.Namespaces = [Ns("pid"), Ns("ipc"), Ns("uts"), Ns("mount"), Ns("user")];
        }
        else
        {
            spec.Mounts.Add(M("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"));
            spec.Linux.Resources = new LinuxResources
            {
                Devices = [new DeviceCgroupRule { Allow = false, Access = "rwm" }],
            };
            spec.Linux.Namespaces = [Ns("pid"), Ns("network"), Ns("ipc"), Ns("uts"), Ns("mount"), Ns("cgroup")];
        }
        return spec;
    }

    /// <summary>Indented JSON, null members omitted.</summary>
    public static string ToJson(Spec spec) => JsonSerializer.Serialize(spec, OciJsonContext.Default.Spec);

    private static Mount M(string destination, string type, string source, params string[] options) => new()
    {
        Destination = destination,
        Type = type,
        Source = source,
        Options = options.Length == 0 ? null : [.. options],
    };

    private static LinuxNamespace Ns(string type) => new() { Type = type };
}
