using System.Runtime.InteropServices;

namespace Warren.Linux;

/// <summary>File attribute calls that return 0 or -1 (errno in <see cref="Sys.Errno"/>).</summary>
public static partial class NativeFs
{
    [LibraryImport(Libc.Name, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chmod(string path, uint mode);

    [LibraryImport(Libc.Name, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint uid, uint gid);

    [LibraryImport(Libc.Name, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Access(string path, int mode);
}
