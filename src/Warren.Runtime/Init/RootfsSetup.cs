using Warren.Linux;
using Warren.Oci;

namespace Warren.Runtime.Init;

/// <summary>Builds the container's root filesystem and switches to it (pivot_root, or MS_MOVE + chroot).</summary>
internal static class RootfsSetup
{
    public static ulong PropagationFlags(string? name) => name switch
    {
        "private" => MS.PRIVATE, "rprivate" => MS.PRIVATE | MS.REC,
        "slave" => MS.SLAVE, "rslave" => MS.SLAVE | MS.REC,
        "shared" => MS.SHARED, "rshared" => MS.SHARED | MS.REC,
        "unbindable" => MS.UNBINDABLE, "runbindable" => MS.UNBINDABLE | MS.REC,
        _ => 0,
    };

    /// <summary>Everything before pivot_root: propagation, the rootfs bind, the config's mounts, /dev.</summary>
    public static void Prepare(Spec spec, InitRequest req, Dictionary<int, int> idmapTrees)
    {
        ulong prop = PropagationFlags(spec.Linux?.RootfsPropagation);
        // Keep host mount events flowing in (rslave) but never out, unless the config asks otherwise.
        ulong initial = prop != 0 && (prop & MS.SHARED) == 0 ? prop : MS.SLAVE | MS.REC;
        Sys.Mount(null, "/", null, initial);

        string rootfs = req.Rootfs;
        if (!Directory.Exists(rootfs)) throw new InvalidOperationException($"root.path: rootfs {rootfs} does not exist");
        Sys.Mount(rootfs, rootfs, null, MS.BIND | MS.REC);
        // pivot_root refuses a new root whose parent mount is shared.
        MakeParentPrivate(rootfs);

        using var root = new InRoot(rootfs);
        var mounts = new MountSetup(root, req);
        foreach (var (k, v) in idmapTrees) mounts.IdmapTrees[k] = v;
        var list = spec.Mounts ?? new();
        for (int i = 0; i < list.Count; i++) mounts.Apply(list[i], i);

        bool ownsDev = DevSetup.OwnsDev(spec);
        DevSetup.CreateDevices(root, spec, ownsDev);
        if (ownsDev) DevSetup.CreateSymlinks(root);
    }

    private static void MakeParentPrivate(string path)
    {
        for (var p = Path.GetDirectoryName(path); p is not null; p = Path.GetDirectoryName(p))
        {
            int err = Sys.TryMount(null, p, null, MS.PRIVATE);
            if (err == 0) return;
            if (err != Errno.EINVAL) throw new SyscallException("mount (make private)", p, err);
        }
    }

    public static void PivotRoot(string rootfs)
    {
        int oldRoot = Sys.Open("/", O.DIRECTORY | O.RDONLY);
        int newRoot = Sys.Open(rootfs, O.DIRECTORY | O.RDONLY);
        try
        {
            Sys.Fchdir(newRoot, rootfs);
            Sys.PivotRoot(".", ".");
            // The old root is now stacked under the new one at "."; detach it without touching the host.
            Sys.Fchdir(oldRoot, "old root");
            Sys.Mount(null, ".", null, MS.SLAVE | MS.REC);
            Sys.Umount(".", MNT.DETACH);
            Sys.Chdir("/");
        }
        finally
        {
            Sys.Close(oldRoot);
            Sys.Close(newRoot);
        }
    }

    public static void MoveRoot(string rootfs)
    {
        Sys.Chdir(rootfs);
        Sys.Mount(rootfs, "/", null, MS.MOVE);
        Sys.Chroot(".");
        Sys.Chdir("/");
    }

    /// <summary>After the switch: rootfsPropagation, masked and read-only paths, a read-only root.</summary>
    public static void Finish(Spec spec)
    {
        // Private, slave and unbindable were applied before the mounts; shared only now, to the root alone,
        // so the config's own per-mount propagation stays as it asked.
        ulong prop = PropagationFlags(spec.Linux?.RootfsPropagation);
        if ((prop & MS.SHARED) != 0) Sys.Mount(null, "/", null, MS.SHARED);

        using var root = new InRoot("/");
        foreach (var p in spec.Linux?.MaskedPaths ?? new()) Mask(root, p);
        foreach (var p in spec.Linux?.ReadonlyPaths ?? new()) ReadOnly(root, p);
        if (spec.Root?.Readonly == true) MountSetup.Remount(root, "/", MS.BIND | MS.RDONLY, keepCurrent: true);
    }

    private static void Mask(InRoot root, string path)
    {
        int fd = Sys.TryOpenAt2(root.RootFd, path.TrimStart('/'), O.PATH | O.NOFOLLOW, Resolve.NO_SYMLINKS | Resolve.IN_ROOT);
        if (fd == -Errno.ENOENT) return;
        if (fd < 0) throw new SyscallException("open masked path", path, -fd);
        try
        {
            var st = Sys.Fstat(fd, path);
            if (st.IsDirectory)
            {
                Sys.MountAt("tmpfs", fd, path, "tmpfs", MS.RDONLY, "size=0");
                return;
            }
            // Bind the real /dev/null: check it is the 1:3 character device, not something swapped in.
            int nul = Sys.Open("/dev/null", O.PATH | O.NOFOLLOW);
            try
            {
                var ns = Sys.Fstat(nul, "/dev/null");
                if (ns.Type != Stat.S_IFCHR || ns.Major != 1 || ns.Minor != 3)
                    throw new InvalidOperationException("maskedPaths: /dev/null in the container is not the null device");
                if (Sys.TryMount($"/proc/self/fd/{nul}", $"/proc/self/fd/{fd}", null, MS.BIND) is var err && err != 0)
                    throw new SyscallException("mount /dev/null on masked path", path, err);
            }
            finally { Sys.Close(nul); }
        }
        finally { Sys.Close(fd); }
    }

    private static void ReadOnly(InRoot root, string path)
    {
        int fd = Sys.TryOpenAt2(root.RootFd, path.TrimStart('/'), O.PATH | O.NOFOLLOW, Resolve.NO_SYMLINKS | Resolve.IN_ROOT);
        if (fd == -Errno.ENOENT) return;
        if (fd < 0) throw new SyscallException("open readonly path", path, -fd);
        try { Sys.MountAt($"/proc/self/fd/{fd}", fd, path, null, MS.BIND | MS.REC); }
        finally { Sys.Close(fd); }
        MountSetup.Remount(root, path, MS.BIND | MS.REC | MS.RDONLY, keepCurrent: true);
    }
}
