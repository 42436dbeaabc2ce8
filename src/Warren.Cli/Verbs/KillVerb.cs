using System.CommandLine;
using Warren.Linux;
using Warren.Runtime;

namespace Warren.Cli.Verbs;

internal static class KillVerb
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var signal = new Argument<string>("signal") { DefaultValueFactory = _ => "SIGTERM", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all", "-a") { Description = "send the signal to all processes in the container" };
        var c = new Command("kill", "send a signal (default SIGTERM) to the container's init process");
        c.Arguments.Add(id);
        c.Arguments.Add(signal);
        c.Options.Add(all);
        c.SetAction(r => Output.Guard(r, "kill", () =>
        {
            string s = r.GetValue(signal)!;
            if (!Sig.TryParse(s, out var sig)) throw new RuntimeException($"unknown signal \"{s}\"");
            var store = new ContainerStore(GlobalOptions.RootDir(r));
            string cid = r.GetValue(id)!;
            using (store.LockContainer(cid)) Container.Load(store, cid).Kill(sig, r.GetValue(all));
            return 0;
        }));
        return c;
    }
}
