namespace Warren.Runtime;

/// <summary>Writes a pid file atomically (temporary file + rename), as conmon and containerd read it.</summary>
public static class PidFile
{
    public static void Write(string path, int pid)
    {
        string full = Path.GetFullPath(path);
        string tmp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".tmp");
        File.WriteAllText(tmp, pid.ToString());
        File.Move(tmp, full, overwrite: true);
    }
}
