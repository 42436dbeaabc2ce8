using System.Runtime.InteropServices;

namespace Warren.Linux;

public static unsafe partial class Sys
{
    /// <summary>execve(2); returns errno only if the exec failed.</summary>
    public static int Execve(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env)
    {
        var a = NativeStrings(argv);
        var e = NativeStrings(env);
        var p = Utf8Z(path);
        fixed (byte* pp = p) Libc.execve(pp, a, e);
        return Errno;
    }

    /// <summary>A NULL-terminated native string array. execve does not free it (on success the image is
    /// replaced; on failure the caller exits); other callers free each string and the array.</summary>
    internal static byte** NativeStrings(IReadOnlyList<string> items)
    {
        var arr = (byte**)NativeMemory.AllocZeroed((nuint)((items.Count + 1) * sizeof(nint)));
        for (int i = 0; i < items.Count; i++)
        {
            var b = Utf8Z(items[i]);
            var mem = (byte*)NativeMemory.Alloc((nuint)b.Length);
            b.CopyTo(new Span<byte>(mem, b.Length));
            arr[i] = mem;
        }
        return arr;
    }
}
