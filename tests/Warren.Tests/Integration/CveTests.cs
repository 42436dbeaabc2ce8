using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>Regression tests for published runc vulnerabilities, each written as the attack.</summary>
public class CveTests
{
    /// <summary>
    /// CVE-2024-21626: process.cwd "/proc/self/fd/N" where N is a directory fd the runtime leaked into its init
    /// puts the container's process in a host directory. Try every small N: none may give a cwd outside the
    /// container (the container either fails to start or sits inside its own root).
    /// </summary>
    [Fact]
    public void Cve_2024_21626_LeakedFdAsCwdDoesNotReachTheHost()
    {
        using var sb = new Sandbox();
        string marker = Path.Combine(sb.Dir, "host-marker");
        File.WriteAllText(marker, "host");
        for (int n = 3; n <= 12; n++)
        {
            var spec = Sandbox.DefaultSpec("sh", "-c", "pwd; ls; cat ../../../host-marker 2>/dev/null; true");
            spec.Process!.Cwd = $"/proc/self/fd/{n}";
            var r = sb.Run(spec);
            Assert.DoesNotContain("host-marker", r.Stdout);
            Assert.DoesNotContain("(unreachable)", r.Stdout);
            if (r.Code == 0) Assert.StartsWith("/", r.Stdout);
        }
    }

