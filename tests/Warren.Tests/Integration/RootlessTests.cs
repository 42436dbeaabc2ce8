using System.Text.Json;
using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>A non-root user runs containers with `spec --rootless` (one mapped id, no delegated cgroup).</summary>
public class RootlessTests
{
    [Fact]
    public void AnUnprivilegedUserRunsExecsAndDeletesContainers()
    {
        Skip.IfNotRoot();
        using var u = new RootlessUser("wtrl");
        var spec = u.RootlessSpec();
        spec.Process!.Args = new() { "sh", "-c", "id -u; cat /proc/self/uid_map; hostname" };
        u.Write(spec);
        var r = u.Warren("run", "--bundle", u.Bundle, "rl1");
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.Equal("0", lines[0]);                                     // root inside
        Assert.Matches($@"^\s*0\s+{u.Uid}\s+1$", lines[1]);             // ... which is the user outside
        Assert.Equal("warren", lines[2]);
        Assert.Contains("no cgroup is delegated", r.Stderr);

        spec.Process.Args = new() { "sleep", "1000" };
        u.Write(spec);
        try
        {
            Assert.Equal(0, u.Warren("create", "--bundle", u.Bundle, "rl2").Code);
            Assert.Equal(0, u.Warren("start", "rl2").Code);
            int pid = JsonDocument.Parse(u.Warren("state", "rl2").Stdout).RootElement.GetProperty("pid").GetInt32();
            Assert.StartsWith($"{u.Uid}\t", File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:"))[5..]);
            var ex = u.Warren("exec", "rl2", "sh", "-c", "id -u; readlink /proc/self/ns/user");
            Assert.True(ex.Code == 0, ex.ToString());
            Assert.Equal(new FileInfo($"/proc/{pid}/ns/user").LinkTarget, ProcessTests.Lines(ex.Stdout)[1]);
            Assert.Equal(0, u.Warren("kill", "rl2", "KILL").Code);
            for (int i = 0; i < 200 && !u.Warren("state", "rl2").Stdout.Contains("stopped"); i++) Thread.Sleep(25);
            Assert.Equal(0, u.Warren("delete", "rl2").Code);
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(u.Home, "run", "warren")));
        }
        finally { u.Warren("delete", "-f", "rl2"); }

        // Escalation attempts inside fail: writing uid_map again, mknod of a host disk.
        spec.Process.Args = new() { "sh", "-c", "(echo '0 0 1' > /proc/self/uid_map) 2>&1; mknod /tmp/sda b 8 0 2>&1; true" };
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" });
        u.Write(spec);
        var esc = u.Warren("run", "--bundle", u.Bundle, "rl3");
        Assert.True(esc.Code == 0, esc.ToString());
        Assert.Equal(2, ProcessTests.Lines(esc.Stdout).Count(l => l.Contains("Operation not permitted")));

        // Even with CAP_SYS_ADMIN (in its user namespace), a procfs it mounts shows its own PID namespace,
        // never the host's processes.
        foreach (var set in new[] { spec.Process.Capabilities!.Bounding!, spec.Process.Capabilities.Effective!, spec.Process.Capabilities.Permitted! })
            set.Add("CAP_SYS_ADMIN");
        spec.Process.Args = new() { "sh", "-c", "mkdir /tmp/p && mount -t proc proc /tmp/p && ls /tmp/p | grep -c '^[0-9]'" };
        u.Write(spec);
        var proc = u.Warren("run", "--bundle", u.Bundle, "rl4");
        Assert.True(proc.Code == 0, proc.ToString());
        Assert.InRange(int.Parse(proc.Stdout.Trim()), 1, 4);
        Assert.True(Directory.EnumerateDirectories("/proc").Count(d => int.TryParse(Path.GetFileName(d), out _)) > 10);
    }

    [Fact]
    public void SubordinateIdRangesGoThroughNewuidmap()
    {
        Skip.IfNotRoot();
        using var u = new RootlessUser("wtrs", "--add-subuids", "400000-465535", "--add-subgids", "400000-465535");
        var spec = u.RootlessSpec();
        spec.Process!.Args = new() { "sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/f && chown 1000:1000 /tmp/f && stat -c '%u:%g' /tmp/f" };
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" });
        foreach (var set in new[] { spec.Process.Capabilities!.Bounding!, spec.Process.Capabilities.Effective!, spec.Process.Capabilities.Permitted! })
            set.Add("CAP_CHOWN");
        spec.Linux!.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = (uint)u.Uid, Size = 1 }, new IdMapping { ContainerId = 1, HostId = 400000, Size = 65536 } };
        spec.Linux.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = (uint)u.Gid, Size = 1 }, new IdMapping { ContainerId = 1, HostId = 400000, Size = 65536 } };
        u.Write(spec);
        var r = u.Warren("run", "--bundle", u.Bundle, "sub1");
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.Equal(5, lines.Length);
        Assert.Matches(@"^\s*1\s+400000\s+65536$", lines[1]);
        Assert.Matches(@"^\s*1\s+400000\s+65536$", lines[3]);
        Assert.Equal("1000:1000", lines[4]);        // a uid of the subordinate range is usable inside

        // A range the user does not own is refused with a clear error, and nothing is left behind.
        spec.Linux.UidMappings[1].HostId = 900000;
        u.Write(spec);
        var bad = u.Warren("run", "--bundle", u.Bundle, "sub2");
        Assert.NotEqual(0, bad.Code);
        Assert.Contains("newuidmap refused the mapping", bad.Stderr);
        Assert.False(Directory.Exists(Path.Combine(u.Home, "run", "warren", "sub2")));
    }
}

