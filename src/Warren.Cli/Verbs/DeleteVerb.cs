using System.CommandLine;
using Warren.Runtime;

namespace Warren.Cli.Verbs;

internal static class DeleteVerb
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var force = new Option<bool>("--force", "-f") { Description = "forcibly delete a running container (SIGKILL)" };
        var c = new Command("delete", "delete a container and everything it holds");
        c.Arguments.Add(id);
        c.Options.Add(force);
        c.SetAction(r => Output.Guard(r, "delete", () =>
        {
            var store = new ContainerStore(GlobalOptions.RootDir(r));
            string cid = r.GetValue(id)!;
            ContainerStore.ValidateId(cid);
            // containerd deletes with --force after a plain delete: a missing container is then no error.
            if (!store.Exists(cid) && r.GetValue(force)) return 0;
            using (store.LockContainer(cid)) Container.Load(store, cid).Delete(r.GetValue(force));
            return 0;
        }));
        return c;
    }
}
