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
        using var sb = new Sandbox();
        string user = $"wtrl{Environment.ProcessId % 100000}";
        Assert.Equal(0, Exec.Run("useradd", new[] { "-M", "-s", "/bin/false", user }).Code);
        try
        {
            int uid = int.Parse(Exec.Run("id", new[] { "-u", user }).Stdout.Trim());
            string home = Path.Combine(Path.GetTempPath(), $"warren-rootless-{Environment.ProcessId}");
            Directory.CreateDirectory(Path.Combine(home, "run"));
            Directory.CreateDirectory(Path.Combine(home, "bundle"));
            Assert.Equal(0, Exec.Run("chown", new[] { "-R", user, home }).Code);
            try
            {
                ExecResult As(params string[] args) => Exec.Run("runuser",
                    new[] { "-u", user, "--", "env", $"XDG_RUNTIME_DIR={home}/run", WarrenBinary.Path }.Concat(args));
                string bundle = Path.Combine(home, "bundle");
                Assert.Equal(0, As("spec", "--rootless", "--bundle", bundle).Code);
                var spec = SpecLoader.LoadFile(Path.Combine(bundle, "config.json"));
                spec.Root = new Root { Path = WarrenBinary.Rootfs, Readonly = true };
                spec.Process!.Terminal = false;
                spec.Process.Args = new() { "sh", "-c", "id -u; cat /proc/self/uid_map; hostname" };
                File.WriteAllText(Path.Combine(bundle, "config.json"), OciJson.Serialize(spec));

                var r = As("run", "--bundle", bundle, "rl1");
                Assert.True(r.Code == 0, r.ToString());
                var lines = ProcessTests.Lines(r.Stdout);
                Assert.Equal("0", lines[0]);                                     // root inside
                Assert.Matches($@"^\s*0\s+{uid}\s+1$", lines[1]);                 // ... which is the user outside
                Assert.Equal("warren", lines[2]);
                Assert.Contains("no cgroup is delegated", r.Stderr);

                spec.Process.Args = new() { "sleep", "1000" };
                File.WriteAllText(Path.Combine(bundle, "config.json"), OciJson.Serialize(spec));
                Assert.Equal(0, As("create", "--bundle", bundle, "rl2").Code);
                Assert.Equal(0, As("start", "rl2").Code);
                int pid = JsonDocument.Parse(As("state", "rl2").Stdout).RootElement.GetProperty("pid").GetInt32();
                Assert.StartsWith($"{uid}\t", File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:"))[5..]);
                var ex = As("exec", "rl2", "sh", "-c", "id -u; readlink /proc/self/ns/user");
                Assert.True(ex.Code == 0, ex.ToString());
                Assert.Equal(new FileInfo($"/proc/{pid}/ns/user").LinkTarget, ProcessTests.Lines(ex.Stdout)[1]);
                Assert.Equal(0, As("kill", "rl2", "KILL").Code);
                for (int i = 0; i < 200 && !As("state", "rl2").Stdout.Contains("stopped"); i++) Thread.Sleep(25);
                Assert.Equal(0, As("delete", "rl2").Code);
                Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(home, "run", "warren")));

                // Escalation attempts inside fail: writing uid_map again, mknod of a host disk.
                spec.Process.Args = new() { "sh", "-c", "(echo '0 0 1' > /proc/self/uid_map) 2>&1; mknod /tmp/sda b 8 0 2>&1; true" };
                spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" });
                File.WriteAllText(Path.Combine(bundle, "config.json"), OciJson.Serialize(spec));
                var esc = As("run", "--bundle", bundle, "rl3");
                Assert.True(esc.Code == 0, esc.ToString());
                Assert.Equal(2, ProcessTests.Lines(esc.Stdout).Count(l => l.Contains("Operation not permitted")));
            }
            finally
            {
                Exec.Run("runuser", new[] { "-u", user, "--", "env", $"XDG_RUNTIME_DIR={home}/run", WarrenBinary.Path, "delete", "-f", "rl2" });
                Directory.Delete(home, true);
            }
        }
        finally { Exec.Run("userdel", new[] { user }); }
    }

    [Fact]
    public void SubordinateIdRangesGoThroughNewuidmap()
    {
        using var sb = new Sandbox();
        string user = $"wtrs{Environment.ProcessId % 100000}";
        Assert.Equal(0, Exec.Run("useradd", new[] { "-M", "-s", "/bin/false", user }).Code);
        try
        {
            Assert.Equal(0, Exec.Run("usermod", new[] { "--add-subuids", "400000-465535", "--add-subgids", "400000-465535", user }).Code);
            int uid = int.Parse(Exec.Run("id", new[] { "-u", user }).Stdout.Trim());
            int gid = int.Parse(Exec.Run("id", new[] { "-g", user }).Stdout.Trim());
            string home = Path.Combine(Path.GetTempPath(), $"warren-subid-{Environment.ProcessId}");
            Directory.CreateDirectory(Path.Combine(home, "run"));
            Directory.CreateDirectory(Path.Combine(home, "bundle"));
            Assert.Equal(0, Exec.Run("chown", new[] { "-R", user, home }).Code);
            try
            {
                ExecResult As(params string[] args) => Exec.Run("runuser",
                    new[] { "-u", user, "--", "env", $"XDG_RUNTIME_DIR={home}/run", WarrenBinary.Path }.Concat(args));
                string bundle = Path.Combine(home, "bundle");
                Assert.Equal(0, As("spec", "--rootless", "--bundle", bundle).Code);
                var spec = SpecLoader.LoadFile(Path.Combine(bundle, "config.json"));
                spec.Root = new Root { Path = WarrenBinary.Rootfs, Readonly = true };
                spec.Process!.Terminal = false;
                spec.Process.Args = new() { "sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/f && chown 1000:1000 /tmp/f && stat -c '%u:%g' /tmp/f" };
                spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" });
                foreach (var set in new[] { spec.Process.Capabilities!.Bounding!, spec.Process.Capabilities.Effective!, spec.Process.Capabilities.Permitted! })
                    set.Add("CAP_CHOWN");
                spec.Linux!.UidMappings = new() { new IdMapping { ContainerId = 0, HostId = (uint)uid, Size = 1 }, new IdMapping { ContainerId = 1, HostId = 400000, Size = 65536 } };
                spec.Linux.GidMappings = new() { new IdMapping { ContainerId = 0, HostId = (uint)gid, Size = 1 }, new IdMapping { ContainerId = 1, HostId = 400000, Size = 65536 } };
                File.WriteAllText(Path.Combine(bundle, "config.json"), OciJson.Serialize(spec));
                var r = As("run", "--bundle", bundle, "sub1");
                Assert.True(r.Code == 0, r.ToString());
                var lines = ProcessTests.Lines(r.Stdout);
                Assert.Equal(5, lines.Length);
                Assert.Matches(@"^\s*1\s+400000\s+65536$", lines[1]);
                Assert.Matches(@"^\s*1\s+400000\s+65536$", lines[3]);
                Assert.Equal("1000:1000", lines[4]);        // a uid of the subordinate range is usable inside

                // A range the user does not own is refused with a clear error, and nothing is left behind.
                spec.Linux.UidMappings[1].HostId = 900000;
                File.WriteAllText(Path.Combine(bundle, "config.json"), OciJson.Serialize(spec));
                var bad = As("run", "--bundle", bundle, "sub2");
                Assert.NotEqual(0, bad.Code);
                Assert.Contains("newuidmap refused the mapping", bad.Stderr);
                Assert.False(Directory.Exists(Path.Combine(home, "run", "warren", "sub2")));
            }
            finally { Directory.Delete(home, true); }
        }
        finally { Exec.Run("userdel", new[] { user }); }
    }
}
