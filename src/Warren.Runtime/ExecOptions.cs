namespace Warren.Runtime;

/// <summary>runc exec's flags, applied over the container's process.</summary>
public sealed class ExecOptions
{
    public required string Id { get; init; }
    public IReadOnlyList<string> Command { get; init; } = Array.Empty<string>();
    public string? ProcessFile { get; init; }
    public bool Tty { get; init; }
    public string? ConsoleSocket { get; init; }
    public bool Detach { get; init; }
    public string? PidFile { get; init; }
    public string? Cwd { get; init; }
    public IReadOnlyList<string> Env { get; init; } = Array.Empty<string>();
    /// <summary>"uid" or "uid:gid".</summary>
    public string? User { get; init; }
    public IReadOnlyList<uint> AdditionalGids { get; init; } = Array.Empty<uint>();
    public IReadOnlyList<string> Caps { get; init; } = Array.Empty<string>();
    public bool NoNewPrivs { get; init; }
    public string? Apparmor { get; init; }
    public string? ProcessLabel { get; init; }
    public int PreserveFds { get; init; }
    public bool IgnorePaused { get; init; }
    /// <summary>A sub-cgroup of the container's, on every hierarchy.</summary>
    public string? SubCgroup { get; init; }
}
