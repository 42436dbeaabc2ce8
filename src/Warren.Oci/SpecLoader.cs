using System.Text.Json;

namespace Warren.Oci;

/// <summary>Reads config.json into a <see cref="Spec"/> with one-line, path-naming error messages.</summary>
public static class SpecLoader
{
    public static Spec LoadFile(string configPath) =>
        Parse(ReadFile(configPath), Path.GetFileName(configPath) is { Length: > 0 } name ? name : "config.json");

    /// <summary>The text of config.json, or an <see cref="OciException"/> naming the path.</summary>
    public static string ReadFile(string configPath)
    {
        try
        {
            return File.ReadAllText(configPath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new OciException($"config.json not found: {configPath}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OciException($"cannot read {configPath}: {e.Message}", e);
        }
    }

    /// <param name="sourceName">Prefix for error messages, normally "config.json".</param>
    public static Spec Parse(string json, string sourceName = "config.json") =>
        OciJsonErrors.Deserialize(json, sourceName, OciJsonContext.Default.Spec);
}
