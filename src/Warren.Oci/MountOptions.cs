using static Warren.Oci.MountAttr;
using static Warren.Oci.MountFlags;

namespace Warren.Oci;

/// <summary>
/// A mount's "options" list split into what mount(2) / mount_setattr(2) need.
/// Later options override earlier ones ("ro,rw" is read-write).
/// </summary>
public sealed record MountOptions
{
    /// <summary>MS_* bits to pass to mount(2) (includes MS_BIND|MS_REC for bind/rbind).</summary>
    public ulong Flags { get; init; }
    /// <summary>MS_* bits explicitly negated by an option ("rw", "suid", "dev", "exec", "atime", ...).</summary>
    public ulong ClearFlags { get; init; }
    /// <summary>The last propagation option (MS_PRIVATE/SLAVE/SHARED/UNBINDABLE, with MS_REC for r-variants); 0 if none.</summary>
    public ulong PropagationFlags { get; init; }
    /// <summary>Every propagation option in order, for runtimes that apply each.</summary>
    public IReadOnlyList<ulong> Propagations { get; init; } = [];
    public bool Bind { get; init; }
    /// <summary>"rbind".</summary>
    public bool Recursive { get; init; }
    /// <summary>"rro": make the whole tree read-only via mount_setattr(AT_RECURSIVE).</summary>
    public bool RecursiveReadonly { get; init; }
    /// <summary>MOUNT_ATTR_* bits to set recursively (from rro, rnosuid, rnoatime, ...).</summary>
    public ulong RecAttrSet { get; init; }
    /// <summary>MOUNT_ATTR_* bits to clear recursively (from rrw, rsuid, ratime, ...).</summary>
    public ulong RecAttrClear { get; init; }
    /// <summary>"idmap" or "ridmap".</summary>
    public bool Idmap { get; init; }
    /// <summary>"ridmap".</summary>
    public bool RecursiveIdmap { get; init; }
    /// <summary>"tmpcopyup": copy the underlying directory's contents into a new tmpfs.</summary>
    public bool TmpCopyUp { get; init; }
    /// <summary>Filesystem-specific options left for the kernel, comma-joined in original order.</summary>
    public string Data { get; init; } = "";

    public bool HasRecursiveAttrs => RecAttrSet != 0 || RecAttrClear != 0;

    private enum Kind { Set, Clear, Propagation, RecSet, RecClear, RecAtime }

    private readonly record struct Entry(Kind Kind, ulong Bits);

    private static readonly Dictionary<string, Entry> Table = new(StringComparer.Ordinal)
    {
        ["ro"] = new(Kind.Set, MS_RDONLY),
        ["rw"] = new(Kind.Clear, MS_RDONLY),
        ["nosuid"] = new(Kind.Set, MS_NOSUID),
        ["suid"] = new(Kind.Clear, MS_NOSUID),
        ["nodev"] = new(Kind.Set, MS_NODEV),
        ["dev"] = new(Kind.Clear, MS_NODEV),
        ["noexec"] = new(Kind.Set, MS_NOEXEC),
        ["exec"] = new(Kind.Clear, MS_NOEXEC),
        ["sync"] = new(Kind.Set, MS_SYNCHRONOUS),
        ["async"] = new(Kind.Clear, MS_SYNCHRONOUS),
        ["remount"] = new(Kind.Set, MS_REMOUNT),
        ["mand"] = new(Kind.Set, MS_MANDLOCK),
        ["nomand"] = new(Kind.Clear, MS_MANDLOCK),
        ["dirsync"] = new(Kind.Set, MS_DIRSYNC),
        ["nosymfollow"] = new(Kind.Set, MS_NOSYMFOLLOW),
        ["symfollow"] = new(Kind.Clear, MS_NOSYMFOLLOW),
        ["noatime"] = new(Kind.Set, MS_NOATIME),
        ["atime"] = new(Kind.Clear, MS_NOATIME),
        ["nodiratime"] = new(Kind.Set, MS_NODIRATIME),
        ["diratime"] = new(Kind.Clear, MS_NODIRATIME),
        ["relatime"] = new(Kind.Set, MS_RELATIME),
        ["norelatime"] = new(Kind.Clear, MS_RELATIME),
        ["strictatime"] = new(Kind.Set, MS_STRICTATIME),
        ["nostrictatime"] = new(Kind.Clear, MS_STRICTATIME),
        ["lazytime"] = new(Kind.Set, MS_LAZYTIME),
        ["nolazytime"] = new(Kind.Clear, MS_LAZYTIME),
        ["silent"] = new(Kind.Set, MS_SILENT),
        ["loud"] = new(Kind.Clear, MS_SILENT),

        ["private"] = new(Kind.Propagation, MS_PRIVATE),
        ["rprivate"] = new(Kind.Propagation, MS_PRIVATE | MS_REC),
        ["slave"] = new(Kind.Propagation, MS_SLAVE),
        ["rslave"] = new(Kind.Propagation, MS_SLAVE | MS_REC),
        ["shared"] = new(Kind.Propagation, MS_SHARED),
        ["rshared"] = new(Kind.Propagation, MS_SHARED | MS_REC),
        ["unbindable"] = new(Kind.Propagation, MS_UNBINDABLE),
        ["runbindable"] = new(Kind.Propagation, MS_UNBINDABLE | MS_REC),

        ["rro"] = new(Kind.RecSet, MOUNT_ATTR_RDONLY),
        ["rrw"] = new(Kind.RecClear, MOUNT_ATTR_RDONLY),
        ["rnosuid"] = new(Kind.RecSet, MOUNT_ATTR_NOSUID),
        ["rsuid"] = new(Kind.RecClear, MOUNT_ATTR_NOSUID),
        ["rnodev"] = new(Kind.RecSet, MOUNT_ATTR_NODEV),
        ["rdev"] = new(Kind.RecClear, MOUNT_ATTR_NODEV),
        ["rnoexec"] = new(Kind.RecSet, MOUNT_ATTR_NOEXEC),
        ["rexec"] = new(Kind.RecClear, MOUNT_ATTR_NOEXEC),
        ["rnodiratime"] = new(Kind.RecSet, MOUNT_ATTR_NODIRATIME),
        ["rdiratime"] = new(Kind.RecClear, MOUNT_ATTR_NODIRATIME),
        // The atime mode is one value within MOUNT_ATTR__ATIME: the kernel wants the whole
        // mask cleared and the chosen mode set. Negative forms fall back to the default (relatime),
        // except "rnorelatime", which asks for the non-relative behaviour (strictatime).
        ["rrelatime"] = new(Kind.RecAtime, MOUNT_ATTR_RELATIME),
        ["rnorelatime"] = new(Kind.RecAtime, MOUNT_ATTR_STRICTATIME),
        ["rnoatime"] = new(Kind.RecAtime, MOUNT_ATTR_NOATIME),
        ["ratime"] = new(Kind.RecAtime, MOUNT_ATTR_RELATIME),
        ["rstrictatime"] = new(Kind.RecAtime, MOUNT_ATTR_STRICTATIME),
        ["rnostrictatime"] = new(Kind.RecAtime, MOUNT_ATTR_RELATIME),
    };

