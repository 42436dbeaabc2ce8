using System.Runtime.InteropServices;

namespace Warren.Linux;

/// <summary>
/// posix_spawn(3) for plain programs such as hooks: glibc starts them with clone(CLONE_VM|CLONE_VFORK) and
/// runs only its own async-signal-safe code in the child, so it is safe from a multithreaded .NET process.
/// Unlike System.Diagnostics.Process it passes argv[0] as given (OCI hooks' args[0]; Docker's
/// libnetwork-setkey hook depends on it).
/// </summary>
public static unsafe partial class PosixSpawn
{
    [LibraryImport(Libc.Name, EntryPoint = "posix_spawn")]
    private static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);
    [LibraryImport(Libc.Name, EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int file_actions_init(void* fa);
    [LibraryImport(Libc.Name, EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static partial int file_actions_adddup2(void* fa, int fd, int newFd);
    [LibraryImport(Libc.Name, EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int file_actions_destroy(void* fa);
    [LibraryImport(Libc.Name, EntryPoint = "posix_spawnattr_init")]
    private static partial int attr_init(void* attr);
    [LibraryImport(Libc.Name, EntryPoint = "posix_spawnattr_setflags")]
    private static partial int attr_setflags(void* attr, short flags);
    [LibraryImport(Libc.Name, EntryPoint = "posix_spawnattr_setsigdefault")]
    private static partial int attr_setsigdefault(void* attr, ulong* set);
    [LibraryImport(Libc.Name, EntryPoint = "posix_spawnattr_setsigmask")]
    private static partial int attr_setsigmask(void* attr, ulong* set);
    [LibraryImport(Libc.Name, EntryPoint = "posix_spawnattr_setpgroup")]
    private static partial int attr_setpgroup(void* attr, int pgroup);
    [LibraryImport(Libc.Name, EntryPoint = "posix_spawnattr_destroy")]
    private static partial int attr_destroy(void* attr);

    private const short SETPGROUP = 0x02, SETSIGDEF = 0x04, SETSIGMASK = 0x08;

    /// <summary>
    /// Starts <paramref name="path"/> with exactly <paramref name="argv"/> and <paramref name="env"/>, the given
    /// fds as its stdin/stdout/stderr, default signal handling, an empty signal mask, and a process group of its
    /// own (so a timeout can kill what it started). Returns the pid.
    /// </summary>
    public static int Start(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, int stdin, int stdout, int stderr)
    {
        // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on x86_64: room to spare.
        byte* fa = stackalloc byte[256];
        byte* attr = stackalloc byte[512];
        ulong* all = stackalloc ulong[16];
        ulong* none = stackalloc ulong[16];
        for (int i = 0; i < 16; i++) { all[i] = ~0UL; none[i] = 0; }
        file_actions_init(fa);
        attr_init(attr);
        var a = Sys.NativeStrings(argv);
        var e = Sys.NativeStrings(env);
        var p = Sys.Utf8Z(path);
        try
        {
            file_actions_adddup2(fa, stdin, 0);
            file_actions_adddup2(fa, stdout, 1);
            file_actions_adddup2(fa, stderr, 2);
            attr_setflags(attr, SETPGROUP | SETSIGDEF | SETSIGMASK);
            attr_setpgroup(attr, 0);
            attr_setsigdefault(attr, all);
            attr_setsigmask(attr, none);
            int pid;
            int err;
            fixed (byte* pp = p) err = posix_spawn(&pid, pp, fa, attr, a, e);
            if (err != 0) throw new SyscallException("posix_spawn", path, err);
            return pid;
        }
        finally
        {
            file_actions_destroy(fa);
            attr_destroy(attr);
            Free(a, argv.Count);
            Free(e, env.Count);
        }
    }

    private static void Free(byte** arr, int count)
    {
        for (int i = 0; i < count; i++) NativeMemory.Free(arr[i]);
        NativeMemory.Free(arr);
    }
}
