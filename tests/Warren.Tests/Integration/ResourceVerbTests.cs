using System.Text.Json;
using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>pause/resume, update, events and ps on a live container.</summary>
public class ResourceVerbTests
{
    private static (Sandbox, string) Counter(Action<Spec>? edit = null)
    {
        var sb = new Sandbox();
        string id = sb.NewId();
        string dir = Path.Combine(sb.Dir, "x");
        Directory.CreateDirectory(dir);
        var spec = Sandbox.DefaultSpec("sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /x/count; done");
        spec.Mounts!.Add(new Mount { Destination = "/x", Type = "bind", Source = dir, Options = new() { "rbind" } });
        edit?.Invoke(spec);
        var r = sb.Warren("run", "-d", "--bundle", sb.Bundle(spec), id);
        Assert.True(r.Code == 0, r.ToString());
        return (sb, id);
    }

    private static long Count(Sandbox sb)
    {
        for (int i = 0; i < 50; i++)
        {
            try { if (long.TryParse(File.ReadAllText(Path.Combine(sb.Dir, "x", "count")).Trim(), out var n)) return n; }
            catch (IOException) { }
            Thread.Sleep(10);
        }
        return -1;
    }

    [Fact]
    public void PauseStopsProgressAndResumeRestartsIt()
    {
        var (sb, id) = Counter();
        using var _ = sb;
        Thread.Sleep(200);
        Assert.Equal(0, sb.Warren("pause", id).Code);
        Assert.Contains("\"paused\"", sb.Warren("state", id).Stdout);
        long a = Count(sb);
        Thread.Sleep(300);
        long b = Count(sb);
        Assert.Equal(a, b);
        var again = sb.Warren("pause", id);
        Assert.NotEqual(0, again.Code);
        Assert.Contains("not running", again.Stderr);
        Assert.Equal(0, sb.Warren("resume", id).Code);
        long c = b;
        for (int i = 0; i < 200 && c <= b; i++) { Thread.Sleep(50); c = Count(sb); } // the host may be busy
        Assert.True(c > b, $"the counter stayed at {b} after resume");
        Assert.Contains("\"running\"", sb.Warren("state", id).Stdout);
    }

    [Fact]
    public void DeleteForceRemovesAPausedContainer()
    {
        var (sb, id) = Counter();
        using var _ = sb;
        Assert.Equal(0, sb.Warren("pause", id).Code);
        var r = sb.Warren("delete", "--force", id);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Empty(Leftovers.Find(sb, id));
    }

    [Fact]
    public void UpdateChangesALiveLimitTheContainerFeels()
    {
        var (sb, id) = Counter(s => s.Linux!.Resources = new LinuxResources { Pids = new PidsResources { Limit = 100 } });
        using var _ = sb;
        Assert.Equal(0, sb.Warren("update", "--pids-limit", "1", "--memory", "64m", id).Code);
        var r = sb.Warren("exec", id, "sh", "-c", "true");
        Assert.NotEqual(0, r.Code); // the exec'd process cannot fork past pids.max=1 (sh itself is the one)
        Assert.Equal(0, sb.Warren("update", "--pids-limit", "100", id).Code);
        var ok = sb.Warren("exec", id, "sh", "-c", "read n < /sys/fs/cgroup/pids/pids.max 2>/dev/null || read n < /sys/fs/cgroup/pids.max; echo $n");
        Assert.True(ok.Code == 0, ok.ToString());
        Assert.Equal("100", ok.Stdout.Trim());
        var refused = sb.Warren("update", "--l3-cache-schema", "L3:0=f", id);
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("Intel RDT", refused.Stderr);
    }

    [Fact]
    public void EventsStatsReportsTheCgroupsFigures()
    {
        var (sb, id) = Counter(s => s.Linux!.Resources = new LinuxResources { Pids = new PidsResources { Limit = 33 }, Memory = new MemoryResources { Limit = 64 << 20 } });
        using var _ = sb;
        Thread.Sleep(200);
        var r = sb.Warren("events", "--stats", id);
        Assert.True(r.Code == 0, r.ToString());
        var e = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal("stats", e.GetProperty("type").GetString());
        Assert.Equal(id, e.GetProperty("id").GetString());
        var data = e.GetProperty("data");
        Assert.Equal(33UL, data.GetProperty("pids").GetProperty("limit").GetUInt64());
        Assert.InRange(data.GetProperty("pids").GetProperty("current").GetUInt64(), 1UL, 3UL);
        Assert.Equal((ulong)(64 << 20), data.GetProperty("memory").GetProperty("usage").GetProperty("limit").GetUInt64());
        Assert.True(data.GetProperty("cpu").GetProperty("usage").GetProperty("total").GetUInt64() > 0);
    }

    [Fact]
    public void EventsReportsAnOomAsItHappens()
    {
        using var sb = new Sandbox();
        string id = sb.NewId();
        var spec = Sandbox.DefaultSpec("sh", "-c", "sleep 1; tail /dev/zero; sleep 1000");
        spec.Linux!.Resources = new LinuxResources { Memory = new MemoryResources { Limit = 32 << 20, Swap = 32 << 20 } };
        Assert.Equal(0, sb.Warren("run", "-d", "--bundle", sb.Bundle(spec), id).Code);
        string? oomLine = null;
        var r = Exec.Run(WarrenBinary.Path, new[] { "--root", sb.StateRoot, "events", "--interval", "60s", id }, started: p =>
        {
            Thread.Sleep(3000);
            Exec.Run(WarrenBinary.Path, new[] { "--root", sb.StateRoot, "kill", id, "KILL" });
        });
        oomLine = ProcessTests.Lines(r.Stdout).FirstOrDefault(l => l.Contains("\"oom\""));
        Assert.True(oomLine is not null, r.ToString());
        Assert.Contains(id, oomLine);
    }

    [Fact]
    public void PsListsTheContainersProcesses()
    {
        var (sb, id) = Counter();
        using var _ = sb;
        int pid = JsonDocument.Parse(sb.Warren("state", id).Stdout).RootElement.GetProperty("pid").GetInt32();
        var json = JsonDocument.Parse(sb.Warren("ps", "--format", "json", id).Stdout).RootElement;
        Assert.Contains(pid, json.EnumerateArray().Select(e => e.GetInt32()));
        var table = ProcessTests.Lines(sb.Warren("ps", id).Stdout);
        Assert.Contains("PID", table[0]);
        Assert.Contains(table.Skip(1), l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] == pid.ToString());
        Assert.DoesNotContain(table.Skip(1), l => l.Contains("dotnet"));
    }
}
