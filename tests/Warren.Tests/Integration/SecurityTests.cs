using System.Security.Cryptography;
using System.Text.Json;
using Xunit;

namespace Warren.Tests.Integration;

public class SecurityTests
{
    /// <summary>
    /// CVE-2019-5736, written as the attack: a process in the container's PID namespace opens /proc/1/exe
    /// while pid 1 is the runtime's init stage, waits until the runtime has exec'd away (so no ETXTBSY
    /// protects the file any more), then reopens the fd for writing. warren's init runs from a detached
    /// read-only bind mount (or a sealed memfd copy), so the write fails and the host binary (a private copy
    /// here, executed by nothing else) is unchanged.
    /// </summary>
    [Fact]
    public void Cve_2019_5736_ContainerCannotOverwriteTheHostBinary()
    {
        using var sb = new Sandbox();
        string copy = Path.Combine(sb.Dir, "warren-copy");
        File.Copy(WarrenBinary.Path, copy);
        File.SetUnixFileMode(copy, (UnixFileMode)0x1ed);
        string before = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(copy)));
        string xchg = Path.Combine(sb.Dir, "xchg");
        Directory.CreateDirectory(xchg);

        string holder = sb.NewId("holder");
        var c = Exec.Run(copy, new[] { "--root", sb.StateRoot, "create", "--bundle", sb.Bundle(Sandbox.DefaultSpec("sleep", "1000")), holder });
        Assert.True(c.Code == 0, c.ToString());
        int pid = JsonDocument.Parse(sb.Warren("state", holder).Stdout).RootElement.GetProperty("pid").GetInt32();

        var spec = Sandbox.DefaultSpec("sh", "-c",
            "readlink /proc/1/exe; exec 3</proc/1/exe || exit 9; touch /x/opened; " +
            "while [ ! -e /x/go ]; do sleep 0.05; done; readlink /proc/1/exe; " +
            "echo pwned >> /proc/self/fd/3 && echo WROTE; echo end");
        spec.Linux!.Namespaces!.First(n => n.Type == "pid").Path = $"/proc/{pid}/ns/pid";
        spec.Mounts!.Add(new Warren.Oci.Mount { Destination = "/x", Type = "bind", Source = xchg, Options = new() { "rbind" } });
        var extra = new[] { "CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE", "CAP_SYS_ADMIN", "CAP_FOWNER" };
        var caps = spec.Process!.Capabilities!;
        foreach (var set in new[] { caps.Bounding!, caps.Effective!, caps.Permitted! }) set.AddRange(extra);
        spec.Process.NoNewPrivileges = false;

        ExecResult? attack = null;
        string attacker = sb.NewId("attacker");
        string bundle = sb.Bundle(spec);
        var t = new Thread(() => attack = sb.Warren("run", "--bundle", bundle, attacker));
        t.Start();
        for (int i = 0; i < 400 && !File.Exists(Path.Combine(xchg, "opened")) && t.IsAlive; i++) Thread.Sleep(25);
        Assert.True(File.Exists(Path.Combine(xchg, "opened")), "the attacker could not open /proc/1/exe: " + attack);

        var s = Exec.Run(copy, new[] { "--root", sb.StateRoot, "start", holder });
        Assert.True(s.Code == 0, s.ToString());
        File.WriteAllText(Path.Combine(xchg, "go"), "");
        Assert.True(t.Join(30_000));

        Assert.True(attack!.Code == 0, attack.ToString());
        var lines = ProcessTests.Lines(attack.Stdout);
        Assert.Equal("/bin/busybox", lines[1]);            // the init stage had exec'd away (to busybox sleep)
        Assert.DoesNotContain("WROTE", attack.Stdout);
        Assert.Contains("end", attack.Stdout);
        Assert.Equal(before, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(copy))));
        Assert.DoesNotContain(copy, lines[0]);             // pid 1 never ran the host file itself
    }

    /// <summary>
    /// DESIGN 3: clone from a multithreaded NativeAOT process while another thread allocates hard must never
    /// leave the child waiting for a GC. The hidden verb clones thousands of first stages and fails on a hang.
    /// </summary>
    [Fact]
    public void ThousandsOfFirstStagesWhileAllocatingNeverHang()
    {
        Skip.IfNotRoot();
        var r = Exec.Run(WarrenBinary.Path, new[] { "debug-spawn-stress", "--count", "2000" }, timeoutMs: 300_000);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("2000 first stages ok", r.Stdout);
    }
}
