using System.Text.Json;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>create / start / state / list / kill / delete, as runc's users drive them.</summary>
public class LifecycleTests
{
    private static JsonElement State(Sandbox sb, string id)
    {
        var r = sb.Warren("state", id);
        Assert.True(r.Code == 0, r.ToString());
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    private static void WaitForStatus(Sandbox sb, string id, string status)
    {
        for (int i = 0; i < 200 && State(sb, id).GetProperty("status").GetString() != status; i++) Thread.Sleep(25);
        Assert.Equal(status, State(sb, id).GetProperty("status").GetString());
    }

    [Fact]
    public void CreateStartKillDelete()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        string marker = Path.Combine(sb.Dir, "out.txt");
        var spec = Sandbox.DefaultSpec("sh", "-c", "echo started > /out/started; exec sleep 1000");
        spec.Mounts!.Add(new Warren.Oci.Mount { Destination = "/out", Type = "bind", Source = sb.Dir, Options = new() { "rbind" } });
        string bundle = sb.Bundle(spec);
        string pidFile = Path.Combine(sb.Dir, "pid");

        var c = sb.Warren("create", "--bundle", bundle, "--pid-file", pidFile, id);
        Assert.True(c.Code == 0, c.ToString());
        var st = State(sb, id);
        Assert.Equal("created", st.GetProperty("status").GetString());
        int pid = st.GetProperty("pid").GetInt32();
        Assert.Equal(pid.ToString(), File.ReadAllText(pidFile));
        Assert.Equal(bundle, st.GetProperty("bundle").GetString());
        Assert.False(File.Exists(Path.Combine(sb.Dir, "started")), "the process must not run before start");

        Assert.Equal(0, sb.Warren("start", id).Code);
        Assert.Equal("running", State(sb, id).GetProperty("status").GetString());
        for (int i = 0; i < 200 && !File.Exists(Path.Combine(sb.Dir, "started")); i++) Thread.Sleep(25);
        Assert.True(File.Exists(Path.Combine(sb.Dir, "started")));
        Assert.Contains("sleep", File.ReadAllText($"/proc/{pid}/cmdline"));

        var again = sb.Warren("start", id);
        Assert.NotEqual(0, again.Code);
        Assert.Contains("not created", again.Stderr);

        var del = sb.Warren("delete", id);
        Assert.NotEqual(0, del.Code);
        Assert.Contains("not stopped", del.Stderr);

        Assert.Equal(0, sb.Warren("kill", id, "KILL").Code);
        WaitForStatus(sb, id, "stopped");
        Assert.Equal(0, sb.Warren("delete", id).Code);
        Assert.Empty(Leftovers.Find(sb, id));
        var gone = sb.Warren("state", id);
        Assert.NotEqual(0, gone.Code);
        Assert.Contains("does not exist", gone.Stderr);
    }

    [Fact]
    public void ListShowsContainersInTableJsonAndQuietForms()
    {
        using var sb = new Sandbox();
        string a = sb.NewId("a"), b = sb.NewId("b");
        Assert.Equal(0, sb.Warren("create", "--bundle", sb.Bundle(Sandbox.DefaultSpec("true")), a).Code);
        Assert.Equal(0, sb.Warren("run", "-d", "--bundle", sb.Bundle(Sandbox.DefaultSpec("sleep", "1000")), b).Code);

        var table = ProcessTests.Lines(sb.Warren("list").Stdout);
        Assert.Matches(@"^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER$", table[0]);
        Assert.Contains(table, l => l.StartsWith(a) && l.Contains(" created "));
        Assert.Contains(table, l => l.StartsWith(b) && l.Contains(" running "));

        var json = JsonDocument.Parse(sb.Warren("list", "--format", "json").Stdout).RootElement;
        Assert.Equal(2, json.GetArrayLength());
        foreach (var e in json.EnumerateArray())
            foreach (var field in new[] { "ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner" })
                Assert.True(e.TryGetProperty(field, out _), field);

        Assert.Equal(new[] { a, b }.OrderBy(x => x, StringComparer.Ordinal), ProcessTests.Lines(sb.Warren("list", "-q").Stdout));
    }

