using Warren.Linux;

namespace Warren.Runtime.Init;

/// <summary>
/// Paths inside the container's root filesystem, resolved with openat2(RESOLVE_IN_ROOT) so that no symlink
/// in the rootfs can lead a mount, mknod or mkdir out of it. Operations then act on /proc/self/fd/N.
/// </summary>
public sealed class InRoot : IDisposable
{
    public int RootFd { get; }
    public string RootPath { get; }

    public InRoot(string rootPath)
    {
        RootPath = rootPath;
        RootFd = Sys.Open(rootPath, O.PATH | O.DIRECTORY);
    }

    private const ulong Rules = Resolve.IN_ROOT | Resolve.NO_MAGICLINKS;

    /// <summary>Opens an existing path (O_PATH), or returns -errno.</summary>
    public int TryOpen(string path, int flags = O.PATH) => Sys.TryOpenAt2(RootFd, Rel(path), flags, Rules);

    public int Open(string path, int flags = O.PATH)
    {
        int fd = TryOpen(path, flags);
        return fd < 0 ? throw new SyscallException("openat2", Display(path), -fd) : fd;
    }

    /// <summary>Creates the directories of <paramref name="path"/> that are missing, each resolved in root.</summary>
    public void MkdirAll(string path, uint mode = 0x1ed)
    {
        var parts = Rel(path).Split('/', StringSplitOptions.RemoveEmptyEntries);
        string cur = "";
        foreach (var part in parts)
        {
            string next = cur.Length == 0 ? part : cur + "/" + part;
            int fd = TryOpen(next, O.PATH | O.DIRECTORY);
            if (fd >= 0) { Sys.Close(fd); cur = next; continue; }
            if (-fd == Errno.ENOTDIR) throw new SyscallException("mkdir", Display("/" + next), Errno.ENOTDIR);
            if (-fd != Errno.ENOENT) throw new SyscallException("openat2", Display("/" + next), -fd);
            int parent = cur.Length == 0 ? Sys.OpenAt(RootFd, ".", O.PATH | O.DIRECTORY) : Open(cur, O.PATH | O.DIRECTORY);
            try
            {
                int err = Sys.MkdirAt(parent, part, mode);
                if (err != 0 && err != Errno.EEXIST) throw new SyscallException("mkdir", Display("/" + next), err);
            }
            finally { Sys.Close(parent); }
            cur = next;
        }
    }

    /// <summary>Makes sure <paramref name="path"/> exists as a directory or (when !dir) as a regular file.</summary>
    public void Ensure(string path, bool dir)
    {
        if (dir) { MkdirAll(path); return; }
        int fd = TryOpen(path);
        if (fd >= 0) { Sys.Close(fd); return; }
        var (parent, name) = OpenParent(path);
        try
        {
            int f = Sys.OpenAt(parent, name, O.CREAT | O.WRONLY | O.NOFOLLOW, 0x1a4);
            Sys.Close(f);
        }
        catch (SyscallException e) { throw new SyscallException("create", Display(path), e.Errno); }
        finally { Sys.Close(parent); }
    }

    /// <summary>Opens (creating as needed) the parent directory; returns it with the last component.</summary>
    public (int Dir, string Name) OpenParent(string path)
    {
        var rel = Rel(path).TrimEnd('/');
        int slash = rel.LastIndexOf('/');
        string parent = slash < 0 ? "" : rel[..slash];
        string name = slash < 0 ? rel : rel[(slash + 1)..];
        if (parent.Length > 0) MkdirAll(parent);
        int fd = parent.Length == 0 ? Sys.OpenAt(RootFd, ".", O.PATH | O.DIRECTORY) : Open(parent, O.PATH | O.DIRECTORY);
        return (fd, name);
    }

    public string Display(string path) => System.IO.Path.Join(RootPath, Rel(path));

    private static string Rel(string path) => path.TrimStart('/') is { Length: > 0 } r ? r : ".";

    public void Dispose() => Sys.Close(RootFd);
}
