using Warren.Oci;

namespace Warren.Runtime;

/// <summary>The process an exec runs: --process FILE, or the container's process with the flags applied.</summary>
public static class ExecProcessBuilder
{
    public static Process Build(Spec spec, ExecOptions o)
    {
        Process p;
        if (o.ProcessFile is not null)
        {
            try { p = OciJson.ParseProcess(File.ReadAllText(o.ProcessFile), Path.GetFileName(o.ProcessFile)); }
            catch (FileNotFoundException) { throw new RuntimeException($"--process: {o.ProcessFile} does not exist"); }
            catch (OciException e) { throw new RuntimeException(e.Message, e); }
        }
        else
        {
            var c = spec.Process ?? new Process();
            if (o.Command.Count == 0) throw new RuntimeException("exec: no command given (pass COMMAND or --process)");
            p = new Process
            {
                Args = o.Command.ToList(),
                Env = c.Env?.ToList() ?? new(),
                Cwd = c.Cwd ?? "/",
                User = c.User is null ? new User() : new User
                {
                    Uid = c.User.Uid, Gid = c.User.Gid, Umask = c.User.Umask, AdditionalGids = c.User.AdditionalGids?.ToList(),
                },
                Capabilities = c.Capabilities is null ? null : new Capabilities
                {
                    Bounding = c.Capabilities.Bounding?.ToList(), Effective = c.Capabilities.Effective?.ToList(),
                    Permitted = c.Capabilities.Permitted?.ToList(), Inheritable = c.Capabilities.Inheritable?.ToList(),
                    Ambient = c.Capabilities.Ambient?.ToList(),
                },
                Rlimits = c.Rlimits,
                NoNewPrivileges = c.NoNewPrivileges,
                ApparmorProfile = c.ApparmorProfile,
                SelinuxLabel = c.SelinuxLabel,
                OomScoreAdj = c.OomScoreAdj,
            };
        }
        p.Terminal = o.Tty || (o.ProcessFile is not null && p.Terminal == true);
        if (o.Cwd is not null) p.Cwd = o.Cwd;
        foreach (var e in o.Env) SetEnv(p, e);
        if (o.User is not null) p.User = ParseUser(o.User, p.User);
        if (o.AdditionalGids.Count > 0) (p.User ??= new User()).AdditionalGids = o.AdditionalGids.ToList();
        if (o.NoNewPrivs) p.NoNewPrivileges = true;
        if (o.Caps.Count > 0)
        {
            p.Capabilities ??= new Capabilities();
            foreach (var cap in o.Caps)
            {
                string name = cap.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) ? cap.ToUpperInvariant() : "CAP_" + cap.ToUpperInvariant();
                foreach (var set in new[] { p.Capabilities.Bounding ??= new(), p.Capabilities.Effective ??= new(), p.Capabilities.Permitted ??= new() })
                    if (!set.Contains(name)) set.Add(name);
            }
        }
        if (!string.IsNullOrEmpty(o.Apparmor)) p.ApparmorProfile = o.Apparmor;
        if (!string.IsNullOrEmpty(o.ProcessLabel)) p.SelinuxLabel = o.ProcessLabel;
        if (p.Args is not { Count: > 0 }) throw new RuntimeException("exec: the process has no args");
        if (string.IsNullOrEmpty(p.Cwd) || !p.Cwd.StartsWith('/')) throw new RuntimeException($"exec: cwd \"{p.Cwd}\" must be an absolute path");
        return p;
    }

    private static void SetEnv(Process p, string kv)
    {
        p.Env ??= new();
        int eq = kv.IndexOf('=');
        string key = eq < 0 ? kv : kv[..eq];
        p.Env.RemoveAll(e => e == key || e.StartsWith(key + "="));
        p.Env.Add(kv);
    }

    private static User ParseUser(string text, User? current)
    {
        var parts = text.Split(':');
        if (parts.Length > 2 || !uint.TryParse(parts[0], out var uid) || (parts.Length == 2 && !uint.TryParse(parts[1], out _)))
            throw new RuntimeException($"--user \"{text}\": expected uid[:gid] as numbers");
        return new User
        {
            Uid = uid, Gid = parts.Length == 2 ? uint.Parse(parts[1]) : current?.Gid ?? 0,
            Umask = current?.Umask, AdditionalGids = current?.AdditionalGids,
        };
    }
}
