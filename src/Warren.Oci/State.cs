using System.Text.Json.Serialization;

namespace Warren.Oci;

/// <summary>The OCI runtime state document printed by `state`.</summary>
public sealed class State
{
    [JsonPropertyName("ociVersion")] public string? OciVersion { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    /// <summary>creating, created, running or stopped (see <see cref="ContainerStatus"/>).</summary>
    [JsonPropertyName("status")] public string? Status { get; set; }
    /// <summary>Required when status is created or running.</summary>
    [JsonPropertyName("pid")] public int? Pid { get; set; }
    [JsonPropertyName("bundle")] public string? Bundle { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>Status strings defined by the runtime spec.</summary>
public static class ContainerStatus
{
    public const string Creating = "creating";
    public const string Created = "created";
    public const string Running = "running";
    public const string Stopped = "stopped";
}
