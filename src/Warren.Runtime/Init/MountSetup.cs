using Warren.Linux;
using Warren.Oci;
using OciMount = Warren.Oci.Mount;

namespace Warren.Runtime.Init;

/// <summary>Performs the config's mounts, in order, inside the new root (before pivot_root).</summary>
internal sealed class MountSetup
{
    private readonly InRoot _root;
    private readonly InitRequest _req;

    public MountSetup(InRoot root, InitRequest req)
    {
        _root = root;
        _req = req;
    }

    /// <summary>Options the model knows but warren does not apply yet: refused rather than ignored.</summary>
    public static readonly string[] UnsupportedOptions = { "tmpcopyup" };

    public static void CheckSupported(OciMount m)
    {
        foreach (var o in m.Options ?? new())
            if (UnsupportedOptions.Contains(o))
                throw new InvalidOperationException($"mounts[{m.Destination}]: option \"{o}\" is not supported by warren yet");
        if ((m.UidMappings is { Count: > 0 }) != (m.GidMappings is { Count: > 0 }))
            throw new InvalidOperationException($"mounts[{m.Destination}]: uidMappings and gidMappings go together");
        if (m.UidMappings is { Count: > 0 } && m.Type != "bind" && m.Options?.Contains("bind") != true && m.Options?.Contains("rbind") != true)
            throw new InvalidOperationException($"mounts[{m.Destination}]: uidMappings/gidMappings need a bind mount");
    }

    public void Apply(OciMount m, int index)
    {
        string dest = m.Destination!;
        var opts = MountOptions.Parse(m.Options);
        string type = m.Type ?? "";
        bool bind = opts.Bind || type == "bind";
        try
        {
            if (bind) Bind(m, dest, opts, index);
            else if (type == "cgroup") CgroupMount(dest, opts);
            else Plain(m, dest, type, opts);
        }
        catch (SyscallException e)
        {
            throw new InvalidOperationException($"mounts[{dest}]: {e.Message}", e);
        }
    }

    private void Plain(OciMount m, string dest, string type, MountOptions opts)
    {
        if (type is "proc" or "sysfs") RefuseSymlink(dest, type);
        _root.MkdirAll(dest);
        int fd = _root.Open(dest);
        try
        {
            string source = string.IsNullOrEmpty(m.Source) ? type : m.Source!;
            ulong flags = opts.Flags & ~MS.PropagationMask;
            string? mountLabel = _req.Final.Lsm?.MountLabel;
            int err = Sys.TryMount(source, $"/proc/self/fd/{fd}", type, flags, Security.Lsm.MountData(type, opts.Data, mountLabel));
            if (err == Errno.EPERM && type == "sysfs")
            {
                // Without a network namespace of its own the container may not mount sysfs: bind the host's.
                Sys.MountAt("/sys", fd, _root.Display(dest), null, MS.BIND | MS.REC);
                Remount(dest, flags | MS.BIND | MS.REC);
            }
            else if (err != 0) throw new SyscallException("mount", $"{_root.Display(dest)} ({type})", err);
            else if (mountLabel is not null && Security.Lsm.LabelsRoot(type)) LabelNewMount(dest, mountLabel);
        }
        finally { Sys.Close(fd); }
        Propagate(dest, opts);
        if (opts.HasRecursiveAttrs) SetRecursiveAttrs(dest, opts);
    }

    private void LabelNewMount(string dest, string mountLabel)
    {
        int root = _root.Open(dest); // the new mount's root, not the directory under it
        try { Security.Lsm.LabelMountRoot(root, _root.Display(dest), mountLabel); }
        finally { Sys.Close(root); }
    }

