using System.CommandLine;
using System.Text;
using System.Text.Json;
using Warren.Linux;
using Warren.Oci;
using Warren.Runtime;

namespace Warren.Cli;

/// <summary>Error reporting for every verb: one line on stderr, and runc-style lines in --log.</summary>
public static class Output
{
    /// <summary>Runs a verb body; known failures become one line and exit code 1.</summary>
    public static int Guard(ParseResult r, string verb, Func<int> body)
    {
        try
        {
            Warren.Runtime.DebugTrace.Enabled = r.GetValue(GlobalOptions.Debug);
            return body();
        }
        catch (Exception e) when (e is RuntimeException or SyscallException or OciException or IOException
                                      or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            Error(r, $"{verb}: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            // Still one line (a bug in warren, not bad input): name the exception so it can be reported.
            Error(r, $"{verb}: internal error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    public static void Error(ParseResult r, string message)
    {
        Console.Error.WriteLine($"warren {message}");
        Log(r, "error", message);
    }

    public static void Log(ParseResult r, string level, string message)
    {
        var path = r.GetValue(GlobalOptions.Log);
        if (string.IsNullOrEmpty(path)) return;
        string time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");
        string line = r.GetValue(GlobalOptions.LogFormat) == "json"
            ? JsonLine(level, message, time)
            : $"time=\"{time}\" level={level} msg=\"{message.Replace("\"", "\\\"")}\"";
        try { File.AppendAllText(path, line + "\n"); }
        catch (IOException) { }
    }

    private static string JsonLine(string level, string msg, string time)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("level", level);
            w.WriteString("msg", msg);
            w.WriteString("time", time);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
