namespace Warren.Oci;

/// <summary>mount(2) MS_* flag bits.</summary>
public static class MountFlags
{
    public const ulong MS_RDONLY = 1;
    public const ulong MS_NOSUID = 2;
    public const ulong MS_NODEV = 4;
    public const ulong MS_NOEXEC = 8;
    public const ulong MS_SYNCHRONOUS = 16;
    public const ulong MS_REMOUNT = 32;
    public const ulong MS_MANDLOCK = 64;
    public const ulong MS_DIRSYNC = 128;
    public const ulong MS_NOSYMFOLLOW = 256;
    public const ulong MS_NOATIME = 1024;
    public const ulong MS_NODIRATIME = 2048;
    public const ulong MS_BIND = 4096;
    public const ulong MS_REC = 16384;
    public const ulong MS_SILENT = 32768;
    public const ulong MS_UNBINDABLE = 1UL << 17;
    public const ulong MS_PRIVATE = 1UL << 18;
    public const ulong MS_SLAVE = 1UL << 19;
    public const ulong MS_SHARED = 1UL << 20;
    public const ulong MS_RELATIME = 1UL << 21;
    public const ulong MS_STRICTATIME = 1UL << 24;
    public const ulong MS_LAZYTIME = 1UL << 25;
}

/// <summary>mount_setattr(2) MOUNT_ATTR_* bits.</summary>
public static class MountAttr
{
    public const ulong MOUNT_ATTR_RDONLY = 0x1;
    public const ulong MOUNT_ATTR_NOSUID = 0x2;
    public const ulong MOUNT_ATTR_NODEV = 0x4;
    public const ulong MOUNT_ATTR_NOEXEC = 0x8;
    /// <summary>Mask of the atime setting; when any atime change is wanted attr_clr must contain the whole mask.</summary>
    public const ulong MOUNT_ATTR__ATIME = 0x70;
    public const ulong MOUNT_ATTR_RELATIME = 0x0;
    public const ulong MOUNT_ATTR_NOATIME = 0x10;
    public const ulong MOUNT_ATTR_STRICTATIME = 0x20;
    public const ulong MOUNT_ATTR_NODIRATIME = 0x80;
    public const ulong MOUNT_ATTR_IDMAP = 0x100000;
}
