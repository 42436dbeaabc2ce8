using System.Text.Json.Serialization;

namespace Warren.Runtime.Events;

/// <summary>runc's `events` JSON: {"type":"stats"|"oom","id":...,"data":{...}}.</summary>
public sealed class ContainerEvent
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("data")] public Stats? Data { get; set; }
}

public sealed class Stats
{
    [JsonPropertyName("cpu")] public CpuStats Cpu { get; set; } = new();
    [JsonPropertyName("memory")] public MemoryStats Memory { get; set; } = new();
    [JsonPropertyName("pids")] public PidsStats Pids { get; set; } = new();
    [JsonPropertyName("blkio")] public BlkioStats Blkio { get; set; } = new();
    [JsonPropertyName("hugetlb")] public Dictionary<string, HugetlbStats> Hugetlb { get; set; } = new();
}

public sealed class CpuStats
{
    [JsonPropertyName("usage")] public CpuUsage Usage { get; set; } = new();
    [JsonPropertyName("throttling")] public Throttling Throttling { get; set; } = new();
}

public sealed class CpuUsage
{
    [JsonPropertyName("total")] public ulong Total { get; set; }
    [JsonPropertyName("percpu")] public List<ulong>? Percpu { get; set; }
    [JsonPropertyName("kernel")] public ulong Kernel { get; set; }
    [JsonPropertyName("user")] public ulong User { get; set; }
}

public sealed class Throttling
{
    [JsonPropertyName("periods")] public ulong Periods { get; set; }
    [JsonPropertyName("throttled_periods")] public ulong ThrottledPeriods { get; set; }
    [JsonPropertyName("throttled_time")] public ulong ThrottledTime { get; set; }
}

public sealed class MemoryStats
{
    [JsonPropertyName("usage")] public MemoryEntry Usage { get; set; } = new();
    [JsonPropertyName("swap")] public MemoryEntry Swap { get; set; } = new();
    [JsonPropertyName("raw")] public Dictionary<string, ulong> Raw { get; set; } = new();
}

public sealed class MemoryEntry
{
    [JsonPropertyName("limit")] public ulong Limit { get; set; }
    [JsonPropertyName("usage")] public ulong Usage { get; set; }
    [JsonPropertyName("max")] public ulong Max { get; set; }
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; set; }
}

public sealed class PidsStats
{
    [JsonPropertyName("current")] public ulong Current { get; set; }
    [JsonPropertyName("limit")] public ulong Limit { get; set; }
}

public sealed class BlkioStats
{
    [JsonPropertyName("ioServiceBytesRecursive")] public List<BlkioEntry> IoServiceBytesRecursive { get; set; } = new();
}

public sealed class BlkioEntry
{
    [JsonPropertyName("major")] public ulong Major { get; set; }
    [JsonPropertyName("minor")] public ulong Minor { get; set; }
    [JsonPropertyName("op")] public string Op { get; set; } = "";
    [JsonPropertyName("value")] public ulong Value { get; set; }
}

public sealed class HugetlbStats
{
    [JsonPropertyName("usage")] public ulong Usage { get; set; }
    [JsonPropertyName("max")] public ulong Max { get; set; }
    [JsonPropertyName("failcnt")] public ulong Failcnt { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerEvent))]
public sealed partial class EventsJsonContext : JsonSerializerContext;
