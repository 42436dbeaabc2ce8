using System.Text.Json;
using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>OCI hooks: each at its point of the lifecycle, in its namespace, with the state on stdin.</summary>
public class HookTests
{
    /// <summary>A hook script that appends "KIND MNTNS STATUS PID" to log beside itself.</summary>
    private static string HookDir(Sandbox sb)
    {
        string dir = Path.Combine(sb.Dir, "hooks");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "hook.sh"), """
            #!/bin/sh
            state=$(cat)
            status=$(echo "$state" | sed 's/.*"status": *"\([a-z]*\)".*/\1/')
            echo "$1 $(readlink /proc/self/ns/mnt) $status" >> "$(dirname "$0")/log"
            """);
        File.SetUnixFileMode(Path.Combine(dir, "hook.sh"), (UnixFileMode)0x1ed);
        return dir;
    }

    private static Hook H(string path, string kind, int? timeout = null) => new() { Path = path, Args = new() { path, kind }, Timeout = timeout };

    [Fact]
    public void EachHookRunsOnceInOrderInItsNamespaceWithTheState()
    {
        using var sb = new Sandbox();
        string dir = HookDir(sb), host = Path.Combine(dir, "hook.sh");
        var spec = Sandbox.DefaultSpec("true");
        spec.Mounts!.Add(new Mount { Destination = "/hooks", Type = "bind", Source = dir, Options = new() { "rbind" } });
        spec.Hooks = new Hooks
        {
            Prestart = new() { H(host, "prestart") },
            CreateRuntime = new() { H(host, "createRuntime") },
            CreateContainer = new() { H(host, "createContainer") },
            StartContainer = new() { H("/hooks/hook.sh", "startContainer") },   // resolves in the container
            Poststart = new() { H(host, "poststart") },
            Poststop = new() { H(host, "poststop") },
        };
        string id = sb.NewId();
        Assert.Equal(0, sb.Warren("create", "--bundle", sb.Bundle(spec), id).Code);
        int pid = JsonDocument.Parse(sb.Warren("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        string containerMnt = new FileInfo($"/proc/{pid}/ns/mnt").LinkTarget!;
        var s = sb.Warren("start", id);
        Assert.True(s.Code == 0, s.ToString());
        for (int i = 0; i < 200 && sb.Warren("state", id).Stdout.Contains("running"); i++) Thread.Sleep(25);
        Assert.Equal(0, sb.Warren("delete", id).Code);

        string hostMnt = new FileInfo("/proc/self/ns/mnt").LinkTarget!;
        var log = ProcessTests.Lines(File.ReadAllText(Path.Combine(dir, "log")));
        Assert.Equal(new[]
        {
            $"prestart {hostMnt} creating",
            $"createRuntime {hostMnt} creating",
            $"createContainer {containerMnt} creating",
            $"startContainer {containerMnt} created",
            $"poststart {hostMnt} running",
            $"poststop {hostMnt} stopped",
        }, log);
    }

    /// <summary>
    /// args[0] is the hook's argv[0], as execv has it: Docker's libnetwork-setkey prestart hook is dockerd's own
    /// binary telling its roles apart by argv[0]. Env is exactly the hook's.
    /// </summary>
    [Fact]
    public void AHookGetsItsArgsAsArgvIncludingArgv0AndOnlyItsEnv()
    {
        using var sb = new Sandbox();
        string log = Path.Combine(sb.Dir, "argv0");
        var spec = Sandbox.DefaultSpec("true");
        spec.Hooks = new Hooks
        {
            Prestart = new() { new Hook { Path = "/bin/sh", Args = new() { "libnetwork-setkey", "-c", $"echo \"$(head -c 17 /proc/$$/cmdline) $0 $ONLY\" > {log}; env | wc -l >> {log}", "one" },
                Env = new() { "ONLY=this" } } },
        };
        Assert.Equal(0, sb.Run(spec).Code);
        var lines = ProcessTests.Lines(File.ReadAllText(log));
        Assert.Equal("libnetwork-setkey one this", lines[0]);
        Assert.True(int.Parse(lines[1].Trim()) <= 3, $"the hook saw more than its own env: {lines[1]} variables");
    }

    [Fact]
    public void AFailingCreateRuntimeHookFailsCreateWithItsStderr()
    {
        using var sb = new Sandbox();
        string script = Path.Combine(sb.Dir, "fail.sh");
        File.WriteAllText(script, "#!/bin/sh\necho 'no network for you' >&2\nexit 3\n");
        File.SetUnixFileMode(script, (UnixFileMode)0x1ed);
        var spec = Sandbox.DefaultSpec("true");
        spec.Hooks = new Hooks { CreateRuntime = new() { new Hook { Path = script } } };
        string id = sb.NewId();
        var r = sb.Warren("create", "--bundle", sb.Bundle(spec), id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("createRuntime hook", r.Stderr);
        Assert.Contains("no network for you", r.Stderr);
        Assert.Empty(Leftovers.Find(sb, id));
    }

    [Fact]
    public void AHookPastItsTimeoutIsKilledAndReported()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("true");
        spec.Hooks = new Hooks { Prestart = new() { new Hook { Path = "/bin/sleep", Args = new() { "sleep", "30" }, Timeout = 1 } } };
        string id = sb.NewId();
        var started = DateTime.UtcNow;
        var r = sb.Warren("run", "--bundle", sb.Bundle(spec), id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("timed out after 1 s", r.Stderr);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(25), "the hook was not killed at its timeout");
        Assert.Empty(Leftovers.Find(sb, id));
    }

    [Fact]
    public void AFailingPoststartHookFailsStartAndStopsTheContainer()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sleep", "1000");
        spec.Hooks = new Hooks { Poststart = new() { new Hook { Path = "/bin/false" } } };
        string id = sb.NewId();
        Assert.Equal(0, sb.Warren("create", "--bundle", sb.Bundle(spec), id).Code);
        var r = sb.Warren("start", id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("poststart hook", r.Stderr);
        for (int i = 0; i < 200 && !sb.Warren("state", id).Stdout.Contains("stopped"); i++) Thread.Sleep(25);
        Assert.Contains("\"stopped\"", sb.Warren("state", id).Stdout);
    }

    [Fact]
    public void AFailingStartContainerHookFailsStart()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sleep", "1000");
        spec.Hooks = new Hooks { StartContainer = new() { new Hook { Path = "/bin/false" } } };
        string id = sb.NewId();
        Assert.Equal(0, sb.Warren("create", "--bundle", sb.Bundle(spec), id).Code);
        var r = sb.Warren("start", id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("startContainer hook", r.Stderr);
    }

    [Fact]
    public void PoststopFailuresAreWarningsAndTheRestStillRun()
    {
        using var sb = new Sandbox();
        string dir = HookDir(sb), host = Path.Combine(dir, "hook.sh");
        var spec = Sandbox.DefaultSpec("true");
        spec.Hooks = new Hooks { Poststop = new() { new Hook { Path = "/bin/false" }, H(host, "poststop") } };
        string id = sb.NewId();
        var r = sb.Warren("run", "--bundle", sb.Bundle(spec), id);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("warning: poststop hook #0", r.Stderr);
        Assert.StartsWith("poststop ", File.ReadAllText(Path.Combine(dir, "log")));
        Assert.Empty(Leftovers.Find(sb, id));
    }

    [Fact]
    public void FeaturesReportWhatTheCodeDoes()
    {
        var r = Exec.Run(WarrenBinary.Path, new[] { "features" });
        Assert.Equal(0, r.Code);
        var f = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal(6, f.GetProperty("hooks").GetArrayLength());
        var ns = f.GetProperty("linux").GetProperty("namespaces").EnumerateArray().Select(e => e.GetString()).ToHashSet();
        Assert.Equal(new HashSet<string?> { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts" }, ns);
        Assert.Contains("CAP_SYS_ADMIN", f.GetProperty("linux").GetProperty("capabilities").EnumerateArray().Select(e => e.GetString()));
        var opts = f.GetProperty("mountOptions").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("rro", opts);
        Assert.Contains("idmap", opts);
        Assert.DoesNotContain("tmpcopyup", opts);
        var seccomp = f.GetProperty("linux").GetProperty("seccomp");
        Assert.True(seccomp.GetProperty("enabled").GetBoolean());
        Assert.Contains("SCMP_CMP_MASKED_EQ", seccomp.GetProperty("operators").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("SCMP_ACT_NOTIFY", seccomp.GetProperty("actions").EnumerateArray().Select(e => e.GetString()));
        var cgroup = f.GetProperty("linux").GetProperty("cgroup");
        Assert.True(cgroup.GetProperty("systemd").GetBoolean() && cgroup.GetProperty("systemdUser").GetBoolean());
        // Support for both LSMs is built in (the spec's meaning); whether this host runs them is an annotation.
        Assert.True(f.GetProperty("linux").GetProperty("apparmor").GetProperty("enabled").GetBoolean());
        Assert.True(f.GetProperty("linux").GetProperty("selinux").GetProperty("enabled").GetBoolean());
        bool hostAppArmor = File.Exists("/sys/module/apparmor/parameters/enabled")
            && File.ReadAllText("/sys/module/apparmor/parameters/enabled").Trim() == "Y";
        Assert.Equal(hostAppArmor ? "enabled" : "absent", f.GetProperty("annotations").GetProperty("run.warren.host.apparmor").GetString());
        Assert.Equal(File.Exists("/sys/fs/selinux/enforce") ? "enabled" : "absent",
            f.GetProperty("annotations").GetProperty("run.warren.host.selinux").GetString());
    }

    [Fact]
    public void AnOptionFeaturesLeaveOutIsRefused()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("true");
        spec.Mounts!.Add(new Mount { Destination = "/x", Type = "tmpfs", Source = "tmpfs", Options = new() { "tmpcopyup" } });
        string id = sb.NewId();
        var r = sb.Warren("create", "--bundle", sb.Bundle(spec), id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("\"tmpcopyup\" is not supported", r.Stderr);
        Assert.Empty(Leftovers.Find(sb, id));
    }
}
