using System.Text.Json.Serialization;

namespace Warren.Runtime;

/// <summary>What the parent tells the init stage over the sync socket.</summary>
public sealed class InitRequest
{
    public string ConfigJson { get; set; } = "";
    public string Bundle { get; set; } = "";
    public string Rootfs { get; set; } = "";
    /// <summary>An O_PATH fd of the exec fifo, inherited: a remapped root may not walk the state directory.</summary>
    public int ExecFifoFd { get; set; } = -1;
    public bool NoPivot { get; set; }
    public bool Debug { get; set; }
    public FinalSteps Final { get; set; } = new();
    public string ContainerId { get; set; } = "";
    public bool NoNewKeyring { get; set; }
    /// <summary>
    /// Indexes in mounts of idmapped binds. Only the initial user namespace may id-map a mount, so the parent
    /// prepares each as a detached tree and sends its fd (SCM_RIGHTS) right after this request, in this order.
    /// </summary>
    public List<int> IdmapMounts { get; set; } = new();
    /// <summary>Unshare a new cgroup namespace first: its root is the cgroup the init was moved into.</summary>
    public bool UnshareCgroupNs { get; set; }
    /// <summary>v1 hierarchies to mount for a "cgroup" mount: controller list → host mount point.</summary>
    public Dictionary<string, string> CgroupHierarchies { get; set; } = new();
    public bool CgroupV2Only { get; set; }
    /// <summary>The container's cgroup path below each hierarchy root (for cgroup mounts without a cgroup namespace).</summary>
    public string CgroupRelPath { get; set; } = "/";
}

/// <summary>What a stage applies in its last steps before execve: the same for the init and exec stages.</summary>
public sealed class FinalSteps
{
    public int PreserveFds { get; set; }
    public byte[]? Seccomp { get; set; }
    public uint SeccompFlags { get; set; }
    /// <summary>A connected socket to linux.seccomp.listenerPath (inherited), and what to tell the listener.</summary>
    public int SeccompListenerFd { get; set; } = -1;
    public string? SeccompListenerState { get; set; }
    /// <summary>LSM labels to apply; null when none is asked for or the host lacks the LSM (and that may be ignored).</summary>
    public Security.LsmLabels? Lsm { get; set; }
}

/// <summary>
/// A message on the sync socket after the request: from the stage "create-runtime" (run those hooks),
/// "pty" (an fd follows), "ready", "execing" or "error"; from the parent "continue" with the state for hooks.
/// </summary>
public sealed class InitReply
{
    public string Kind { get; set; } = "";
    public string? Error { get; set; }
    public string? StateJson { get; set; }
}

/// <summary>state.json in the container's state directory: OCI state plus what warren needs later.</summary>
public sealed class ContainerRecord
{
    public string OciVersion { get; set; } = "1.2.1";
    public string Id { get; set; } = "";
    public int Pid { get; set; }
    /// <summary>Start time of the init process (field 22 of /proc/PID/stat) to detect pid reuse.</summary>
    public ulong PidStartTime { get; set; }
    public string Bundle { get; set; } = "";
    public string Rootfs { get; set; } = "";
    public DateTime Created { get; set; }
    public string Owner { get; set; } = "";
    public Dictionary<string, string>? Annotations { get; set; }
    public Dictionary<string, string> CgroupPaths { get; set; } = new();
    /// <summary>The transient scope unit, when the systemd cgroup driver made the cgroup.</summary>
    public string? SystemdUnit { get; set; }
    /// <summary>Set once `start` has released the exec fifo.</summary>
    public bool Started { get; set; }
    public string ConfigJson { get; set; } = "";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(InitRequest))]
[JsonSerializable(typeof(InitReply))]
[JsonSerializable(typeof(ContainerRecord))]
public sealed partial class RuntimeJsonContext : JsonSerializerContext;

/// <summary>runc's `state` and `list --format json` object: the OCI state plus rootfs, created and owner.</summary>
public sealed class StateView
{
    public string OciVersion { get; set; } = "";
    public string Id { get; set; } = "";
    public int Pid { get; set; }
    public string Status { get; set; } = "";
    public string Bundle { get; set; } = "";
    public string Rootfs { get; set; } = "";
    public DateTime Created { get; set; }
    public string Owner { get; set; } = "";
    public Dictionary<string, string>? Annotations { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(StateView))]
[JsonSerializable(typeof(List<StateView>))]
public sealed partial class StateViewJsonContext : JsonSerializerContext;

/// <summary>What the parent tells the exec stage.</summary>
public sealed class ExecRequest
{
    public string ProcessJson { get; set; } = "";
    /// <summary>An inherited fd of the container's mount namespace, joined by the exec stage's main thread.</summary>
    public int MountNsFd { get; set; } = -1;
    public bool Debug { get; set; }
    public FinalSteps Final { get; set; } = new();
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ExecRequest))]
public sealed partial class ExecJsonContext : JsonSerializerContext;
