using System.CommandLine;
using Warren.Runtime;

namespace Warren.Cli.Verbs;

internal static class ExecVerb
{
    private static readonly HashSet<string> TakesValue = new()
    {
        "--process", "-p", "--console-socket", "--pid-file", "--cwd", "--env", "-e", "--user", "-u", "--additional-gids", "-g",
        "--cap", "-c", "--apparmor", "--process-label", "--preserve-fds", "--cgroup", "--root", "--log", "--log-format", "--rootless",
    };

    /// <summary>
    /// Like runc, everything after the container id is the command, flags included (`exec c1 sh -c ...`):
    /// insert "--" after the id so the parser takes the rest verbatim.
    /// </summary>
    public static string[] QuoteCommand(string[] args)
    {
        int verb = Array.IndexOf(args, "exec");
        if (verb < 0) return args;
        for (int i = verb + 1; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--") return args;
            if (a.StartsWith('-'))
            {
                if (!a.Contains('=') && TakesValue.Contains(a)) i++;
                continue;
            }
            return args[..(i + 1)].Append("--").Concat(args[(i + 1)..]).ToArray();
        }
        return args;
    }

    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var command = new Argument<string[]>("command") { Arity = ArgumentArity.ZeroOrMore, Description = "the command and its arguments" };
        var process = new Option<string?>("--process", "-p") { Description = "path to a process.json" };
        var tty = new Option<bool>("--tty", "-t") { Description = "allocate a pseudo-TTY" };
        var consoleSocket = new Option<string?>("--console-socket") { Description = "AF_UNIX socket to receive the pty master" };
        var detach = new Option<bool>("--detach", "-d") { Description = "detach from the process" };
        var pidFile = new Option<string?>("--pid-file") { Description = "file to write the process id to" };
        var cwd = new Option<string?>("--cwd") { Description = "current working directory in the container" };
        var env = new Option<string[]>("--env", "-e") { Description = "set environment variables", AllowMultipleArgumentsPerToken = false };
        var user = new Option<string?>("--user", "-u") { Description = "UID (format: <uid>[:<gid>])" };
        var gids = new Option<string[]>("--additional-gids", "-g") { Description = "additional gids" };
        var caps = new Option<string[]>("--cap", "-c") { Description = "add a capability to the bounding set for the process" };
        var nnp = new Option<bool>("--no-new-privs") { Description = "set the no new privileges value for the process" };
        var apparmor = new Option<string?>("--apparmor") { Description = "set the apparmor profile for the process" };
        var label = new Option<string?>("--process-label") { Description = "set the asm process label for the process" };
        var preserve = new Option<int>("--preserve-fds") { Description = "pass N additional file descriptors to the process" };
        var ignorePaused = new Option<bool>("--ignore-paused") { Description = "allow exec in a paused container" };
        var cgroup = new Option<string?>("--cgroup") { Description = "run the process in a (sub-)cgroup of the container" };
        var c = new Command("exec", "execute a new process inside the container");
        c.Arguments.Add(id);
        c.Arguments.Add(command);
        foreach (var o in new Option[] { process, tty, consoleSocket, detach, pidFile, cwd, env, user, gids, caps, nnp, apparmor, label, preserve, ignorePaused, cgroup })
            c.Options.Add(o);
        c.TreatUnmatchedTokensAsErrors = true;
        c.SetAction(r => Output.Guard(r, "exec", () =>
        {
            var store = new ContainerStore(GlobalOptions.RootDir(r));
            var additional = new List<uint>();
            foreach (var g in r.GetValue(gids) ?? Array.Empty<string>())
                foreach (var part in g.Split(',', StringSplitOptions.RemoveEmptyEntries))
                    additional.Add(uint.TryParse(part, out var n) ? n : throw new RuntimeException($"--additional-gids: \"{part}\" is not a number"));
            return ContainerExec.Exec(store, new ExecOptions
            {
                Id = r.GetValue(id)!,
                Command = r.GetValue(command) ?? Array.Empty<string>(),
                ProcessFile = r.GetValue(process),
                Tty = r.GetValue(tty),
                ConsoleSocket = r.GetValue(consoleSocket),
                Detach = r.GetValue(detach),
                PidFile = r.GetValue(pidFile),
                Cwd = r.GetValue(cwd),
                Env = r.GetValue(env) ?? Array.Empty<string>(),
                User = r.GetValue(user),
                AdditionalGids = additional,
                Caps = r.GetValue(caps) ?? Array.Empty<string>(),
                NoNewPrivs = r.GetValue(nnp),
                Apparmor = r.GetValue(apparmor),
                ProcessLabel = r.GetValue(label),
                PreserveFds = r.GetValue(preserve),
                IgnorePaused = r.GetValue(ignorePaused),
                SubCgroup = r.GetValue(cgroup),
            });
        }));
        return c;
    }
}
