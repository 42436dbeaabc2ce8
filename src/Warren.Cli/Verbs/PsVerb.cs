using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Warren.Runtime;

namespace Warren.Cli.Verbs;

internal static class PsVerb
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var psArgs = new Argument<string[]>("ps-options") { Arity = ArgumentArity.ZeroOrMore, Description = "options for ps (default -ef)" };
        var format = new Option<string>("--format", "-f") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var c = new Command("ps", "display the processes running inside a container");
        c.Arguments.Add(id);
        c.Arguments.Add(psArgs);
        c.Options.Add(format);
        c.SetAction(r => Output.Guard(r, "ps", () =>
        {
            var store = new ContainerStore(GlobalOptions.RootDir(r));
            var container = Container.Load(store, r.GetValue(id)!);
            var pids = container.Cgroups.Pids().Distinct().Order().ToList();
            if (r.GetValue(format) == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(pids, CliJsonContext.Default.ListInt32));
                return 0;
            }
            var opts = r.GetValue(psArgs) is { Length: > 0 } a ? a : new[] { "-ef" };
            var psi = new ProcessStartInfo("ps") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var o in opts) psi.ArgumentList.Add(o);
            using var p = Process.Start(psi) ?? throw new RuntimeException("ps: cannot run ps");
            var lines = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            p.WaitForExit();
            if (p.ExitCode != 0 || lines.Length == 0) throw new RuntimeException($"ps {string.Join(' ', opts)} failed");
            int pidCol = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
            if (pidCol < 0) throw new RuntimeException("ps: its output has no PID column");
            Console.Out.WriteLine(lines[0]);
            foreach (var line in lines.Skip(1))
            {
                var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (cols.Length > pidCol && int.TryParse(cols[pidCol], out var pid) && pids.Contains(pid)) Console.Out.WriteLine(line);
            }
            return 0;
        }));
        return c;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(List<int>))]
internal sealed partial class CliJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
