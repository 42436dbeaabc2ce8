using System.CommandLine;
using Warren.Runtime;

namespace Warren.Cli.Verbs;

internal static class CreateVerb
{
    public static Command Build()
    {
        var flags = new CreateFlags();
        var c = new Command("create", "create a container (its process waits for `start`)");
        flags.AddTo(c);
        c.SetAction(r => Output.Guard(r, "create", () =>
        {
            var store = new ContainerStore(GlobalOptions.RootDir(r));
            ContainerCreator.Create(store, flags.Read(r, foreground: false));
            return 0;
        }));
        return c;
    }
}
