using System.Diagnostics;

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
    /// <summary>
    /// Runs a program with stdout and stderr sent to files, read once it exits: `create` hands its stdio to
    /// the container's init, so pipes would stay open (and racing EOF waits would lose output).
    /// </summary>
    public static ExecResult Run(string file, IEnumerable<string> args, string? stdin = null, int timeoutMs = 60_000,
        Action<Process>? started = null)
    {
        string dir = Directory.CreateTempSubdirectory("warren-exec-").FullName;
        string outFile = System.IO.Path.Combine(dir, "out"), errFile = System.IO.Path.Combine(dir, "err");
        try
        {
            var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("out=$1; err=$2; shift 2; exec \"$@\" >\"$out\" 2>\"$err\"");
            psi.ArgumentList.Add("sh");
            psi.ArgumentList.Add(outFile);
            psi.ArgumentList.Add(errFile);
            psi.ArgumentList.Add(file);
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            if (stdin is not null) p.StandardInput.Write(stdin);
            p.StandardInput.Close();
            started?.Invoke(p);
            if (!p.WaitForExit(timeoutMs))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutMs} ms");
            }
            return new ExecResult(p.ExitCode, Read(outFile), Read(errFile));
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}
