using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>linux.namespaces, hostname, domainname and timeOffsets, checked from inside the container.</summary>
public class NamespaceTests
{
    private static readonly string[] Kinds = { "pid", "net", "ipc", "uts", "mnt", "cgroup" };

    private static string HostNs(string kind) => new FileInfo($"/proc/self/ns/{kind}").LinkTarget!;

    [Fact]
    public void NewNamespacesDifferFromTheHost()
    {
        using var sb = new Sandbox();
        var r = sb.Run(Sandbox.DefaultSpec("sh", "-c", string.Join("; ", Kinds.Select(k => $"readlink /proc/self/ns/{k}"))));
        Assert.Equal(0, r.Code);
        var inside = ProcessTests.Lines(r.Stdout);
        Assert.Equal(Kinds.Length, inside.Length);
        for (int i = 0; i < Kinds.Length; i++)
            Assert.NotEqual(HostNs(Kinds[i]), inside[i]);
    }

    [Fact]
    public void HostnameAndDomainnameAreSet()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "hostname; cat /proc/sys/kernel/domainname");
        spec.Hostname = "box1";
        spec.Domainname = "example.test";
        var r = sb.Run(spec);
        Assert.Equal(new[] { "box1", "example.test" }, ProcessTests.Lines(r.Stdout));
    }

    [Fact]
    public void NewNetworkNamespaceHasOnlyLoopback()
    {
        using var sb = new Sandbox();
        var r = sb.Run(Sandbox.DefaultSpec("ls", "/sys/class/net"));
        Assert.Equal(0, r.Code);
        Assert.Equal(new[] { "lo" }, ProcessTests.Lines(r.Stdout));
    }

    [Fact]
    public void NamespacesJoinedByPathEqualTheTargets()
    {
        using var sb = new Sandbox();
        // A created container holds its namespaces; a second one joins them by path.
        string holder = sb.NewId("holder");
        var c = sb.Warren("create", "--bundle", sb.Bundle(Sandbox.DefaultSpec("true")), holder);
        Assert.True(c.Code == 0, c.ToString());
        int pid = int.Parse(System.Text.Json.JsonDocument.Parse(sb.Warren("state", holder).Stdout).RootElement.GetProperty("pid").ToString());

        var spec = Sandbox.DefaultSpec("sh", "-c", "readlink /proc/self/ns/net; readlink /proc/self/ns/uts; readlink /proc/self/ns/ipc; hostname");
        foreach (var n in spec.Linux!.Namespaces!)
        {
            if (n.Type == "network") n.Path = $"/proc/{pid}/ns/net";
            if (n.Type == "uts") n.Path = $"/proc/{pid}/ns/uts";
            if (n.Type == "ipc") n.Path = $"/proc/{pid}/ns/ipc";
        }
        spec.Hostname = null;
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.Equal(new FileInfo($"/proc/{pid}/ns/net").LinkTarget, lines[0]);
        Assert.Equal(new FileInfo($"/proc/{pid}/ns/uts").LinkTarget, lines[1]);
        Assert.Equal(new FileInfo($"/proc/{pid}/ns/ipc").LinkTarget, lines[2]);
        Assert.Equal("warren", lines[3]); // the holder's hostname, from the joined UTS namespace
    }

    [Fact]
    public void JoiningAPidNamespaceMakesTheInitAChildOfItsInit()
    {
        using var sb = new Sandbox();
        string holder = sb.NewId("holder");
        Assert.Equal(0, sb.Warren("create", "--bundle", sb.Bundle(Sandbox.DefaultSpec("true")), holder).Code);
        int pid = int.Parse(System.Text.Json.JsonDocument.Parse(sb.Warren("state", holder).Stdout).RootElement.GetProperty("pid").ToString());
        var spec = Sandbox.DefaultSpec("sh", "-c", "readlink /proc/self/ns/pid; echo $$");
        spec.Linux!.Namespaces!.First(n => n.Type == "pid").Path = $"/proc/{pid}/ns/pid";
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.Equal(new FileInfo($"/proc/{pid}/ns/pid").LinkTarget, lines[0]);
        Assert.NotEqual("1", lines[1]); // the holder's init is pid 1 there
    }

    [Fact]
    public void TimeNamespaceOffsetsShiftTheClocks()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "readlink /proc/self/ns/time; cut -d' ' -f1 /proc/uptime");
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "time" });
        spec.Linux.TimeOffsets = new()
        {
            ["boottime"] = new TimeOffset { Secs = 10_000_000 },
            ["monotonic"] = new TimeOffset { Secs = 5_000_000 },
        };
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.NotEqual(HostNs("time"), lines[0]);
        double hostUptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        double inside = double.Parse(lines[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(inside - hostUptime, 10_000_000 - 60, 10_000_000 + 60);
    }

    [Fact]
    public void SysctlsAreWrittenInTheContainersNamespaces()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax");
        spec.Linux!.Sysctl = new() { ["net.ipv4.ip_forward"] = "1", ["kernel.msgmax"] = "12345" };
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal(new[] { "1", "12345" }, ProcessTests.Lines(r.Stdout));
        Assert.NotEqual("12345", File.ReadAllText("/proc/sys/kernel/msgmax").Trim()); // the host's is untouched
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CgroupMountShowsOnlyTheContainersOwnTree(bool cgroupNamespace)
    {
        using var sb = new Sandbox();
        // The pids hierarchy exists on v1, hybrid and v2 hosts alike (as a v1 hierarchy or a v2 controller).
        var spec = Sandbox.DefaultSpec("sh", "-c", "cat /proc/self/cgroup; echo ---; ls /sys/fs/cgroup/*/ -d; echo ---; for f in /sys/fs/cgroup/pids/cgroup.procs /sys/fs/cgroup/cgroup.procs; do [ -e $f ] && cat $f; done; true");
        if (!cgroupNamespace) spec.Linux!.Namespaces!.RemoveAll(n => n.Type == "cgroup");
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var parts = r.Stdout.Split("---\n");
        if (cgroupNamespace)
            Assert.All(ProcessTests.Lines(parts[0]), l => Assert.EndsWith(":/", l)); // rooted at its own cgroup
        // Only the container's processes: sh (pid 1) and cat.
        var pids = ProcessTests.Lines(parts[2]);
        Assert.InRange(pids.Length, 1, 2);
        Assert.Contains("1", pids);
    }

    [Fact]
    public void NewUserNamespaceMapsTheContainersRoot()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "id -u; cat /proc/self/uid_map /proc/self/gid_map; readlink /proc/self/ns/user; exec sleep 1000");
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        spec.Linux.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        spec.Linux.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = 200000, Size = 65536 } };
        string id = sb.NewId();
        var r = sb.Warren("run", "-d", "--bundle", sb.Bundle(spec), id);
        Assert.True(r.Code == 0, r.ToString());
        int pid = System.Text.Json.JsonDocument.Parse(sb.Warren("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        for (int i = 0; i < 200 && !File.ReadAllText($"/proc/{pid}/cmdline").StartsWith("sleep"); i++) Thread.Sleep(25);
        var status = ProcessTests.Status(string.Join("\n", File.ReadAllLines($"/proc/{pid}/status").Where(l => l.StartsWith("Uid") || l.StartsWith("Gid"))));
        Assert.StartsWith("100000\t", status["Uid"]);  // the host sees the mapped uid
        Assert.StartsWith("200000\t", status["Gid"]);
        Assert.NotEqual(HostNs("user"), new FileInfo($"/proc/{pid}/ns/user").LinkTarget);
        Assert.Equal(0, sb.Warren("delete", "-f", id).Code);
        Assert.Empty(Leftovers.Find(sb, id));
    }

    [Fact]
    public void NewUserNamespaceWithAJoinedNetworkNamespace()
    {
        // The joined namespace is entered with the host's privileges first; the child then unshares the user
        // namespace itself and asks for its maps (the path with a second go-ahead).
        using var sb = new Sandbox();
        string holder = sb.NewId("holder");
        Assert.Equal(0, sb.Warren("run", "-d", "--bundle", sb.Bundle(Sandbox.DefaultSpec("sleep", "1000")), holder).Code);
        int pid = System.Text.Json.JsonDocument.Parse(sb.Warren("state", holder).Stdout).RootElement.GetProperty("pid").GetInt32();
        var spec = Sandbox.DefaultSpec("sh", "-c", "id -u; readlink /proc/self/ns/net; cat /proc/self/uid_map");
        spec.Linux!.Namespaces!.First(n => n.Type == "network").Path = $"/proc/{pid}/ns/net";
        spec.Linux.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        spec.Linux.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        spec.Linux.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.Equal("0", lines[0]);
        Assert.Equal(new FileInfo($"/proc/{pid}/ns/net").LinkTarget, lines[1]);
        Assert.Matches(@"^\s*0\s+100000\s+65536$", lines[2]);
    }

    [Fact]
    public void IdmappedBindShowsHostRootFilesAsTheContainersRoot()
    {
        using var sb = new Sandbox();
        string share = Path.Combine(sb.Dir, "share");
        Directory.CreateDirectory(share);
        File.WriteAllText(Path.Combine(share, "owned-by-host-root"), "x");
        var spec = Sandbox.DefaultSpec("sh", "-c", "stat -c '%u %n' /var/owned-by-host-root; echo y > /var/made-inside && echo wrote");
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        spec.Linux.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        spec.Linux.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        // /var exists in the image: a remapped root could not create a mount point in a root-owned rootfs.
        spec.Mounts!.Add(new Mount { Destination = "/var", Type = "bind", Source = share, Options = new() { "rbind", "idmap" } });
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.Equal("0 /var/owned-by-host-root", lines[0]);   // host root's file is the container root's
        Assert.Equal("wrote", lines[1]);                        // and the container's root may write there
        Assert.Equal(0, new FileInfo(Path.Combine(share, "made-inside")).Length > 0 ? 0 : 1);
        var own = Exec.Run("stat", new[] { "-c", "%u", Path.Combine(share, "made-inside") });
        Assert.Equal("0", own.Stdout.Trim());                  // stored as host root through the mapping

        spec.Linux.Namespaces!.RemoveAll(n => n.Type == "user");
        spec.Linux.UidMappings = null;
        spec.Linux.GidMappings = null;
        string id = sb.NewId();
        var bad = sb.Warren("create", "--bundle", sb.Bundle(spec), id);
        Assert.NotEqual(0, bad.Code);
        Assert.Contains("needs a new user namespace", bad.Stderr);
    }

    [Fact]
    public void FilesARemappedRootCreatesOnABindMountBelongToTheMappedUid()
    {
        using var sb = new Sandbox();
        string share = Path.Combine(sb.Dir, "rw-share");
        Directory.CreateDirectory(share);
        Assert.Equal(0, Exec.Run("chown", new[] { "100000:100000", share }).Code);
        Assert.Equal(0, Exec.Run("chmod", new[] { "755", sb.Dir }).Code); // the remapped root must reach it
        var spec = Sandbox.DefaultSpec("sh", "-c", "echo hi > /var/by-container && stat -c '%u' /var/by-container");
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        spec.Linux.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        spec.Linux.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = 100000, Size = 65536 } };
        spec.Mounts!.Add(new Mount { Destination = "/var", Type = "bind", Source = share, Options = new() { "rbind" } });
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal("0", r.Stdout.Trim());                                                     // root inside
        Assert.Equal("100000", Exec.Run("stat", new[] { "-c", "%u", Path.Combine(share, "by-container") }).Stdout.Trim()); // 100000 outside
    }

    [Fact]
    public void AMountsOwnUidMappingsIdMapIt()
    {
        using var sb = new Sandbox();
        string share = Path.Combine(sb.Dir, "mapped");
        Directory.CreateDirectory(share);
        File.WriteAllText(Path.Combine(share, "root-file"), "x");   // owned by host root on disk
        var spec = Sandbox.DefaultSpec("stat", "-c", "%u:%g", "/var/root-file");
        spec.Mounts!.Add(new Mount
        {
            Destination = "/var", Type = "bind", Source = share, Options = new() { "rbind" },
            UidMappings = new() { new IdMapping { ContainerId = 0, HostId = 1234, Size = 1 } },
            GidMappings = new() { new IdMapping { ContainerId = 0, HostId = 4321, Size = 1 } },
        });
        var r = sb.Run(spec);                                        // no user namespace in the container at all
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal("1234:4321", r.Stdout.Trim());
    }
}
