namespace Warren.Runtime;

/// <summary>What /proc says about a pid: alive (not a zombie) and its start time, to tell pid reuse apart.</summary>
public static class ProcessInfo
{
    /// <summary>(state char, start time) from /proc/PID/stat, or null when the pid does not exist.</summary>
    public static (char State, ulong StartTime)? Read(int pid)
    {
        if (pid <= 0) return null;
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        int close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state); start time is field 22.
        return (fields[0][0], ulong.Parse(fields[19]));
    }

    public static bool IsAlive(int pid, ulong startTime)
    {
        var info = Read(pid);
        return info is { } i && i.State != 'Z' && i.State != 'X' && (startTime == 0 || i.StartTime == startTime);
    }
}