    private void Bind(OciMount m, string dest, MountOptions opts, int index)
    {
        if (opts.Idmap || opts.RecursiveIdmap || m.UidMappings is { Count: > 0 })
        {
            IdmappedBind(index, dest, opts); // the parent opened the source: a remapped root may not reach it
            return;
        }
        string source = m.Source ?? throw new InvalidOperationException($"mounts[{dest}]: a bind mount needs a source");
        if (!source.StartsWith('/')) source = Path.Combine(_req.Bundle, source);
        if (!Sys.TryStat(source, out var st))
            throw new SyscallException("stat", source, Sys.Errno);
        _root.Ensure(dest, st.IsDirectory);
        int src = Sys.Open(source, O.PATH);
        int fd = _root.Open(dest);
        try
        {
            if (Sys.TryMount($"/proc/self/fd/{src}", $"/proc/self/fd/{fd}", null, MS.BIND | (opts.Recursive ? MS.REC : 0)) is var err && err != 0)
                throw new SyscallException("mount", $"{source} on {_root.Display(dest)} (bind)", err);
        }
        finally { Sys.Close(fd); Sys.Close(src); }
        ulong extra = opts.Flags & ~(MS.BIND | MS.REC | MS.PropagationMask);
        if (extra != 0) Remount(dest, extra | MS.BIND);
        Propagate(dest, opts);
        if (opts.HasRecursiveAttrs) SetRecursiveAttrs(dest, opts);
    }

    /// <summary>
    /// CVE-2023-28642 / CVE-2019-16884: procfs and sysfs must be mounted where the config says, not where a
    /// symlink in the image points; warren's later checks and writes assume /proc is procfs.
    /// </summary>
    private void RefuseSymlink(string dest, string type)
    {
        int fd = Sys.TryOpenAt2(_root.RootFd, dest.TrimStart('/'), O.PATH, Resolve.IN_ROOT | Resolve.NO_SYMLINKS);
        if (fd == -Errno.ELOOP)
            throw new InvalidOperationException($"mounts[{dest}]: {type} destination {dest} is a symlink in the rootfs; refusing to follow it");
        Sys.Close(fd);
    }

    /// <summary>Detached id-mapped trees the parent sent, by mount index.</summary>
    public Dictionary<int, int> IdmapTrees { get; } = new();

    /// <summary>"idmap"/"ridmap": move the tree the parent id-mapped through our user namespace onto the destination.</summary>
    private void IdmappedBind(int index, string dest, MountOptions opts)
    {
        if (!IdmapTrees.Remove(index, out int tree))
            throw new InvalidOperationException($"mounts[{dest}]: \"idmap\" needs the container to have a user namespace of its own");
        int fd = -1;
        try
        {
            _root.Ensure(dest, Sys.Fstat(tree, dest).IsDirectory);
            fd = _root.Open(dest);
            Sys.MoveMountOnto(tree, fd, _root.Display(dest));
        }
        finally
        {
            Sys.Close(fd);
            Sys.Close(tree);
        }
        ulong extra = opts.Flags & ~(MS.BIND | MS.REC | MS.PropagationMask);
        if (extra != 0) Remount(dest, extra | MS.BIND);
        Propagate(dest, opts);
    }

    /// <summary>Remounts the mount now on top of <paramref name="dest"/>, keeping flags the kernel has locked.</summary>
    /// <param name="keepCurrent">Keep the flags the mount has now (nosuid, nodev...) besides the new ones.</param>
    private void Remount(string dest, ulong flags, bool keepCurrent = false) => Remount(_root, dest, flags, keepCurrent);

    internal static void Remount(InRoot root, string dest, ulong flags, bool keepCurrent = false)
    {
        int fd = root.Open(dest);
        try
        {
            if (keepCurrent) flags |= Sys.Fstatfs(fd, root.Display(dest)).MountFlags;
            int err = Sys.TryMount(null, $"/proc/self/fd/{fd}", null, flags | MS.REMOUNT);
            if (err == Errno.EPERM)
            {
                var (_, current) = Sys.Fstatfs(fd, root.Display(dest));
                err = Sys.TryMount(null, $"/proc/self/fd/{fd}", null, flags | MS.REMOUNT | (current & ~MS.RDONLY));
            }
            if (err != 0) throw new SyscallException("remount", root.Display(dest), err);
        }
        finally { Sys.Close(fd); }
    }