public class RootlessCgroupTests
{
    /// <summary>
    /// A user with a delegated cgroup on one hierarchy (pids, chowned to it by root) gets its pids limit
    /// enforced there; the memory limit, with no delegated cgroup, is skipped with a warning, not an error.
    /// </summary>
    [Fact]
    public void DelegatedCgroupsAreUsedAndTheRestSkippedWithAWarning()
    {
        Skip.IfNotRoot();
        string pidsRoot = File.Exists("/sys/fs/cgroup/pids/cgroup.procs") ? "/sys/fs/cgroup/pids" : null!;
        if (pidsRoot is null) return; // a pure v2 host has no separate pids hierarchy to delegate this way
        using var u = new RootlessUser("wtrc");
        string deleg = Path.Combine(pidsRoot, $"warren-deleg-{u.Name}");
        Directory.CreateDirectory(deleg);
        try
        {
            Assert.Equal(0, Exec.Run("chown", new[] { "-R", u.Name, deleg }).Code);
            var spec = u.RootlessSpec();
            spec.Process!.Args = new() { "sh", "-c", "read n < /proc/self/cgroup; cat /proc/self/cgroup | grep pids" };
            spec.Linux!.CgroupsPath = $"/warren-deleg-{u.Name}/c1";
            spec.Linux.Resources = new LinuxResources { Pids = new PidsResources { Limit = 7 }, Memory = new MemoryResources { Limit = 64 << 20 } };
            u.Write(spec);
            var r = u.Warren("run", "--bundle", u.Bundle, "dg1");
            Assert.True(r.Code == 0, r.ToString());
            Assert.EndsWith($":pids:/warren-deleg-{u.Name}/c1", r.Stdout.Trim());
            Assert.Contains("linux.resources.memory: not applied", r.Stderr);
            Assert.False(Directory.Exists(Path.Combine(deleg, "c1")));   // removed with the container

            spec.Process.Args = new() { "sleep", "1000" };
            u.Write(spec);
            Assert.Equal(0, u.Warren("run", "-d", "--bundle", u.Bundle, "dg2").Code);
            try { Assert.Equal("7", File.ReadAllText(Path.Combine(deleg, "c1", "pids.max")).Trim()); }
            finally { u.Warren("delete", "-f", "dg2"); }
        }
        finally { Directory.Delete(deleg); }
    }
}

/// <summary>A throwaway unprivileged user with a runtime dir and a bundle dir; removed again on dispose.</summary>
internal sealed class RootlessUser : IDisposable
{
    public string Name { get; }
    public int Uid { get; }
    public int Gid { get; }
    public string Home { get; }
    public string Bundle => Path.Combine(Home, "bundle");

    public RootlessUser(string prefix, params string[] usermodArgs)
    {
        Name = $"{prefix}{Environment.ProcessId % 100000}";
        Assert.Equal(0, Exec.Run("useradd", new[] { "-M", "-s", "/bin/false", Name }).Code);
        if (usermodArgs.Length > 0) Assert.Equal(0, Exec.Run("usermod", usermodArgs.Append(Name)).Code);
        Uid = int.Parse(Exec.Run("id", new[] { "-u", Name }).Stdout.Trim());
        Gid = int.Parse(Exec.Run("id", new[] { "-g", Name }).Stdout.Trim());
        Home = Path.Combine(Path.GetTempPath(), $"warren-{Name}");
        Directory.CreateDirectory(Path.Combine(Home, "run"));
        Directory.CreateDirectory(Bundle);
        Assert.Equal(0, Exec.Run("chown", new[] { "-R", Name, Home }).Code);
    }

    /// <summary>warren as this user, with its XDG_RUNTIME_DIR (so state goes to $XDG_RUNTIME_DIR/warren).</summary>
    public ExecResult Warren(params string[] args) => Exec.Run("runuser",
        new[] { "-u", Name, "--", "env", $"XDG_RUNTIME_DIR={Home}/run", WarrenBinary.Path }.Concat(args));

    /// <summary>`spec --rootless` as this user, on the test rootfs, without a terminal.</summary>
    public Spec RootlessSpec()
    {
        Assert.Equal(0, Warren("spec", "--rootless", "--bundle", Bundle).Code);
        var spec = SpecLoader.LoadFile(Path.Combine(Bundle, "config.json"));
        spec.Root = new Root { Path = WarrenBinary.Rootfs, Readonly = true };
        spec.Process!.Terminal = false;
        return spec;
    }

    public void Write(Spec spec) => File.WriteAllText(Path.Combine(Bundle, "config.json"), OciJson.Serialize(spec));

    public void Dispose()
    {
        try { Directory.Delete(Home, true); } catch (IOException) { }
        Exec.Run("userdel", new[] { Name });
    }
}
