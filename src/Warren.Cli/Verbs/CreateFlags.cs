using System.CommandLine;

namespace Warren.Cli.Verbs;

/// <summary>Flags `create` and `run` share.</summary>
internal sealed class CreateFlags
{
    public readonly Argument<string> Id = new("container-id") { Description = "the container's unique id" };
    public readonly Option<string> Bundle = new("--bundle", "-b")
    {
        Description = "path to the root of the bundle directory, defaults to the current directory",
        DefaultValueFactory = _ => ".",
    };
    public readonly Option<string?> PidFile = new("--pid-file") { Description = "file to write the process id to" };
    public readonly Option<string?> ConsoleSocket = new("--console-socket")
    {
        Description = "path to an AF_UNIX socket which will receive the pty master fd",
    };
    public readonly Option<bool> NoPivot = new("--no-pivot") { Description = "do not use pivot root to jail process inside rootfs" };
    public readonly Option<bool> NoNewKeyring = new("--no-new-keyring") { Description = "do not create a new session keyring" };
    public readonly Option<int> PreserveFds = new("--preserve-fds")
    {
        Description = "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)",
    };

    public void AddTo(Command c)
    {
        c.Arguments.Add(Id);
        foreach (var o in new Option[] { Bundle, PidFile, ConsoleSocket, NoPivot, NoNewKeyring, PreserveFds }) c.Options.Add(o);
    }

    public Runtime.CreateOptions Read(ParseResult r, bool foreground)
    {
        int preserve = r.GetValue(PreserveFds);
        // runc adds $LISTEN_FDS (socket activation) to the preserved descriptors.
        if (int.TryParse(Environment.GetEnvironmentVariable("LISTEN_FDS"), out var listen)) preserve += listen;
        return new Runtime.CreateOptions
        {
            Id = r.GetValue(Id)!,
            Bundle = r.GetValue(Bundle)!,
            PidFile = r.GetValue(PidFile),
            ConsoleSocket = r.GetValue(ConsoleSocket),
            NoPivot = r.GetValue(NoPivot),
            NoNewKeyring = r.GetValue(NoNewKeyring),
            SystemdCgroup = r.GetValue(GlobalOptions.SystemdCgroup),
            PreserveFds = preserve,
            Foreground = foreground,
        };
    }
}
