using Warren.Linux;
using Warren.Oci;

namespace Warren.Runtime.Init;

/// <summary>/dev inside the container: the default nodes, linux.devices, and the standard symlinks.</summary>
internal static class DevSetup
{
    private static readonly (string Path, uint Major, uint Minor)[] Defaults =
    {
        ("/dev/null", 1, 3), ("/dev/zero", 1, 5), ("/dev/full", 1, 7), ("/dev/random", 1, 8),
        ("/dev/urandom", 1, 9), ("/dev/tty", 5, 0),
    };

    /// <summary>True when the config mounts something of its own at /dev (then warren populates it).</summary>
    public static bool OwnsDev(Spec spec) =>
        spec.Mounts?.Any(m => m.Destination?.TrimEnd('/') == "/dev") == true;

    public static void CreateDevices(InRoot root, Spec spec, bool populateDefaults)
    {
        if (populateDefaults)
            foreach (var (path, major, minor) in Defaults)
                CreateNode(root, path, 'c', major, minor, 0x1b6, 0, 0);
        foreach (var d in spec.Linux?.Devices ?? new())
        {
            char type = (d.Type ?? "c")[0];
            CreateNode(root, d.Path!, type, (uint)d.Major, (uint)d.Minor, d.FileMode ?? 0x1b6, d.Uid ?? 0, d.Gid ?? 0);
        }
    }

    private static void CreateNode(InRoot root, string path, char type, uint major, uint minor, uint mode, uint uid, uint gid)
    {
        uint fmt = type switch
        {
            'c' or 'u' => Stat.S_IFCHR,
            'b' => Stat.S_IFBLK,
            'p' => Stat.S_IFIFO,
            _ => throw new InvalidOperationException($"linux.devices[{path}]: unknown device type \"{type}\""),
        };
        var (dir, name) = root.OpenParent(path);
        try
        {
            Sys.UnlinkAt(dir, name, 0);
            try
            {
                Sys.MknodAt(dir, name, fmt | (mode & 0xfff), major, minor, root.Display(path));
            }
            catch (SyscallException e) when (e.Errno == Errno.EPERM && fmt != Stat.S_IFIFO)
            {
                // In a user namespace mknod is not allowed: bind the host's node instead (runc does the same).
                BindHostNode(root, dir, name, path);
                return;
            }
            int fd = Sys.OpenAt(dir, name, O.PATH | O.NOFOLLOW);
            try
            {
                ChownChmod(fd, uid, gid, mode & 0xfff, root.Display(path));
            }
            finally { Sys.Close(fd); }
        }
        finally { Sys.Close(dir); }
    }

    private static void BindHostNode(InRoot root, int dir, string name, string path)
    {
        int f = Sys.OpenAt(dir, name, O.CREAT | O.WRONLY | O.NOFOLLOW, 0x1a4);
        Sys.Close(f);
        int fd = root.Open(path);
        try { Sys.MountAt(path, fd, root.Display(path), null, MS.BIND); }
        finally { Sys.Close(fd); }
    }

    private static void ChownChmod(int fd, uint uid, uint gid, uint mode, string display)
    {
        string p = $"/proc/self/fd/{fd}";
        // chmod bypasses the umask that shaped the mknod mode; chown through the O_PATH fd.
        if (NativeFs.Chmod(p, mode) != 0) throw new SyscallException("chmod", display, Sys.Errno);
        if (NativeFs.Chown(p, uid, gid) != 0) throw new SyscallException("chown", display, Sys.Errno);
    }

    /// <summary>fd, stdin, stdout, stderr, ptmx and core links.</summary>
    public static void CreateSymlinks(InRoot root)
    {
        var links = new List<(string, string)>
        {
            ("/proc/self/fd", "/dev/fd"), ("/proc/self/fd/0", "/dev/stdin"), ("/proc/self/fd/1", "/dev/stdout"),
            ("/proc/self/fd/2", "/dev/stderr"), ("pts/ptmx", "/dev/ptmx"),
        };
        if (File.Exists("/proc/kcore")) links.Add(("/proc/kcore", "/dev/core"));
        foreach (var (target, link) in links)
        {
            var (dir, name) = root.OpenParent(link);
            try
            {
                if (name == "ptmx") Sys.UnlinkAt(dir, name, 0);
                int err = Sys.SymlinkAt(target, dir, name);
                if (err != 0 && err != Errno.EEXIST) throw new SyscallException("symlink", root.Display(link), err);
            }
            finally { Sys.Close(dir); }
        }
    }
}
