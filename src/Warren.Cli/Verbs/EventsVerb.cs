using System.CommandLine;
using System.Text.Json;
using Warren.Cgroups;
using Warren.Oci;
using Warren.Runtime;
using Warren.Runtime.Events;

namespace Warren.Cli.Verbs;

internal static class EventsVerb
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var stats = new Option<bool>("--stats") { Description = "display the container's stats once, then exit" };
        var interval = new Option<string>("--interval") { Description = "stats collection interval", DefaultValueFactory = _ => "5s" };
        var c = new Command("events", "display container events (OOM notifications, and stats at an interval)");
        c.Arguments.Add(id);
        c.Options.Add(stats);
        c.Options.Add(interval);
        c.SetAction(r => Output.Guard(r, "events", () =>
        {
            var store = new ContainerStore(GlobalOptions.RootDir(r));
            string cid = r.GetValue(id)!;
            var container = Container.Load(store, cid);
            var hs = CgroupHost.Hierarchies();
            if (r.GetValue(stats))
            {
                Emit(new ContainerEvent { Type = "stats", Id = cid, Data = StatsReader.Read(container.Cgroups, hs) });
                return 0;
            }
            var every = Interval(r.GetValue(interval)!);
            ulong ooms = StatsReader.OomKills(container.Cgroups, hs);
            var next = DateTime.UtcNow;
            while (container.Status != ContainerStatus.Stopped)
            {
                ulong now = StatsReader.OomKills(container.Cgroups, hs);
                if (now > ooms) Emit(new ContainerEvent { Type = "oom", Id = cid });
                ooms = now;
                if (DateTime.UtcNow >= next)
                {
                    Emit(new ContainerEvent { Type = "stats", Id = cid, Data = StatsReader.Read(container.Cgroups, hs) });
                    next = DateTime.UtcNow + every;
                }
                Thread.Sleep(50);
            }
            return 0;
        }));
        return c;
    }

    private static void Emit(ContainerEvent e)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(e, EventsJsonContext.Default.ContainerEvent));
        Console.Out.Flush();
    }

    private static TimeSpan Interval(string text)
    {
        string t = text.Trim();
        double n;
        if (t.EndsWith("ms") && double.TryParse(t[..^2], out n)) return TimeSpan.FromMilliseconds(n);
        if (t.EndsWith('s') && double.TryParse(t[..^1], out n)) return TimeSpan.FromSeconds(n);
        if (t.EndsWith('m') && double.TryParse(t[..^1], out n)) return TimeSpan.FromMinutes(n);
        throw new RuntimeException($"--interval: \"{text}\" is not a duration (e.g. 5s, 500ms)");
    }
}
