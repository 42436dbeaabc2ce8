using System.CommandLine;
using System.Text.Json;
using Warren.Runtime;

namespace Warren.Cli.Verbs;

internal static class ListVerb
{
    public static Command Build()
    {
        var format = new Option<string>("--format", "-f") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "display only container IDs" };
        var c = new Command("list", "list containers started by warren with the given --root");
        c.Aliases.Add("ps-all");
        c.Options.Add(format);
        c.Options.Add(quiet);
        c.SetAction(r => Output.Guard(r, "list", () =>
        {
            var store = new ContainerStore(GlobalOptions.RootDir(r));
            var views = new List<StateView>();
            foreach (var cid in store.Ids().OrderBy(x => x, StringComparer.Ordinal))
            {
                try { views.Add(Container.Load(store, cid).View()); }
                catch (RuntimeException) { } // deleted while listing
            }
            if (r.GetValue(quiet))
            {
                foreach (var v in views) Console.Out.WriteLine(v.Id);
            }
            else if (r.GetValue(format) == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(views, StateViewJsonContext.Default.ListStateView));
            }
            else
            {
                var rows = new List<string[]> { new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" } };
                rows.AddRange(views.Select(v => new[]
                {
                    v.Id, v.Pid.ToString(), v.Status, v.Bundle, v.Created.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"), v.Owner,
                }));
                var widths = Enumerable.Range(0, 6).Select(i => rows.Max(row => row[i].Length)).ToArray();
                foreach (var row in rows)
                    Console.Out.WriteLine(string.Join("   ", row.Select((cell, i) => i == 5 ? cell : cell.PadRight(widths[i]))));
            }
            return 0;
        }));
        return c;
    }
}
