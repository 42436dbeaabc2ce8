using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>mounts, maskedPaths, readonlyPaths, root.readonly and propagation, read from /proc/self/mountinfo.</summary>
public class MountTests
{
    /// <summary>mount point → (per-mount options, optional fields, fs type, super options).</summary>
    private static Dictionary<string, (string Opts, string Optional, string Type, string Super)> MountInfo(string text)
    {
        var d = new Dictionary<string, (string, string, string, string)>();
        foreach (var line in ProcessTests.Lines(text))
        {
            var parts = line.Split(" - ");
            if (parts.Length != 2) continue;
            var pre = parts[0].Split(' ');
            var post = parts[1].Split(' ');
            d[pre[4]] = (pre[5], string.Join(' ', pre.Skip(6)), post[0], post.Length > 2 ? post[2] : "");
        }
        return d;
    }

    [Fact]
    public void MaskedAndReadonlyPathsAndReadonlyRoot()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c",
            "cat /proc/self/mountinfo; echo ---; cat /proc/kcore | wc -c; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/ns_last_pid && echo wrote-sys; touch /rootfile && echo wrote-root; echo done");
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var parts = r.Stdout.Split("---\n");
        var mi = MountInfo(parts[0]);
        Assert.StartsWith("ro", mi["/"].Opts);
        Assert.StartsWith("ro", mi["/proc/sys"].Opts);
        Assert.StartsWith("ro", mi["/proc/bus"].Opts);
        Assert.Equal("tmpfs", mi["/sys/firmware"].Type);
        Assert.Equal("tmpfs", mi["/proc/acpi"].Type);
        var after = ProcessTests.Lines(parts[1]);
        Assert.Equal("0", after[0].Trim());   // /proc/kcore is /dev/null
        Assert.Equal("0", after[1].Trim());   // /sys/firmware is an empty tmpfs
        Assert.DoesNotContain("wrote-sys", after);
        Assert.DoesNotContain("wrote-root", after);
        Assert.Contains("done", after);
    }

    [Fact]
    public void MountOptionsReachTheKernel()
    {
        using var sb = new Sandbox();
        string src = Path.Combine(sb.Dir, "share");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "hello"), "from host\n");
        var spec = Sandbox.DefaultSpec("sh", "-c", "cat /proc/self/mountinfo; echo ---; cat /data/hello; touch /data/x && echo wrote-data; stat -c %a /scratch");
        spec.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Source = src, Options = new() { "rbind", "ro", "nosuid", "nodev" } });
        spec.Mounts.Add(new Mount { Destination = "/scratch", Type = "tmpfs", Source = "tmpfs", Options = new() { "noexec", "size=1m", "mode=700", "noatime" } });
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var parts = r.Stdout.Split("---\n");
        var mi = MountInfo(parts[0]);
        Assert.Equal("ro,nosuid,nodev,relatime", mi["/data"].Opts);
        Assert.Contains("noexec", mi["/scratch"].Opts);
        Assert.Contains("noatime", mi["/scratch"].Opts);
        Assert.Contains("size=1024k", mi["/scratch"].Super);
        var after = ProcessTests.Lines(parts[1]);
        Assert.Equal("from host", after[0]);
        Assert.DoesNotContain("wrote-data", after);
        Assert.Equal("700", after[^1]);
        Assert.False(File.Exists(Path.Combine(src, "x")));
    }

    [Theory]
    [InlineData("rprivate", "")]
    [InlineData("rshared", "shared:")]
    public void RootfsPropagationShowsInMountinfo(string? propagation, string expected)
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("cat", "/proc/self/mountinfo");
        spec.Linux!.RootfsPropagation = propagation;
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var optional = MountInfo(r.Stdout)["/"].Optional;
        if (expected == "") Assert.DoesNotContain("shared:", optional);
        if (expected == "") Assert.DoesNotContain("master:", optional);
        else Assert.Contains(expected, optional);
    }

    [Fact]
    public void PerMountPropagationIsApplied()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("cat", "/proc/self/mountinfo");
        spec.Mounts!.Add(new Mount { Destination = "/shared", Type = "tmpfs", Source = "tmpfs", Options = new() { "shared" } });
        spec.Linux!.RootfsPropagation = "rprivate";
        var r = sb.Run(spec);
        Assert.Contains("shared:", MountInfo(r.Stdout)["/shared"].Optional);
    }

    [Fact]
    public void DevHasTheDefaultNodesAndLinks()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "stat -c '%n %F %t:%T %a' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty; readlink /dev/fd; readlink /dev/ptmx; readlink /dev/stdin; echo ok > /dev/null && echo null-ok");
        spec.Linux!.Devices = new() { new LinuxDevice { Path = "/dev/fuse-test", Type = "c", Major = 10, Minor = 229, FileMode = 0x180 } };
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.Contains("/dev/null character special file 1:3 666", lines);
        Assert.Contains("/dev/tty character special file 5:0 666", lines);
        Assert.Contains("/proc/self/fd", lines);
        Assert.Contains("pts/ptmx", lines);
        Assert.Contains("null-ok", lines);
    }

    [Fact]
    public void LinuxDevicesAreCreatedWithModeAndOwner()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("stat", "-c", "%F %t:%T %a %u:%g", "/dev/mydev");
        spec.Linux!.Devices = new() { new LinuxDevice { Path = "/dev/mydev", Type = "c", Major = 1, Minor = 5, FileMode = 0x1a0, Uid = 7, Gid = 8 } };
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal("character special file 1:5 640 7:8", r.Stdout.Trim());
    }

    [Fact]
    public void NoPivotStillConfinesTheContainer()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "ls /bin/busybox && cat /proc/self/mountinfo | wc -l");
        string id = sb.NewId();
        var r = sb.Warren("run", "--no-pivot", "--bundle", sb.Bundle(spec), id);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("/bin/busybox", r.Stdout);
    }
}
