using System.CommandLine;
using Warren.Runtime;

namespace Warren.Cli.Verbs;

internal static class StartVerb
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var c = new Command("start", "start a created container (run its user process)");
        c.Arguments.Add(id);
        c.SetAction(r => Output.Guard(r, "start", () =>
        {
            var store = new ContainerStore(GlobalOptions.RootDir(r));
            string cid = r.GetValue(id)!;
            using (store.LockContainer(cid)) Container.Load(store, cid).Start();
            return 0;
        }));
        return c;
    }
}
