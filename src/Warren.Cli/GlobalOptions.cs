using System.CommandLine;

namespace Warren.Cli;

/// <summary>runc's global flags; recursive so they may stand before or after the verb.</summary>
public static class GlobalOptions
{
    public static readonly Option<string> Root = new("--root")
    {
        Description = "root directory for storage of container state (this should be located in tmpfs)",
        Recursive = true,
    };
    public static readonly Option<string?> Log = new("--log")
    {
        Description = "set the log file to write warren logs to (default is '/dev/stderr')", Recursive = true,
    };
    public static readonly Option<string> LogFormat = new("--log-format")
    {
        Description = "set the log format ('text' (default), or 'json')", Recursive = true,
        DefaultValueFactory = _ => "text",
    };
    public static readonly Option<bool> Debug = new("--debug") { Description = "enable debug logging", Recursive = true };
    public static readonly Option<bool> SystemdCgroup = new("--systemd-cgroup")
    {
        Description = "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\"",
        Recursive = true,
    };
    public static readonly Option<string?> Rootless = new("--rootless")
    {
        Description = "ignore cgroup permission errors ('true', 'false', or 'auto')", Recursive = true,
    };

    public static IEnumerable<Option> All => new Option[] { Root, Log, LogFormat, Debug, SystemdCgroup, Rootless };

    /// <summary>runc's default: /run/warren for root, $XDG_RUNTIME_DIR/warren otherwise.</summary>
    public static string RootDir(ParseResult r)
    {
        var v = r.GetValue(Root);
        if (!string.IsNullOrEmpty(v)) return v;
        if (Warren.Linux.Sys.Geteuid() != 0 && Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg)
            return Path.Combine(xdg, "warren");
        return "/run/warren";
    }
}