    private void Propagate(string dest, MountOptions opts)
    {
        if (opts.Propagations.Count == 0) return;
        int fd = _root.Open(dest);
        try
        {
            foreach (var p in opts.Propagations)
                Sys.MountAt(null, fd, _root.Display(dest), null, p);
        }
        finally { Sys.Close(fd); }
    }

    private void SetRecursiveAttrs(string dest, MountOptions opts)
    {
        int fd = _root.Open(dest);
        try
        {
            Sys.MountSetAttr(fd, "", AT.EMPTY_PATH | AT.RECURSIVE, opts.RecAttrSet, opts.RecAttrClear,
                display: _root.Display(dest));
        }
        finally { Sys.Close(fd); }
    }

    /// <summary>
    /// Without a cgroup namespace a cgroup mount shows the host's whole tree: cover it with a bind of the
    /// container's own directory, as runc does, so the container still sees only its subtree.
    /// </summary>
    private void ShowOwnSubtree(string mountPoint)
    {
        if (_req.UnshareCgroupNs || _req.CgroupRelPath is "/" or "") return;
        string own = mountPoint.TrimEnd('/') + _req.CgroupRelPath;
        int src = _root.TryOpen(own, O.PATH | O.DIRECTORY);
        if (src < 0) return; // a hierarchy the container has no directory in
        int fd = _root.Open(mountPoint);
        try
        {
            if (Sys.TryMount($"/proc/self/fd/{src}", $"/proc/self/fd/{fd}", null, MS.BIND) is var err && err != 0)
                throw new SyscallException("mount", $"{_root.Display(own)} on {_root.Display(mountPoint)} (bind)", err);
        }
        finally { Sys.Close(fd); Sys.Close(src); }
    }

    /// <summary>
    /// "cgroup" mounts: cgroup2 on a v2 host; on v1 and hybrid hosts a tmpfs with one mount per hierarchy,
    /// as runc does. With a cgroup namespace each shows only the container's own subtree.
    /// </summary>
    private void CgroupMount(string dest, MountOptions opts)
    {
        ulong flags = opts.Flags & ~MS.PropagationMask & ~MS.BIND & ~MS.REC;
        _root.MkdirAll(dest);
        if (_req.CgroupV2Only)
        {
            int fd = _root.Open(dest);
            try { Sys.MountAt("cgroup2", fd, _root.Display(dest), "cgroup2", flags); }
            finally { Sys.Close(fd); }
            ShowOwnSubtree(dest);
            return;
        }
        int tfd = _root.Open(dest);
        try { Sys.MountAt("tmpfs", tfd, _root.Display(dest), "tmpfs", flags & ~MS.RDONLY, Security.Lsm.MountData("tmpfs", "mode=755", _req.Final.Lsm?.MountLabel)); }
        finally { Sys.Close(tfd); }
        foreach (var (ctrls, _) in _req.CgroupHierarchies)
        {
            bool unified = ctrls == "unified";
            string name = unified ? "unified" : ctrls.StartsWith("name=") ? ctrls[5..] : ctrls;
            string sub = dest.TrimEnd('/') + "/" + name;
            _root.MkdirAll(sub);
            int fd = _root.Open(sub);
            try
            {
                if (unified) Sys.MountAt("cgroup2", fd, _root.Display(sub), "cgroup2", flags);
                else Sys.MountAt("cgroup", fd, _root.Display(sub), "cgroup", flags, ctrls);
            }
            finally { Sys.Close(fd); }
            ShowOwnSubtree(sub);
        }
        if ((flags & MS.RDONLY) != 0) Remount(dest, MS.BIND | MS.RDONLY | (flags & ~MS.RDONLY));
    }
}
