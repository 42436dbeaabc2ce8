using Warren.Oci;

namespace Warren.Tests.Integration;

/// <summary>
/// One test's world: a private --root, bundles on the shared busybox rootfs, and cleanup of every container
/// it made (delete --force), checked for leftovers even when the test fails.
/// </summary>
public sealed class Sandbox : IDisposable
{
    public string Dir { get; }
    public string StateRoot { get; }
    private readonly List<string> _ids = new();
    private static int _counter;

    public Sandbox()
    {
        Skip.IfNotRoot();
        Dir = Directory.CreateTempSubdirectory("warren-test-").FullName;
        StateRoot = Path.Combine(Dir, "state");
    }

    public string NewId(string prefix = "t")
    {
        var id = $"wt-{prefix}-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";
        _ids.Add(id);
        return id;
    }

    /// <summary>A default spec (as `warren spec` writes it) running <paramref name="args"/> without a terminal.</summary>
    public static Spec DefaultSpec(params string[] args)
    {
        var spec = global::Warren.Oci.DefaultSpec.Create(rootless: false);
        spec.Process!.Terminal = false;
        spec.Process.Args = args.ToList();
        return spec;
    }

    /// <summary>Writes a bundle whose root.path points at the shared rootfs; returns its directory.</summary>
    public string Bundle(Spec spec, string? name = null)
    {
        string b = Path.Combine(Dir, name ?? "bundle-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(b);
        spec.Root ??= new Root();
        if (spec.Root.Path is null or "rootfs") spec.Root.Path = WarrenBinary.Rootfs;
        File.WriteAllText(Path.Combine(b, "config.json"), OciJson.Serialize(spec));
        return b;
    }

    public ExecResult Warren(params string[] args) => WarrenWith(null, args);

    public ExecResult WarrenWith(string? stdin, params string[] args) =>
        Exec.Run(WarrenBinary.Path, new[] { "--root", StateRoot }.Concat(args), stdin);

    /// <summary>`run` in the foreground; returns the container's output and exit code.</summary>
    public ExecResult Run(Spec spec, string? id = null)
    {
        id ??= NewId();
        return Warren("run", "--bundle", Bundle(spec), id);
    }

    public void Dispose()
    {
        foreach (var id in _ids)
        {
            try { Exec.Run(WarrenBinary.Path, new[] { "--root", StateRoot, "delete", "--force", id }); }
            catch (Exception) { }
        }
        try { Directory.Delete(Dir, true); } catch (Exception) { }
    }
}

public static class Skip
{
    public static void IfNotRoot()
    {
        if (!WarrenBinary.IsRoot) throw new InvalidOperationException("integration tests need root (CI runs as root)");
    }
}
