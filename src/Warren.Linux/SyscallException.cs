namespace Warren.Linux;

/// <summary>A failed system call: names the call, the path or object it acted on, and errno's name.</summary>
public sealed class SyscallException : Exception
{
    public string Call { get; }
    public string? Target { get; }
    public int Errno { get; }

    public SyscallException(string call, string? target, int errno)
        : base(Format(call, target, errno))
    {
        Call = call;
        Target = target;
        Errno = errno;
    }

    private static string Format(string call, string? target, int errno) =>
        target is null
            ? $"{call}: {Linux.Errno.Describe(errno)} ({Linux.Errno.Name(errno)})"
            : $"{call} {target}: {Linux.Errno.Describe(errno)} ({Linux.Errno.Name(errno)})";

    /// <summary>Throws for the current errno (set by a SetLastError import).</summary>
    public static SyscallException Last(string call, string? target = null) =>
        new(call, target, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
}
