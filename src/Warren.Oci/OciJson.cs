using System.Text.Json;
using System.Text.Json.Serialization;

namespace Warren.Oci;

/// <summary>Source-generated (reflection-free, trim/AOT safe) serializer metadata for OCI documents.</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    PropertyNameCaseInsensitive = false,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(Process))]
[JsonSerializable(typeof(LinuxResources))]
[JsonSerializable(typeof(State))]
[JsonSerializable(typeof(Features))]
[JsonSerializable(typeof(List<State>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class OciJsonContext : JsonSerializerContext
{
}

/// <summary>Convenience wrappers over <see cref="OciJsonContext"/>.</summary>
public static class OciJson
{
    public static string Serialize(Spec spec) => JsonSerializer.Serialize(spec, OciJsonContext.Default.Spec);
    public static string Serialize(State state) => JsonSerializer.Serialize(state, OciJsonContext.Default.State);

    /// <summary>The state on one line, as hooks and runc's tools read it.</summary>
    public static string SerializeCompact(State state)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false }))
            JsonSerializer.Serialize(w, state, OciJsonContext.Default.State);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
    public static string Serialize(Features features) => JsonSerializer.Serialize(features, OciJsonContext.Default.Features);
    public static string Serialize(List<State> states) => JsonSerializer.Serialize(states, OciJsonContext.Default.ListState);

    /// <summary>Parses a state document; throws <see cref="OciException"/> on malformed input.</summary>
    public static string Serialize(Process process) => JsonSerializer.Serialize(process, OciJsonContext.Default.Process);

    /// <summary>A process.json (runc exec --process), or the process part of an init/exec request.</summary>
    public static Process ParseProcess(string json, string sourceName = "process.json") =>
        OciJsonErrors.Deserialize(json, sourceName, OciJsonContext.Default.Process);

    public static State ParseState(string json, string sourceName = "state.json") =>
        OciJsonErrors.Deserialize(json, sourceName, OciJsonContext.Default.State);

    /// <summary>Parses a features document; throws <see cref="OciException"/> on malformed input.</summary>
    public static Features ParseFeatures(string json, string sourceName = "features.json") =>
        OciJsonErrors.Deserialize(json, sourceName, OciJsonContext.Default.Features);
}
