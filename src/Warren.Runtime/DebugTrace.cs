using System.Diagnostics;

namespace Warren.Runtime;

/// <summary>`--debug`: timestamps of the create/init stages on stderr, to see where start-up time goes.</summary>
public static class DebugTrace
{
    public static bool Enabled { get; set; }
    private static readonly long Start = Stopwatch.GetTimestamp();

    public static void Mark(string what)
    {
        if (!Enabled) return;
        double ms = Stopwatch.GetElapsedTime(Start).TotalMilliseconds;
        Console.Error.WriteLine($"warren[{Environment.ProcessId}] {DateTime.UtcNow:HH:mm:ss.ffffff} +{ms:F2} ms {what}");
    }
}
