using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Warren.Oci;

/// <summary>Turns System.Text.Json failures into one-line, user-facing <see cref="OciException"/>s.</summary>
internal static class OciJsonErrors
{
    private const string ConvertPrefix = "The JSON value could not be converted to ";

    public static T Deserialize<T>(string json, string sourceName, JsonTypeInfo<T> typeInfo) where T : class
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(json, typeInfo);
        }
        catch (JsonException e)
        {
            throw Translate(e, sourceName);
        }
        return value ?? throw new OciException($"{sourceName}: $: expected an object");
    }

    public static OciException Translate(JsonException e, string sourceName)
    {
        string raw = StripLocation(e.Message ?? "");
        string path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path!;

        if (raw.StartsWith(ConvertPrefix, StringComparison.Ordinal))
        {
            string typeName = raw[ConvertPrefix.Length..].TrimEnd('.', ' ');
            return new OciException($"{sourceName}: {path}: expected {Describe(typeName)}", e);
        }

        // Syntax error from the reader (or another structural problem).
        string where = e.LineNumber is long line
            ? $" at line {line + 1}, byte {(e.BytePositionInLine ?? 0) + 1}"
            : "";
        string detail = raw.Length == 0 ? "malformed document" : Tidy(raw);
        return new OciException($"{sourceName}: invalid JSON{where}: {detail}", e);
    }

    /// <summary>Drops reader-option advice and internals that mean nothing to a user.</summary>
    private static string Tidy(string detail)
    {
        foreach (var cut in new[] { " Change the reader options", ", when isFinalBlock is true" })
        {
            int i = detail.IndexOf(cut, StringComparison.Ordinal);
            if (i >= 0) detail = detail[..i];
        }
        if (detail.StartsWith("The input does not contain any JSON tokens", StringComparison.Ordinal))
            detail = "empty document";
        return detail.TrimEnd('.', ' ');
    }

    /// <summary>Removes the " Path: $.x | LineNumber: 1 | BytePositionInLine: 2." suffix STJ appends.</summary>
    private static string StripLocation(string message)
    {
        int i = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (i < 0) i = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        if (i >= 0) message = message[..i];
        return OciException.OneLine(message);
    }

    /// <summary>Maps a .NET type name (as it appears in STJ messages) to JSON vocabulary.</summary>
    internal static string Describe(string typeName)
    {
        string t = typeName;
        const string nullable = "System.Nullable`1[";
        if (t.StartsWith(nullable, StringComparison.Ordinal))
            t = t[nullable.Length..].TrimEnd(']');

        if (t.Contains("Dictionary", StringComparison.Ordinal)) return "an object";
        if (t.Contains("List`", StringComparison.Ordinal) || t.EndsWith("[]", StringComparison.Ordinal)
            || t.Contains("Enumerable", StringComparison.Ordinal) || t.Contains("Collection", StringComparison.Ordinal))
            return "an array";

        switch (t)
        {
            case "System.Boolean":
                return "a boolean";
            case "System.String":
            case "System.Char":
                return "a string";
            case "System.Byte":
            case "System.UInt16":
            case "System.UInt32":
            case "System.UInt64":
                return "a number (non-negative integer)";
            case "System.SByte":
            case "System.Int16":
            case "System.Int32":
            case "System.Int64":
                return "a number (integer)";
            case "System.Single":
            case "System.Double":
            case "System.Decimal":
                return "a number";
        }
        return "an object";
    }
}
