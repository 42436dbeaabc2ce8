using System.CommandLine;
using Warren.Cli.Verbs;

namespace Warren.Cli;

public static class CommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("warren: an OCI container runtime (runc-compatible command line)");
        foreach (var o in GlobalOptions.All) root.Options.Add(o);
        foreach (var o in root.Options.OfType<VersionOption>())
            o.Action = new VersionAction();
        root.Subcommands.Add(SpecVerb.Build());
        root.Subcommands.Add(CreateVerb.Build());
        root.Subcommands.Add(StartVerb.Build());
        root.Subcommands.Add(RunVerb.Build());
        root.Subcommands.Add(StateVerb.Build());
        root.Subcommands.Add(ListVerb.Build());
        root.Subcommands.Add(KillVerb.Build());
        root.Subcommands.Add(DeleteVerb.Build());
        root.Subcommands.Add(ExecVerb.Build());
        root.Subcommands.Add(FeaturesVerb.Build());
        root.Subcommands.Add(PauseVerbs.Pause());
        root.Subcommands.Add(PauseVerbs.Resume());
        root.Subcommands.Add(PsVerb.Build());
        root.Subcommands.Add(UpdateVerb.Build());
        root.Subcommands.Add(EventsVerb.Build());
        root.Subcommands.Add(SpawnStressVerb.Build());
        return root;
    }

    private sealed class VersionAction : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            Console.Out.WriteLine($"warren version {Warren.Runtime.RuntimeFeatures.Version}\nspec: {Warren.Oci.DefaultSpec.OciVersion}");
            return 0;
        }
    }
}
