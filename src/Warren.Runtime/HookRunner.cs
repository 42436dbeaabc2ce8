using System.Diagnostics;
using Warren.Oci;
using Process = System.Diagnostics.Process;

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

    /// <summary>Returns null on success, else what went wrong (with the hook's stderr).</summary>
    public static string? Run(Hook hook, string stateJson)
    {
        if (string.IsNullOrEmpty(hook.Path)) return "no path";
        var psi = new ProcessStartInfo(hook.Path)
        {
            RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        // args[0] is argv[0] (execv semantics); .NET always passes the path there.
        foreach (var a in (hook.Args ?? new()).Skip(1)) psi.ArgumentList.Add(a);
        if (hook.Env is not null)
        {
            psi.Environment.Clear();
            foreach (var kv in hook.Env)
            {
                int eq = kv.IndexOf('=');
                if (eq > 0) psi.Environment[kv[..eq]] = kv[(eq + 1)..];
            }
        }
        Process p;
        try { p = Process.Start(psi)!; }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return $"cannot run it: {e.Message}";
        }
        using (p)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEndAsync();
            try
            {
                p.StandardInput.Write(stateJson);
                p.StandardInput.Close();
            }
            catch (IOException) { } // the hook need not read its stdin
            int timeoutMs = hook.Timeout is int t && t > 0 ? t * 1000 : -1;
            if (!p.WaitForExit(timeoutMs))
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                p.WaitForExit();
                return $"timed out after {hook.Timeout} s and was killed";
            }
            p.WaitForExit();
            if (p.ExitCode == 0) return null;
            string err = stderr.Wait(1000) ? stderr.Result.Trim() : "";
            return err.Length > 0 ? $"exit status {p.ExitCode}: {OneLine(err)}" : $"exit status {p.ExitCode}";
        }
    }

    private static string OneLine(string s) => string.Join(" | ", s.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
}
