namespace Warren.Runtime;

/// <summary>A user-facing failure: the message is one line naming the container, field or path at fault.</summary>
public sealed class RuntimeException : Exception
{
    public RuntimeException(string message, Exception? inner = null) : base(message, inner) { }
}
