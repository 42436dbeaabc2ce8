using Warren.Linux;

namespace Warren.Runtime.Init;

/// <summary>Writes to the container's procfs, checking each write lands on a real procfs file.</summary>
internal static class Sysctl
{
    public static void Write(string key, string value)
    {
        // "net.ipv4.ip_forward" or "net/ipv4/conf/eth0.100/forwarding" (slashes keep dots in names).
        string rel = key.Contains('/') ? key : key.Replace('.', '/');
        if (rel.Split('/').Any(p => p is "" or "." or ".."))
            throw new InvalidOperationException($"linux.sysctl: invalid key \"{key}\"");
        WriteProc("/proc/sys/" + rel, value, $"linux.sysctl[{key}]");
    }

    public static void WriteProc(string path, string value, string? field = null)
    {
        int fd = Sys.TryOpen(path, O.WRONLY | O.NOFOLLOW);
        if (fd < 0) throw new SyscallException("open", field is null ? path : $"{path} ({field})", -fd);
        try
        {
            var (type, _) = Sys.Fstatfs(fd, path);
            if (type != Sys.PROC_SUPER_MAGIC)
                throw new InvalidOperationException($"{field ?? path}: {path} is not on procfs");
            Sys.WriteAll(fd, System.Text.Encoding.UTF8.GetBytes(value), path);
        }
        finally { Sys.Close(fd); }
    }
}
