using System.Diagnostics;
using System.Text;

namespace Warren.Tests.Integration;

/// <summary>The published NativeAOT warren and the busybox rootfs every integration test runs on.</summary>
public static class WarrenBinary
{
    public static readonly string RepoRoot = FindRepoRoot();

    /// <summary>WARREN_BIN, else out/warren (what the README's test command publishes).</summary>
    public static string Path =>
        Environment.GetEnvironmentVariable("WARREN_BIN") is { Length: > 0 } p ? p : System.IO.Path.Combine(RepoRoot, "out", "warren");

    private static readonly Lazy<string> RootfsLazy = new(BuildRootfs);
    public static string Rootfs => RootfsLazy.Value;

    public static bool IsRoot => Environment.UserName == "root";

    private static string FindRepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(System.IO.Path.Combine(d.FullName, "warren.slnx"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("cannot find the repository root");
    }

    private static string BuildRootfs()
    {
        string dir = System.IO.Path.Combine(RepoRoot, ".work", "test-rootfs");
        if (!File.Exists(System.IO.Path.Combine(dir, "bin", "busybox")))
        {
            var r = Exec.Run("/bin/sh", new[] { System.IO.Path.Combine(RepoRoot, "scripts", "make-rootfs.sh"), dir });
            if (r.Code != 0) throw new InvalidOperationException("make-rootfs.sh failed: " + r.Stderr);
        }
        return dir;
    }
}

public sealed record ExecResult(int Code, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {Code}\nstdout: {Stdout}\nstderr: {Stderr}";
}

public static class Exec
{
    public static ExecResult Run(string file, IEnumerable<string> args, string? stdin = null, int timeoutMs = 60_000,
        Action<Process>? started = null, int streamWaitMs = 3000)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var outEof = new ManualResetEventSlim();
        using var errEof = new ManualResetEventSlim();
        p.OutputDataReceived += (_, e) => { if (e.Data is null) outEof.Set(); else lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is null) errEof.Set(); else lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        started?.Invoke(p);
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutMs} ms");
        }
        // Wait for EOF briefly only: `create` leaves its stdio with the container's init, so those pipes stay open.
        outEof.Wait(streamWaitMs);
        errEof.Wait(streamWaitMs);
        lock (stdout) lock (stderr)
        return new ExecResult(p.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
