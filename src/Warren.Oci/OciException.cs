namespace Warren.Oci;

/// <summary>An error in an OCI document or its handling; Message is a single line fit for the user.</summary>
public sealed class OciException : Exception
{
    public OciException(string message) : base(OneLine(message)) { }
    public OciException(string message, Exception? inner) : base(OneLine(message), inner) { }

    internal static string OneLine(string s) =>
        s.Replace("\r\n", " ").Replace('\n', ' ').Replace('\r', ' ').Trim();
}
