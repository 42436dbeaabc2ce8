using System.CommandLine;
using Warren.Oci;
using Warren.Runtime;

namespace Warren.Cli.Verbs;

internal static class FeaturesVerb
{
    public static Command Build()
    {
        var c = new Command("features", "show the enabled features (runtime-spec features.md JSON)");
        c.SetAction(r => Output.Guard(r, "features", () =>
        {
            Console.Out.WriteLine(OciJson.Serialize(RuntimeFeatures.Build()));
            return 0;
        }));
        return c;
    }
}
