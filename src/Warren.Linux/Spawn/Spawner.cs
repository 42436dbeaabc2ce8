using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Warren.Linux.Spawn;

/// <summary>
/// Creates the first-stage child of a container (DESIGN 3.2-3.3): clone inside a no-GC region with all
/// signals blocked, then a fixed sequence of raw system calls in the child ending in execveat.
/// </summary>
public static unsafe class Spawner
{
    private static readonly object Gate = new();
    private static nint _libc;
    private static delegate* unmanaged[Cdecl, SuppressGCTransition]<long, long, long, long, long, long, long, long> _syscall;
    private static delegate* unmanaged[Cdecl, SuppressGCTransition]<int*> _errno;

    /// <summary>
    /// Allocation budget of the no-GC region around clone. Another thread that allocates past it starts a
    /// GC, whose pending-suspension flag the child would inherit and wait on forever (measured: a 1 MiB
    /// budget hangs within 5 clones under a thread allocating ~800 MB/s; 16 MiB held for 3,000). Nothing
    /// allocates this much in a clone's
    /// few hundred microseconds.
    /// </summary>
    private const long NoGcBudget = 16L << 20;

    private const int SIGCHLD = 17, SIG_SETMASK = 2, F_SETFD = 2;
    private const ulong CLONE_INTO_CGROUP = 0x200000000UL;
    private const long SysFcntl = 72;

    private static void Resolve()
    {
        if (_libc != 0) return;
        _libc = NativeLibrary.Load(Libc.Name);
        _syscall = (delegate* unmanaged[Cdecl, SuppressGCTransition]<long, long, long, long, long, long, long, long>)
            NativeLibrary.GetExport(_libc, "syscall");
        _errno = (delegate* unmanaged[Cdecl, SuppressGCTransition]<int*>)NativeLibrary.GetExport(_libc, "__errno_location");
    }

    /// <summary>
    /// True when the child itself unshares a user namespace (namespaces are also joined by path) and so
    /// sends <see cref="SyncMessage.NeedMaps"/> and waits for a second go-ahead byte.
    /// </summary>
    public static bool ChildAsksForMaps(long newNamespaces, IReadOnlyList<NamespaceJoin> joins) =>
        joins.Count > 0 && (newNamespaces & CloneFlags.NEWUSER) != 0;

    /// <summary>
    /// Clones the first stage and returns its pid (in the caller's PID namespace). The caller owns the
    /// protocol on the sync socket afterwards (go-ahead bytes, maps, pid and failure frames).
    /// </summary>
    public static SpawnResult Spawn(SpawnRequest req)
    {
        var openedJoins = new List<int>();
        using var arena = new NativeArena();
        try
        {
            lock (Gate)
            {
                Resolve();
                var plan = arena.Alloc<ChildPlan>();
                plan->Syscall = _syscall;
                plan->ErrnoLocation = _errno;

                long newNs = req.NewNamespaces;
                bool joinsUser = req.Joins.Any(j => j.Type == CloneFlags.NEWUSER);
                bool joinsPid = req.Joins.Any(j => j.Type == CloneFlags.NEWPID);
                // clone() cannot create a time namespace (0x80 is CSIGNAL there), and a namespace joined by
                // path must be entered before new ones are made, so those cases unshare in the child.
                long unshare = newNs & CloneFlags.NEWTIME;
                long clone = newNs & ~CloneFlags.NEWTIME;
                if (req.Joins.Count > 0) { unshare |= clone; clone = 0; }
                plan->CloneFlags = clone;
                plan->UnshareFlags = unshare;
                plan->ForkAfter = joinsPid || (unshare & CloneFlags.NEWPID) != 0 ? 1 : 0;
                plan->SetIds = joinsUser || (newNs & CloneFlags.NEWUSER) != 0 ? 1 : 0;
                plan->SyncFd = req.ChildSyncFd;
                plan->ExecFd = req.ExecFd;

                // Join a user namespace first: it decides what the others may do.
                var joins = req.Joins.OrderBy(j => j.Type == CloneFlags.NEWUSER ? 0 : 1).ToList();
                plan->JoinCount = joins.Count;
                plan->JoinFds = arena.Alloc<int>(joins.Count);
                plan->JoinTypes = arena.Alloc<long>(joins.Count);
                for (int i = 0; i < joins.Count; i++)
                {
                    int fd = Sys.Open(joins[i].Path, O.RDONLY);
                    openedJoins.Add(fd);
                    plan->JoinFds[i] = fd;
                    plan->JoinTypes[i] = joins[i].Type;
                }
                if (req.TimeOffsets is not null)
                {
                    plan->TimeOffsets = arena.Str(req.TimeOffsets);
                    plan->TimeOffsetsLen = System.Text.Encoding.UTF8.GetByteCount(req.TimeOffsets);
                    plan->TimensPath = arena.Str("/proc/self/timens_offsets");
                }
                plan->Argv = arena.StrArray(req.Argv);
                plan->Envp = arena.StrArray(req.Env);
                plan->Empty = arena.Str("");
                plan->SigDefault = arena.Alloc<byte>(64);
                plan->EmptyMask = 0;
                plan->InheritCount = req.InheritFds.Count;
                plan->InheritFds = arena.Alloc<int>(req.InheritFds.Count);
                for (int i = 0; i < req.InheritFds.Count; i++) plan->InheritFds[i] = req.InheritFds[i];
                plan->TaskFileCount = req.CgroupTaskFiles.Count;
                plan->TaskFiles = arena.StrArray(req.CgroupTaskFiles);
                plan->Zero = arena.Str("0");

                if (req.CgroupFd >= 0)
                {
                    plan->Clone3 = arena.Alloc<CloneArgs>();
                    *plan->Clone3 = new CloneArgs
                    {
                        Flags = (ulong)plan->CloneFlags | CLONE_INTO_CGROUP, ExitSignal = SIGCHLD, Cgroup = (ulong)req.CgroupFd,
                    };
                }
                for (int attempt = 1; ; attempt++)
                {
                    int pid = CloneChild(plan);
                    if (pid < 0 && plan->Clone3 != null)
                    {
                        plan->Clone3 = null; // kernel without clone3 or CLONE_INTO_CGROUP: the caller moves it
                        continue;
                    }
                    if (req.ParentSyncFd < 0 || AwaitAlive(req.ParentSyncFd, pid)) return new SpawnResult(pid, plan->Clone3 != null);
                    if (attempt == MaxAttempts)
                        throw new InvalidOperationException($"the first stage hung in the .NET runtime {MaxAttempts} times in a row");
                }
            }
        }
        finally
        {
            foreach (var fd in openedJoins) Sys.Close(fd);
        }
    }

