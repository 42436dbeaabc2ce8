using Warren.Cli;
using Warren.Runtime.Init;

// The init and exec stages run inside the container: keep their path free of CLI set-up.
if (args.Length == 1 && Environment.GetEnvironmentVariable(InitStage.SyncFdVariable) is { } fd)
{
    if (args[0] == "init") return InitStage.Run(int.Parse(fd));
    if (args[0] == "exec-init") return ExecStage.Run(int.Parse(fd));
}

return CommandLine.Build().Parse(Warren.Cli.Verbs.ExecVerb.QuoteCommand(args)).Invoke();
