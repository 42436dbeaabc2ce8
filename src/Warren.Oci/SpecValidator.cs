namespace Warren.Oci;

/// <summary>Semantic checks on a parsed <see cref="Spec"/>; throws <see cref="OciException"/> naming the field.</summary>
public static class SpecValidator
{
    public static readonly IReadOnlySet<string> NamespaceTypes =
        new HashSet<string>(StringComparer.Ordinal) { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" };

    public static readonly IReadOnlySet<string> RlimitTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
        "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
        "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK",
    };

    public static readonly IReadOnlySet<string> RootfsPropagations = new HashSet<string>(StringComparer.Ordinal)
    {
        "", "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable",
    };

    public static readonly IReadOnlySet<string> TimeOffsetClocks =
        new HashSet<string>(StringComparer.Ordinal) { "monotonic", "boottime" };

    public static void Validate(Spec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);

        if (string.IsNullOrEmpty(spec.OciVersion))
            throw Fail("ociVersion: required");

        if (spec.Root is null)
            throw Fail("root: required");
        if (string.IsNullOrEmpty(spec.Root.Path))
            throw Fail("root.path: required");

        ValidateProcess(spec.Process);
        ValidateMounts(spec.Mounts);

        var namespaces = ValidateNamespaces(spec.Linux?.Namespaces);
        var linux = spec.Linux;

        if (!string.IsNullOrEmpty(spec.Hostname) && !namespaces.Contains("uts"))
            throw Fail("hostname: setting a hostname requires a new uts namespace (linux.namespaces has no \"uts\")");
        if (!string.IsNullOrEmpty(spec.Domainname) && !namespaces.Contains("uts"))
            throw Fail("domainname: setting a domainname requires a new uts namespace (linux.namespaces has no \"uts\")");

        if (linux is null)
            return;

        if (linux.UidMappings is { Count: > 0 } && !namespaces.Contains("user"))
            throw Fail("linux.uidMappings: mappings require a user namespace (linux.namespaces has no \"user\")");
        if (linux.GidMappings is { Count: > 0 } && !namespaces.Contains("user"))
            throw Fail("linux.gidMappings: mappings require a user namespace (linux.namespaces has no \"user\")");
        ValidateMappings(linux.UidMappings, "linux.uidMappings");
        ValidateMappings(linux.GidMappings, "linux.gidMappings");

        if (linux.TimeOffsets is { Count: > 0 })
        {
            foreach (var (clock, offset) in linux.TimeOffsets)
            {
                if (!TimeOffsetClocks.Contains(clock))
                    throw Fail($"linux.timeOffsets: unknown clock \"{clock}\" (expected \"monotonic\" or \"boottime\")");
                if (offset is null)
                    throw Fail($"linux.timeOffsets.{clock}: expected an object");
                if (offset.Nanosecs >= 1_000_000_000)
                    throw Fail($"linux.timeOffsets.{clock}.nanosecs: must be less than 1000000000");
            }
            if (!namespaces.Contains("time"))
                throw Fail("linux.timeOffsets: time offsets require a time namespace (linux.namespaces has no \"time\")");
        }

        if (linux.RootfsPropagation is { } prop && !RootfsPropagations.Contains(prop))
            throw Fail($"linux.rootfsPropagation: unknown value \"{prop}\"");

        if (linux.Sysctl is not null)
        {
            foreach (var key in linux.Sysctl.Keys)
                if (string.IsNullOrWhiteSpace(key))
                    throw Fail("linux.sysctl: empty key");
        }
    }

    private static void ValidateProcess(Process? process)
    {
        if (process is null)
            throw Fail("process: required");
        if (process.Args is not { Count: > 0 } || string.IsNullOrEmpty(process.Args[0]))
            throw Fail("process.args: must contain at least one element (the command)");
        if (string.IsNullOrEmpty(process.Cwd))
            throw Fail("process.cwd: required");
        if (!process.Cwd.StartsWith('/'))
            throw Fail($"process.cwd: must be an absolute path, got \"{process.Cwd}\"");

        if (process.Rlimits is { } rlimits)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < rlimits.Count; i++)
            {
                var r = rlimits[i];
                string where = $"process.rlimits[{i}]";
                if (r is null)
                    throw Fail($"{where}: expected an object");
                string type = r.Type ?? "";
                if (!type.StartsWith("RLIMIT_", StringComparison.Ordinal) || !RlimitTypes.Contains(type))
                    throw Fail($"{where}.type: unknown rlimit type \"{type}\"");
                if (!seen.Add(type))
                    throw Fail($"{where}.type: duplicate rlimit type \"{type}\"");
                if (r.Soft > r.Hard)
                    throw Fail($"{where}: soft limit {r.Soft} is greater than hard limit {r.Hard}");
            }
        }
    }

    private static void ValidateMounts(List<Mount>? mounts)
    {
        if (mounts is null)
            return;
        for (int i = 0; i < mounts.Count; i++)
        {
            var m = mounts[i];
            if (m is null)
                throw Fail($"mounts[{i}]: expected an object");
            if (string.IsNullOrEmpty(m.Destination))
                throw Fail($"mounts[{i}].destination: required");
            if (!m.Destination.StartsWith('/'))
                throw Fail($"mounts[{i}].destination: must be an absolute path, got \"{m.Destination}\"");
            ValidateMappings(m.UidMappings, $"mounts[{i}].uidMappings");
            ValidateMappings(m.GidMappings, $"mounts[{i}].gidMappings");
        }
    }

    private static HashSet<string> ValidateNamespaces(List<LinuxNamespace>? namespaces)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (namespaces is null)
            return seen;
        for (int i = 0; i < namespaces.Count; i++)
        {
            var ns = namespaces[i];
            if (ns is null)
                throw Fail($"linux.namespaces[{i}]: expected an object");
            string type = ns.Type ?? "";
            if (!NamespaceTypes.Contains(type))
                throw Fail($"linux.namespaces[{i}].type: unknown namespace type \"{type}\"");
            if (!seen.Add(type))
                throw Fail($"linux.namespaces[{i}].type: duplicate namespace type \"{type}\"");
            if (ns.Path is { Length: > 0 } p && !p.StartsWith('/'))
                throw Fail($"linux.namespaces[{i}].path: must be an absolute path, got \"{p}\"");
        }
        return seen;
    }

    private static void ValidateMappings(List<IdMapping>? mappings, string field)
    {
        if (mappings is null)
            return;
        for (int i = 0; i < mappings.Count; i++)
        {
            if (mappings[i] is null)
                throw Fail($"{field}[{i}]: expected an object");
            if (mappings[i].Size == 0)
                throw Fail($"{field}[{i}].size: must be greater than zero");
        }
    }

    private static OciException Fail(string message) => new(message);
}
