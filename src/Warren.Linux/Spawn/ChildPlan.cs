using System.Runtime.InteropServices;
using System.Text;

namespace Warren.Linux.Spawn;

/// <summary>
/// Everything the first-stage child touches, laid out in native memory before the clone so the child
/// needs no managed allocation, no lazy binding and no string handling (DESIGN 3.1).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ChildPlan
{
    public delegate* unmanaged[Cdecl, SuppressGCTransition]<long, long, long, long, long, long, long, long> Syscall;
    public delegate* unmanaged[Cdecl, SuppressGCTransition]<int*> ErrnoLocation;
    public long CloneFlags;
    public long UnshareFlags;
    public int SyncFd;
    public int ExecFd;
    public int JoinCount;
    public int SetIds;
    public int ForkAfter;
    public int TimeOffsetsLen;
    public int* JoinFds;
    public long* JoinTypes;
    public byte* TimeOffsets;
    public byte* TimensPath;
    public byte** Argv;
    public byte** Envp;
    public byte* Empty;
    public byte* SigDefault; // a zeroed kernel struct sigaction: SIG_DFL, no flags, empty mask
    public ulong EmptyMask;
    public int InheritCount;
    public int* InheritFds;
    public int TaskFileCount;
    public byte** TaskFiles;
    public byte* Zero;       // "0": the calling thread, for a v1 tasks file
    public CloneArgs* Clone3; // non-null: clone3 with CLONE_INTO_CGROUP
}

/// <summary>struct clone_args (CLONE_ARGS_SIZE_VER2).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CloneArgs
{
    public ulong Flags, Pidfd, ChildTid, ParentTid, ExitSignal, Stack, StackSize, Tls, SetTid, SetTidSize, Cgroup;
}

/// <summary>Owns the native memory of one <see cref="ChildPlan"/>.</summary>
internal sealed unsafe class NativeArena : IDisposable
{
    private readonly List<nint> _blocks = new();

    public T* Alloc<T>(int count = 1) where T : unmanaged
    {
        var p = NativeMemory.AllocZeroed((nuint)(sizeof(T) * Math.Max(count, 1)));
        _blocks.Add((nint)p);
        return (T*)p;
    }

    public byte* Str(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = Alloc<byte>(n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        return p;
    }

    public byte** StrArray(IReadOnlyList<string> items)
    {
        byte** arr = Alloc<nint>(items.Count + 1) is var a ? (byte**)a : null;
        for (int i = 0; i < items.Count; i++) arr[i] = Str(items[i]);
        return arr;
    }

    public void Dispose()
    {
        foreach (var b in _blocks) NativeMemory.Free((void*)b);
        _blocks.Clear();
    }
}
