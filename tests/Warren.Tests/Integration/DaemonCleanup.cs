using System.Diagnostics;

namespace Warren.Tests.Integration;

/// <summary>What a test's private daemon (containerd, dockerd) leaves behind by design, removed.</summary>
public static class DaemonCleanup
{
    /// <summary>Kills every process whose command line names <paramref name="marker"/> (its shims, its containerd).</summary>
    public static void KillNaming(string marker)
    {
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out int pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(proc, "cmdline")).Contains(marker)) Process.GetProcessById(pid).Kill();
            }
            catch (Exception) { }
        }
    }

    /// <summary>Lazily unmounts everything below <paramref name="dir"/>, deepest first.</summary>
    public static void UnmountUnder(string dir)
    {
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo").Reverse())
        {
            string mountPoint = line.Split(' ')[4];
            if (mountPoint.StartsWith(dir)) Exec.Run("umount", new[] { "-l", mountPoint });
        }
    }
}
