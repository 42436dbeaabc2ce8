using System.CommandLine;
using Warren.Runtime;

namespace Warren.Cli.Verbs;

internal static class PauseVerbs
{
    public static Command Pause() => Build("pause", "suspend all processes in the container", frozen: true);
    public static Command Resume() => Build("resume", "resume all processes of a paused container", frozen: false);

    private static Command Build(string name, string description, bool frozen)
    {
        var id = new Argument<string>("container-id");
        var c = new Command(name, description);
        c.Arguments.Add(id);
        c.SetAction(r => Output.Guard(r, name, () =>
        {
            var store = new ContainerStore(GlobalOptions.RootDir(r));
            string cid = r.GetValue(id)!;
            using (store.LockContainer(cid))
            {
                var container = Container.Load(store, cid);
                string status = container.Status;
                string need = frozen ? "running" : "paused";
                if (status != need) throw new RuntimeException($"cannot {name} container \"{cid}\": it is {status}, not {need}");
                Freezer.Set(container, frozen);
            }
            return 0;
        }));
        return c;
    }
}
