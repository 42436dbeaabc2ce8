using System.CommandLine;
using System.Text.Json;
using Warren.Runtime;

namespace Warren.Cli.Verbs;

internal static class StateVerb
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var c = new Command("state", "output the state of a container as JSON");
        c.Arguments.Add(id);
        c.SetAction(r => Output.Guard(r, "state", () =>
        {
            var store = new ContainerStore(GlobalOptions.RootDir(r));
            var view = Container.Load(store, r.GetValue(id)!).View();
            Console.Out.WriteLine(JsonSerializer.Serialize(view, StateViewJsonContext.Default.StateView));
            return 0;
        }));
        return c;
    }
}
