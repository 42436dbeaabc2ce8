using System.Text.Json;
using Warren.Linux;
using Warren.Oci;

namespace Warren.Runtime.Init;

/// <summary>
/// `warren init` (DESIGN 3.4): a fresh process already inside the container's namespaces. Builds the root
/// filesystem, waits on the exec fifo until `start`, drops privileges and execs the user's program.
/// </summary>
public static class InitStage
{
    public const string SyncFdVariable = "_WARREN_SYNC_FD";

    public static int Run(int syncFd)
    {
        var entered = DateTime.UtcNow;
        var chan = new SyncChannel(syncFd);
        bool ready = false;
        try
        {
            var req = JsonSerializer.Deserialize(chan.ReceivePayload(), RuntimeJsonContext.Default.InitRequest)!;
            DebugTrace.Enabled = req.Debug;
            DebugTrace.Mark($"init: request received (Main entered at {entered:HH:mm:ss.ffffff})");
            if (req.UnshareCgroupNs) Sys.Unshare(CloneFlags.NEWCGROUP);
            var spec = SpecLoader.Parse(req.ConfigJson);
            var process = spec.Process!;
            int fifo = req.ExecFifoFd;
            int hostPid = ProcessExec.ListenerPid(req.Final);
            if (fifo >= 0) Sys.SetCloexec(fifo, true);

            Sys.Setsid();
            if (!req.NoNewKeyring)
            {
                // Like runc: each container gets its own session keyring; kernels without keys are fine.
                Security.Lsm.SetKeyringLabel(req.Final.Lsm);
                int err = Sys.TryJoinSessionKeyring("_ses." + req.ContainerId);
                if (err != 0 && err != Errno.ENOSYS && err != Errno.EDQUOT && err != Errno.EACCES)
                    throw new SyscallException("keyctl(KEYCTL_JOIN_SESSION_KEYRING)", req.ContainerId, err);
            }
            var namespaces = spec.Linux?.Namespaces ?? new();
            bool newMount = namespaces.Any(n => n.Type == "mount" && string.IsNullOrEmpty(n.Path));
            bool newUts = namespaces.Any(n => n.Type == "uts" && string.IsNullOrEmpty(n.Path));
            var idmapTrees = new Dictionary<int, int>();
            foreach (int i in req.IdmapMounts) idmapTrees[i] = Pty.ReceiveFd(chan.Fd, 1);
            if (newMount) RootfsSetup.Prepare(spec, req, idmapTrees);
            DebugTrace.Mark("init: mounts done");
            string? stateJson = CreateHooks(chan, spec);
            if (newUts && spec.Hostname is { } host) Sys.SetHostname(host);
            if (newUts && spec.Domainname is { } domain) Sys.SetDomainname(domain);
            if (newMount)
            {
                if (req.NoPivot) RootfsSetup.MoveRoot(req.Rootfs);
                else RootfsSetup.PivotRoot(req.Rootfs);
            }
            if (process.Terminal == true) ConsoleSetup.Attach(chan, process);
            foreach (var (key, value) in spec.Linux?.Sysctl ?? new()) Sysctl.Write(key, value);
            if (newMount) RootfsSetup.Finish(spec);
            if (process.OomScoreAdj is int adj) Sysctl.WriteProc("/proc/self/oom_score_adj", adj.ToString());
            ProcessExec.SetRlimits(process);
            ChangeDirectory(process.Cwd ?? "/");
            string exe = ProcessExec.ResolveExecutable(process);
            DebugTrace.Mark("init: ready");

            chan.SendPayload(JsonSerializer.Serialize(new InitReply { Kind = "ready" }, RuntimeJsonContext.Default.InitReply));
            ready = true;
            if (fifo >= 0) WaitForStart(fifo, spec, stateJson);
            ProcessExec.Exec(process, exe, req.Final, hostPid, spec);
            return 127; // not reached
        }
        catch (Exception e)
        {
            string msg = e.Message;
            if (!ready)
            {
                try
                {
                    chan.SendPayload(JsonSerializer.Serialize(new InitReply { Kind = "error", Error = msg },
                        RuntimeJsonContext.Default.InitReply));
                }
                catch (Exception) { Console.Error.WriteLine($"warren: {msg}"); }
            }
            else Console.Error.WriteLine($"warren: {msg}");
            return ready ? 127 : 1;
        }
    }

    private static void ChangeDirectory(string cwd)
    {
        // runc creates a missing cwd; do the same, inside the (already switched) root.
        if (!Directory.Exists(cwd))
        {
            using var root = new InRoot("/");
            root.MkdirAll(cwd);
        }
        Sys.Chdir(cwd);
        EnsureCwdInsideRoot(cwd);
    }

    /// <summary>
    /// CVE-2024-21626: a cwd like /proc/self/fd/N reaches whatever fd N is — possibly a host directory. The
    /// kernel reports a cwd outside the process's root as "(unreachable)…", which getcwd turns into an error.
    /// </summary>
    internal static void EnsureCwdInsideRoot(string cwd)
    {
        string? now;
        try { now = Directory.GetCurrentDirectory(); }
        catch (IOException) { now = null; }
        if (now is null || !now.StartsWith('/'))
            throw new InvalidOperationException($"process.cwd \"{cwd}\" leads outside the container's root filesystem");
    }

    /// <summary>
    /// Hooks of the create operation, before pivot_root: the parent runs prestart and createRuntime in the
    /// runtime namespace; then createContainer runs here, in the container's namespaces. Returns the state
    /// JSON the parent sent (null without hooks).
    /// </summary>
    private static string? CreateHooks(SyncChannel chan, Spec spec)
    {
        var hooks = spec.Hooks;
        if (hooks is null || HookRunner.Kinds.All(k => HookRunner.Of(hooks, k).Count == 0)) return null;
        chan.SendPayload(JsonSerializer.Serialize(new InitReply { Kind = "create-runtime" }, RuntimeJsonContext.Default.InitReply));
        var reply = JsonSerializer.Deserialize(chan.ReceivePayload(), RuntimeJsonContext.Default.InitReply)!;
        HookRunner.RunAll(hooks, "createContainer", reply.StateJson!);
        return reply.StateJson;
    }

    /// <summary>
    /// Blocks until `start` opens the exec fifo for reading, runs the startContainer hooks (in the container),
    /// then tells `start` the outcome through the fifo: "0", or "1" and the error.
    /// </summary>
    private static void WaitForStart(int fifoPathFd, Spec spec, string? stateJson)
    {
        int w = Sys.Open($"/proc/self/fd/{fifoPathFd}", O.WRONLY);
        Sys.Close(fifoPathFd);
        try
        {
            if (stateJson is not null)
            {
                var state = OciJson.ParseState(stateJson);
                state.Status = ContainerStatus.Created;
                HookRunner.RunAll(spec.Hooks, "startContainer", OciJson.SerializeCompact(state));
            }
        }
        catch (RuntimeException e)
        {
            Sys.WriteAll(w, System.Text.Encoding.UTF8.GetBytes("1" + e.Message), "exec fifo");
            Sys.Close(w);
            throw;
        }
        Sys.WriteAll(w, "0"u8, "exec fifo");
        Sys.Close(w);
    }
}
