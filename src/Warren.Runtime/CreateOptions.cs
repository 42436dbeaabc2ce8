namespace Warren.Runtime;

public sealed class CreateOptions
{
    public required string Id { get; init; }
    public string Bundle { get; init; } = ".";
    public string? PidFile { get; init; }
    public string? ConsoleSocket { get; init; }
    public bool NoPivot { get; init; }
    public bool NoNewKeyring { get; init; }
    public bool SystemdCgroup { get; init; }
    public int PreserveFds { get; init; }
    /// <summary>A foreground `run`: keep the pty master here instead of sending it to a console socket.</summary>
    public bool Foreground { get; init; }
}

/// <summary>A container that `create` set up: its init waits on the exec fifo.</summary>
public sealed class CreatedContainer
{
    public required ContainerRecord Record { get; init; }
    /// <summary>The pty master for a foreground run with process.terminal, else -1.</summary>
    public int PtyMaster { get; init; } = -1;
}
