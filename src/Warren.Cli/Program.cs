using Warren.Cli;
using Warren.Runtime.Init;

// The init stage runs inside the container on every create: keep its path free of CLI set-up.
if (args.Length == 1 && args[0] == "init" && Environment.GetEnvironmentVariable(InitStage.SyncFdVariable) is { } fd)
    return InitStage.Run(int.Parse(fd));

return CommandLine.Build().Parse(args).Invoke();