    private const int MaxAttempts = 5;
    private static int _replaced;

    /// <summary>How many first stages this process found stuck in the runtime and cloned again.</summary>
    public static int HungChildrenReplaced => Volatile.Read(ref _replaced);

    /// <summary>
    /// The no-GC region keeps other threads from starting a GC while we clone, but not always: if this thread
    /// is preempted inside the region and another thread allocates past the budget, a GC starts, and the
    /// child inherits its "threads must stop" flag and waits in the runtime forever (measured: ~1 in 400
    /// clones under a parallel test load with a thread allocating 800 MB/s). Such a child never sends its
    /// first frame, and sits in futex(2): kill it and clone again.
    /// </summary>
    private static bool AwaitAlive(int parentFd, int pid)
    {
        Span<byte> frame = stackalloc byte[SyncMessage.Size];
        Span<PollFd> pfd = stackalloc PollFd[1];
        while (true)
        {
            pfd[0] = new PollFd { Fd = parentFd, Events = 1 /* POLLIN */ };
            if (Sys.Poll(pfd, 50) > 0)
            {
                int n = Sys.TryRead(parentFd, frame);
                if (n == SyncMessage.Size && frame[0] == SyncMessage.Alive) return true;
                throw new InvalidOperationException($"first stage {pid}: unexpected first frame ({n} bytes)");
            }
            if (!InFutexWait(pid)) continue; // slow, not stuck: keep waiting
            Sys.Kill(pid, Sig.KILL);
            Sys.WaitPid(pid, 0x40000000 /* __WALL */);
            Interlocked.Increment(ref _replaced);
            return false;
        }
    }

    private static bool InFutexWait(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/syscall").StartsWith("202 "); }
        catch (IOException) { return false; }
    }