    /// <summary>CVE-2022-29162: processes must not get inheritable capabilities nobody asked for (also via exec --cap).</summary>
    [Fact]
    public void Cve_2022_29162_NoInheritableCapabilitiesByDefault()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        Assert.Equal(0, sb.Warren("run", "-d", "--bundle", sb.Bundle(Sandbox.DefaultSpec("sleep", "1000")), id).Code);
        var init = sb.Warren("exec", id, "grep", "CapInh", "/proc/1/status");
        var exec = sb.Warren("exec", "--cap", "CAP_NET_ADMIN", id, "grep", "-E", "CapInh|CapAmb", "/proc/self/status");
        Assert.Contains("0000000000000000", init.Stdout);
        Assert.All(ProcessTests.Lines(exec.Stdout), l => Assert.EndsWith("0000000000000000", l));
    }

    /// <summary>
    /// CVE-2025-31133: the runtime masks paths by bind-mounting the container's /dev/null over them; if the
    /// container's /dev/null is something else (here: the image ships a regular file there and the config
    /// mounts no /dev of its own), the "mask" would expose that file instead. warren checks for the real
    /// 1:3 character device first and refuses.
    /// </summary>
    [Fact]
    public void Cve_2025_31133_ASwappedDevNullIsNotUsedToMask()
    {
        using var sb = new Sandbox();
        string rootfs = Path.Combine(sb.Dir, "rootfs");
        Assert.Equal(0, Exec.Run("cp", new[] { "-a", WarrenBinary.Rootfs, rootfs }).Code);
        File.WriteAllText(Path.Combine(rootfs, "dev", "null"), "attacker-controlled\n");
        var spec = Sandbox.DefaultSpec("cat", "/proc/kcore");
        spec.Root = new Root { Path = rootfs };
        spec.Mounts!.RemoveAll(m => m.Destination is "/dev" or "/dev/pts" or "/dev/shm" or "/dev/mqueue");
        string id = sb.NewId();
        var r = sb.Warren("run", "--bundle", sb.Bundle(spec), id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("not the null device", r.Stderr);
        Assert.DoesNotContain("attacker-controlled", r.Stdout);
        Assert.Empty(Leftovers.Find(sb, id));
    }

    /// <summary>
    /// CVE-2019-16884 / CVE-2019-19921 / CVE-2023-27561: a mount destination that is a symlink in the rootfs
    /// must resolve inside the rootfs, never to a host path. The rootfs here has /evil → /proc/../../../tmp,
    /// a link that climbs out; a tmpfs mounted on /evil must land inside the container root.
    /// </summary>
    [Fact]
    public void Cve_2019_16884_SymlinkedMountDestinationsStayInsideTheRoot()
    {
        using var sb = new Sandbox();
        string rootfs = Path.Combine(sb.Dir, "rootfs");
        Assert.Equal(0, Exec.Run("cp", new[] { "-a", WarrenBinary.Rootfs, rootfs }).Code);
        string hostTarget = Path.Combine(sb.Dir, "host-dir");
        Directory.CreateDirectory(hostTarget);
        File.CreateSymbolicLink(Path.Combine(rootfs, "evil"), "../../../../../../../../" + hostTarget.TrimStart('/'));
        var spec = Sandbox.DefaultSpec("sh", "-c", "echo pwned > /evil/file && echo wrote");
        spec.Root = new Root { Path = rootfs };
        spec.Mounts!.Add(new Mount { Destination = "/evil", Type = "tmpfs", Source = "tmpfs" });
        var r = sb.Run(spec);
        Assert.False(File.Exists(Path.Combine(hostTarget, "file")), "the mount landed on the host directory");
        Assert.Empty(Directory.GetFileSystemEntries(hostTarget));
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(hostTarget));
    }

    private static string CopyRootfs(Sandbox sb)
    {
        string rootfs = Path.Combine(sb.Dir, "rootfs-copy");
        Assert.Equal(0, Exec.Run("cp", new[] { "-a", WarrenBinary.Rootfs, rootfs }).Code);
        return rootfs;
    }

    /// <summary>CVE-2023-28642: an image whose /proc is a symlink must not get procfs mounted wherever it points.</summary>
    [Fact]
    public void Cve_2023_28642_ProcAsASymlinkIsRefused()
    {
        using var sb = new Sandbox();
        string rootfs = CopyRootfs(sb);
        Directory.Delete(Path.Combine(rootfs, "proc"));
        Directory.CreateDirectory(Path.Combine(rootfs, "fakeproc"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "proc"), "fakeproc");
        var spec = Sandbox.DefaultSpec("true");
        spec.Root = new Root { Path = rootfs };
        string id = sb.NewId();
        var r = sb.Warren("run", "--bundle", sb.Bundle(spec), id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("proc destination /proc is a symlink", r.Stderr);
        Assert.Empty(Leftovers.Find(sb, id));
    }

    /// <summary>
    /// CVE-2025-52565: an image ships /dev/console as a symlink to a procfs file; binding the pty there must
    /// not follow the link (which would put the pty over, or expose, the target).
    /// </summary>
    [Fact]
    public void Cve_2025_52565_DevConsoleSymlinkIsNotFollowed()
    {
        using var sb = new Sandbox();
        string rootfs = CopyRootfs(sb);
        File.CreateSymbolicLink(Path.Combine(rootfs, "dev", "console"), "/proc/sys/kernel/core_pattern");
        File.CreateSymbolicLink(Path.Combine(rootfs, "dev", "ptmx"), "pts/ptmx");
        Assert.Equal(0, Exec.Run("mknod", new[] { "-m", "666", Path.Combine(rootfs, "dev", "null"), "c", "1", "3" }).Code);
        var spec = Sandbox.DefaultSpec("sh", "-c", "grep -c core_pattern /proc/self/mountinfo; stat -c %F /dev/console; cat /proc/sys/kernel/core_pattern");
        spec.Root = new Root { Path = rootfs };
        spec.Process!.Terminal = true;
        spec.Mounts!.RemoveAll(m => m.Destination is "/dev" or "/dev/shm" or "/dev/mqueue");
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.Equal("0", lines[0]);                                  // nothing mounted over core_pattern
        Assert.Equal("character special file", lines[1]);            // /dev/console is the pty now, not a link
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/core_pattern").Trim(), lines[2]);
    }

    /// <summary>CVE-2025-52881: a sysctl write redirected onto a non-procfs file (a tmpfs over /proc/sys/kernel) is refused.</summary>
    [Fact]
    public void Cve_2025_52881_ProcfsWritesLandOnProcfsOnly()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("true");
        spec.Mounts!.Add(new Mount { Destination = "/proc/sys/kernel", Type = "tmpfs", Source = "tmpfs" });
        spec.Linux!.Sysctl = new() { ["kernel.msgmax"] = "4242" };
        string id = sb.NewId();
        var r = sb.Warren("run", "--bundle", sb.Bundle(spec), id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("kernel.msgmax", r.Stderr);
        Assert.Empty(Leftovers.Find(sb, id));
    }

    /// <summary>
    /// CVE-2021-30465: a container that shares a volume with the next one swaps a directory of it with a
    /// symlink to "/" over and over, hoping the runtime resolves a mount destination through the link at the
    /// wrong moment and mounts onto the host. warren resolves inside the rootfs (openat2 RESOLVE_IN_ROOT) and
    /// mounts through the resolved fd, so the race can only ever land inside the victim container.
    /// </summary>
    [Fact]
    public void Cve_2021_30465_SymlinkExchangeRaceOnADestinationStaysInside()
    {
        using var sb = new Sandbox();
        string vol = Path.Combine(sb.Dir, "vol");
        Directory.CreateDirectory(Path.Combine(vol, "dir"));
        var racer = Sandbox.DefaultSpec("sh", "-c",
            "cd /vol; while true; do mv dir dir.real 2>/dev/null; ln -sfn / dir; rm -f dir; mv dir.real dir 2>/dev/null; done");
        racer.Mounts!.Add(new Mount { Destination = "/vol", Type = "bind", Source = vol, Options = new() { "rbind" } });
        string racerId = sb.NewId("racer");
        Assert.Equal(0, sb.Warren("run", "-d", "--bundle", sb.Bundle(racer), racerId).Code);
        int before = File.ReadAllLines("/proc/self/mountinfo").Length;
        var victim = Sandbox.DefaultSpec("true");
        victim.Mounts!.Add(new Mount { Destination = "/vol", Type = "bind", Source = vol, Options = new() { "rbind" } });
        victim.Mounts.Add(new Mount { Destination = "/vol/dir/tmp", Type = "tmpfs", Source = "tmpfs" });
        string bundle = sb.Bundle(victim);
        for (int i = 0; i < 40; i++) sb.Warren("run", "--bundle", bundle, sb.NewId("victim"));
        Assert.Equal(0, sb.Warren("delete", "-f", racerId).Code);
        // Nothing was mounted in the host's namespace, and the host's /tmp did not get a tmpfs over it.
        Assert.Equal(before, File.ReadAllLines("/proc/self/mountinfo").Length);
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Split(' ')[4] == "/tmp");
    }
}
