using System.CommandLine;
using Warren.Linux;
using Warren.Oci;
using Warren.Runtime;

namespace Warren.Cli.Verbs;

internal static class SpecVerb
{
    public static Command Build()
    {
        var bundle = new Option<string>("--bundle", "-b") { Description = "path to the root of the bundle directory", DefaultValueFactory = _ => "." };
        var rootless = new Option<bool>("--rootless") { Description = "generate a configuration for a rootless container" };
        var c = new Command("spec", "create a new specification file (config.json)");
        c.Options.Add(bundle);
        c.Options.Add(rootless);
        c.SetAction(r => Output.Guard(r, "spec", () =>
        {
            string path = Path.Combine(r.GetValue(bundle)!, "config.json");
            if (File.Exists(path)) throw new RuntimeException($"{path} exists: remove it first");
            var spec = DefaultSpec.Create(r.GetValue(rootless), Sys.Geteuid(), Sys.Getegid());
            File.WriteAllText(path, DefaultSpec.ToJson(spec) + "\n");
            return 0;
        }));
        return c;
    }
}
