using System.CommandLine;
using Warren.Runtime;

namespace Warren.Cli.Verbs;

internal static class RunVerb
{
    public static Command Build()
    {
        var flags = new CreateFlags();
        var detach = new Option<bool>("--detach", "-d") { Description = "detach from the container's process" };
        var keep = new Option<bool>("--keep") { Description = "do not delete the container after it exits" };
        var c = new Command("run", "create and start a container; in the foreground, wait for it and return its exit code");
        flags.AddTo(c);
        c.Options.Add(detach);
        c.Options.Add(keep);
        c.SetAction(r => Output.Guard(r, "run", () =>
        {
            var store = new ContainerStore(GlobalOptions.RootDir(r));
            if (!r.GetValue(detach))
                return ForegroundRun.Run(store, flags.Read(r, foreground: true), r.GetValue(keep));
            var created = ContainerCreator.Create(store, flags.Read(r, foreground: false));
            var container = new Container(store, created.Record);
            try
            {
                using (store.LockContainer(container.Id)) container.Start();
            }
            catch
            {
                container.Delete(force: true);
                throw;
            }
            return 0;
        }));
        return c;
    }
}