    /// <summary>Every option name this parser interprets itself (for the features document).</summary>
    public static IReadOnlyCollection<string> KnownOptions { get; } =
        [.. Table.Keys, "defaults", "bind", "rbind", "idmap", "ridmap", "tmpcopyup"];

    public static MountOptions Parse(IEnumerable<string>? options)
    {
        ulong flags = 0, clear = 0, prop = 0, recSet = 0, recClear = 0;
        bool bind = false, recursive = false, idmap = false, ridmap = false, tmpcopyup = false;
        var props = new List<ulong>();
        var data = new List<string>();

        foreach (var raw in options ?? [])
        {
            if (string.IsNullOrEmpty(raw))
                continue;
            switch (raw)
            {
                case "defaults":
                    continue;
                case "bind":
                    bind = true;
                    flags |= MS_BIND;
                    continue;
                case "rbind":
                    bind = recursive = true;
                    flags |= MS_BIND | MS_REC;
                    continue;
                case "idmap":
                    idmap = true;
                    continue;
                case "ridmap":
                    idmap = ridmap = true;
                    continue;
                case "tmpcopyup":
                    tmpcopyup = true;
                    continue;
            }

            if (!Table.TryGetValue(raw, out var e))
            {
                data.Add(raw);
                continue;
            }
            switch (e.Kind)
            {
                case Kind.Set:
                    flags |= e.Bits;
                    clear &= ~e.Bits;
                    break;
                case Kind.Clear:
                    flags &= ~e.Bits;
                    clear |= e.Bits;
                    break;
                case Kind.Propagation:
                    prop = e.Bits;
                    props.Add(e.Bits);
                    break;
                case Kind.RecSet:
                    recSet |= e.Bits;
                    recClear &= ~e.Bits;
                    break;
                case Kind.RecClear:
                    recSet &= ~e.Bits;
                    recClear |= e.Bits;
                    break;
                case Kind.RecAtime:
                    recSet = (recSet & ~MOUNT_ATTR__ATIME) | e.Bits;
                    recClear |= MOUNT_ATTR__ATIME;
                    break;
            }
        }

        return new MountOptions
        {
            Flags = flags,
            ClearFlags = clear,
            PropagationFlags = prop,
            Propagations = props,
            Bind = bind,
            Recursive = recursive,
            RecursiveReadonly = (recSet & MOUNT_ATTR_RDONLY) != 0,
            RecAttrSet = recSet,
            RecAttrClear = recClear,
            Idmap = idmap,
            RecursiveIdmap = ridmap,
            TmpCopyUp = tmpcopyup,
            Data = string.Join(',', data),
        };
    }
}