    private static int CloneChild(ChildPlan* plan)
    {
        ulong all = ~0UL, old = 0;
        var sc = plan->Syscall;
        sc(SysNr.rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&old, 8, 0, 0);
        bool noGc = false;
        for (int i = 0; i < 5 && !noGc; i++)
        {
            try { noGc = GC.TryStartNoGCRegion(NoGcBudget); }
            catch (InvalidOperationException) { noGc = false; }
        }
        long pid;
        int err;
        try
        {
            pid = plan->Clone3 != null
                ? sc(SysNr.clone3, (long)plan->Clone3, sizeof(CloneArgs), 0, 0, 0, 0)
                : sc(SysNr.clone, plan->CloneFlags | SIGCHLD, 0, 0, 0, 0, 0);
            if (pid == 0) ChildMain(plan); // never returns
            err = *plan->ErrnoLocation();
        }
        finally
        {
            if (noGc && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
            {
                try { GC.EndNoGCRegion(); } catch (InvalidOperationException) { }
            }
            sc(SysNr.rt_sigprocmask, SIG_SETMASK, (long)&old, 0, 8, 0, 0);
        }
        if (!noGc) throw new InvalidOperationException("could not enter a no-GC region for clone");
        if (pid < 0 && plan->Clone3 != null && err is Errno.ENOSYS or Errno.EINVAL or Errno.E2BIG) return -1;
        if (pid < 0) throw new SyscallException(plan->Clone3 != null ? "clone3" : "clone", null, err);
        return (int)pid;
    }

    // ---- the child: raw calls on prepared memory only; no allocation, no exceptions, no managed calls ----

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ChildMain(ChildPlan* p)
    {
        var sc = p->Syscall;
        Send(p, SyncMessage.Alive, 0, 0);
        byte go = 0;
        if (sc(SysNr.read, p->SyncFd, (long)&go, 1, 0, 0, 0) != 1) Fail(p, 1);

        for (int i = 0; i < p->TaskFileCount; i++)
        {
            long fd = sc(SysNr.openat, AT.FDCWD, (long)p->TaskFiles[i], O.WRONLY | O.CLOEXEC, 0, 0, 0);
            if (fd < 0) Fail(p, 9);
            if (sc(SysNr.write, fd, (long)p->Zero, 1, 0, 0, 0) != 1) Fail(p, 9);
            sc(SysNr.close, fd, 0, 0, 0, 0, 0);
        }

        for (int i = 0; i < p->JoinCount; i++)
            if (sc(SysNr.setns, p->JoinFds[i], p->JoinTypes[i], 0, 0, 0, 0) < 0) Fail(p, 2);

        if (p->UnshareFlags != 0)
        {
            if (sc(SysNr.unshare, p->UnshareFlags, 0, 0, 0, 0, 0) < 0) Fail(p, 3);
            if ((p->UnshareFlags & CloneFlags.NEWUSER) != 0)
            {
                Send(p, SyncMessage.NeedMaps, 0, 0);
                if (sc(SysNr.read, p->SyncFd, (long)&go, 1, 0, 0, 0) != 1) Fail(p, 1);
            }
        }

        if (p->TimeOffsets != null)
        {
            long fd = sc(SysNr.openat, AT.FDCWD, (long)p->TimensPath, O.WRONLY | O.CLOEXEC, 0, 0, 0);
            if (fd < 0) Fail(p, 4);
            if (sc(SysNr.write, fd, (long)p->TimeOffsets, p->TimeOffsetsLen, 0, 0, 0) != p->TimeOffsetsLen) Fail(p, 4);
            sc(SysNr.close, fd, 0, 0, 0, 0, 0);
        }

        if (p->SetIds != 0)
        {
            // Raw calls: glibc's setresuid would try to signal threads that do not exist in this child.
            if (sc(SysNr.setresgid, 0, 0, 0, 0, 0, 0) < 0) Fail(p, 5);
            if (sc(SysNr.setresuid, 0, 0, 0, 0, 0, 0) < 0) Fail(p, 5);
        }

        if (p->ForkAfter != 0)
        {
            // A joined or unshared PID namespace applies to children only: fork once more. CLONE_PARENT
            // makes the new process warren's child (not ours), so warren can wait for it like any init.
            long pid = sc(SysNr.clone, CloneFlags.PARENT | SIGCHLD, 0, 0, 0, 0, 0);
            if (pid < 0) Fail(p, 6);
            if (pid > 0)
            {
                Send(p, SyncMessage.ChildPid, (int)pid, 0);
                sc(SysNr.exit_group, 0, 0, 0, 0, 0, 0);
            }
        }

        if (sc(SysFcntl, p->SyncFd, F_SETFD, 0, 0, 0, 0) < 0) Fail(p, 8);
        for (int i = 0; i < p->InheritCount; i++)
            if (sc(SysFcntl, p->InheritFds[i], F_SETFD, 0, 0, 0, 0) < 0) Fail(p, 8);

        for (int s = 1; s <= 64; s++)
            if (s != 9 && s != 19) sc(SysNr.rt_sigaction, s, (long)p->SigDefault, 0, 8, 0, 0);
        sc(SysNr.rt_sigprocmask, SIG_SETMASK, (long)&p->EmptyMask, 0, 8, 0, 0);

        sc(SysNr.execveat, p->ExecFd, (long)p->Empty, (long)p->Argv, (long)p->Envp, AT.EMPTY_PATH, 0);
        Fail(p, 7);
    }

    private static void Send(ChildPlan* p, int kind, int a, int b)
    {
        int* msg = stackalloc int[3];
        msg[0] = kind; msg[1] = a; msg[2] = b;
        p->Syscall(SysNr.write, p->SyncFd, (long)msg, SyncMessage.Size, 0, 0, 0);
    }

    private static void Fail(ChildPlan* p, int stage)
    {
        Send(p, SyncMessage.Failed, stage, *p->ErrnoLocation());
        p->Syscall(SysNr.exit_group, 1, 0, 0, 0, 0, 0);
    }
}
