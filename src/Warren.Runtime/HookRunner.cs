using Warren.Linux;
using Warren.Oci;

namespace Warren.Runtime;

/// <summary>
/// Runs OCI hooks: the hook's path with its args and env, the container state JSON on stdin, killed after
/// its timeout. Which namespace a hook runs in is decided by who calls this (the CLI, or the init stage).
/// </summary>
public static class HookRunner
{
    /// <summary>The hook kinds warren runs (reported by `features`).</summary>
    public static readonly string[] Kinds = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" };

    public static List<Hook> Of(Hooks? hooks, string kind) => (kind switch
    {
        "prestart" => hooks?.Prestart,
        "createRuntime" => hooks?.CreateRuntime,
        "createContainer" => hooks?.CreateContainer,
        "startContainer" => hooks?.StartContainer,
        "poststart" => hooks?.Poststart,
        "poststop" => hooks?.Poststop,
        _ => null,
    }) ?? new List<Hook>();

    public static string StateJson(string id, string status, int pid, string bundle, Dictionary<string, string>? annotations) =>
        OciJson.SerializeCompact(new State
        {
            OciVersion = DefaultSpec.OciVersion, Id = id, Status = status, Pid = pid, Bundle = bundle, Annotations = annotations,
        });

    /// <summary>Runs every hook of <paramref name="kind"/> in order; the first failure throws.</summary>
    public static void RunAll(Hooks? hooks, string kind, string stateJson)
    {
        var list = Of(hooks, kind);
        for (int i = 0; i < list.Count; i++)
        {
            string? error = Run(list[i], stateJson);
            if (error is not null) throw new RuntimeException($"{kind} hook #{i} ({list[i].Path}): {error}");
        }
    }

    /// <summary>Runs every hook; failures are warnings on stderr and the rest still run (poststop).</summary>
    public static void RunAllWarn(Hooks? hooks, string kind, string stateJson)
    {
        var list = Of(hooks, kind);
        for (int i = 0; i < list.Count; i++)
            if (Run(list[i], stateJson) is { } error)
                Console.Error.WriteLine($"warren: warning: {kind} hook #{i} ({list[i].Path}): {error}");
    }

    /// <summary>Returns null on success, else what went wrong (with the hook's output).</summary>
    public static string? Run(Hook hook, string stateJson)
    {
        if (string.IsNullOrEmpty(hook.Path)) return "no path";
        // args[0] is argv[0] (execv semantics), which System.Diagnostics.Process cannot pass: posix_spawn can.
        var argv = hook.Args is { Count: > 0 } args ? args : new List<string> { hook.Path };
        var env = hook.Env ?? Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}").ToList();
        var (inRead, inWrite) = Sys.Pipe();
        var (outRead, outWrite) = Sys.Pipe();
        int pid;
        try { pid = PosixSpawn.Start(hook.Path, argv, env, inRead, outWrite, outWrite); }
        catch (SyscallException e)
        {
            Sys.Close(inWrite);
            Sys.Close(outRead);
            return $"cannot run it: {Errno.Describe(e.Errno)}";
        }
        finally
        {
            Sys.Close(inRead);
            Sys.Close(outWrite);
        }
        Sys.TryWrite(inWrite, System.Text.Encoding.UTF8.GetBytes(stateJson)); // the hook need not read it
        Sys.Close(inWrite);
        try
        {
            var (status, output) = Collect(pid, outRead, hook.Timeout is int t && t > 0 ? t * 1000L : -1);
            if (status is null) return $"timed out after {hook.Timeout} s and was killed";
            if (Sys.ExitCode(status.Value) == 0) return null;
            string err = output.Trim();
            return err.Length > 0 ? $"exit status {Sys.ExitCode(status.Value)}: {OneLine(err)}" : $"exit status {Sys.ExitCode(status.Value)}";
        }
        finally { Sys.Close(outRead); }
    }

    /// <summary>
    /// Reads the hook's output until it exits (not until EOF: a daemon it started may hold the pipe), killing
    /// its process group at the deadline. Returns the wait status, or null when it timed out.
    /// </summary>
    private static (int? Status, string Output) Collect(int pid, int output, long timeoutMs)
    {
        var text = new System.Text.StringBuilder();
        var buf = new byte[4096];
        long deadline = timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        Span<PollFd> fds = stackalloc PollFd[1];
        bool open = true;
        while (true)
        {
            if (open)
            {
                fds[0] = new PollFd { Fd = output, Events = 1 /* POLLIN */ };
                if (Sys.Poll(fds, 50) > 0)
                {
                    int n = Sys.TryRead(output, buf);
                    if (n <= 0) open = false;
                    else if (text.Length < 65536) text.Append(System.Text.Encoding.UTF8.GetString(buf, 0, n));
                }
            }
            else Thread.Sleep(10);
            var (done, status) = Sys.WaitPid(pid, 1 /* WNOHANG */);
            if (done == pid)
            {
                while (open && Sys.Poll(fds, 0) > 0 && Sys.TryRead(output, buf) is var n && n > 0)
                    if (text.Length < 65536) text.Append(System.Text.Encoding.UTF8.GetString(buf, 0, n));
                return (status, text.ToString());
            }
            if (Environment.TickCount64 > deadline)
            {
                Sys.Kill(-pid, Sig.KILL);
                Sys.Kill(pid, Sig.KILL);
                Sys.WaitPid(pid);
                return (null, text.ToString());
            }
        }
    }

    private static string OneLine(string s) => string.Join(" | ", s.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
}