    [Fact]
    public void DeleteForceStopsARunningContainerAndItsChildren()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        Assert.Equal(0, sb.Warren("run", "-d", "--bundle", sb.Bundle(Sandbox.DefaultSpec("sh", "-c", "sleep 1000 & sleep 1000")), id).Code);
        int pid = State(sb, id).GetProperty("pid").GetInt32();
        Assert.True(Directory.Exists($"/proc/{pid}"));
        var r = sb.Warren("delete", "--force", id);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Empty(Leftovers.Find(sb, id));
        // containerd deletes again with --force: no error for a container that is gone.
        Assert.Equal(0, sb.Warren("delete", "--force", id).Code);
    }

    [Fact]
    public void KillAllSignalsEveryProcessInTheContainer()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        var spec = Sandbox.DefaultSpec("sh", "-c", "trap '' TERM; sleep 1000 & sleep 1001 & wait");
        Assert.Equal(0, sb.Warren("run", "-d", "--bundle", sb.Bundle(spec), id).Code);
        Thread.Sleep(200);
        Assert.Equal(0, sb.Warren("kill", "--all", id, "9").Code);
        WaitForStatus(sb, id, "stopped");
    }

    [Fact]
    public void ForegroundRunReportsDeathBySignalAs128PlusN()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        string bundle = sb.Bundle(Sandbox.DefaultSpec("sleep", "1000"));
        ExecResult? result = null;
        var t = new Thread(() => result = sb.Warren("run", "--bundle", bundle, id));
        t.Start();
        for (int i = 0; i < 200; i++)
        {
            var st = sb.Warren("state", id);
            if (st.Code == 0 && st.Stdout.Contains("\"running\"")) break;
            Thread.Sleep(25);
        }
        Assert.Equal(0, sb.Warren("kill", id, "SIGKILL").Code);
        Assert.True(t.Join(20_000));
        Assert.Equal(137, result!.Code);
        Assert.Empty(Leftovers.Find(sb, id)); // a foreground run deletes its container
    }

    [Fact]
    public void ForegroundRunForwardsSignals()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        string bundle = sb.Bundle(Sandbox.DefaultSpec("sh", "-c", "trap 'echo got-term; exit 7' TERM; echo ready; while true; do sleep 0.1; done"));
        var r = Exec.Run(WarrenBinary.Path, new[] { "--root", sb.StateRoot, "run", "--bundle", bundle, id }, started: p =>
        {
            for (int i = 0; i < 200; i++)
            {
                var st = sb.Warren("state", id);
                if (st.Code == 0 && st.Stdout.Contains("\"running\"")) break;
                Thread.Sleep(25);
            }
            Thread.Sleep(300); // let the shell install its trap
            Assert.Equal(0, Exec.Run("/bin/kill", new[] { "-TERM", p.Id.ToString() }).Code);
        });
        Assert.Equal(7, r.Code);
        Assert.Contains("got-term", r.Stdout);
    }

    [Fact]
    public void RunKeepLeavesAStoppedContainer()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        var r = sb.Warren("run", "--keep", "--bundle", sb.Bundle(Sandbox.DefaultSpec("true")), id);
        Assert.Equal(0, r.Code);
        Assert.Equal("stopped", State(sb, id).GetProperty("status").GetString());
        Assert.Equal(0, sb.Warren("delete", id).Code);
        Assert.Empty(Leftovers.Find(sb, id));
    }

    [Fact]
    public void CgroupIsCreatedForTheContainerAndRemovedOnDelete()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        Assert.Equal(0, sb.Warren("run", "-d", "--bundle", sb.Bundle(Sandbox.DefaultSpec("sleep", "1000")), id).Code);
        int pid = State(sb, id).GetProperty("pid").GetInt32();
        var cgroups = File.ReadAllLines($"/proc/{pid}/cgroup");
        Assert.Contains(cgroups, l => l.EndsWith(":/" + id));
        Assert.Equal(0, sb.Warren("delete", "-f", id).Code);
        Assert.Empty(Leftovers.Find(sb, id));
    }
}
