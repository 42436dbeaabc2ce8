using Warren.Oci;

namespace Warren.Runtime.Resources;

/// <summary>linux.resources.devices for the v1 devices controller, with the devices every container needs.</summary>
public static class DeviceRules
{
    /// <summary>What runc allows on top of the config's rules: the default /dev nodes and ptys.</summary>
    private static readonly (char Type, long Major, long Minor)[] Always =
    {
        ('c', 1, 3), ('c', 1, 5), ('c', 1, 7), ('c', 1, 8), ('c', 1, 9), ('c', 5, 0), ('c', 5, 1), ('c', 5, 2), ('c', 136, -1),
    };

    public static IEnumerable<CgroupWrite> V1Writes(List<DeviceCgroupRule> rules, IReadOnlyList<LinuxDevice>? devices)
    {
        const string f = "linux.resources.devices";
        foreach (var r in rules)
        {
            string type = string.IsNullOrEmpty(r.Type) ? "a" : r.Type;
            if (type is not ("a" or "b" or "c")) throw new RuntimeException($"{f}: unknown device type \"{type}\"");
            string rule = type == "a" && r.Major is null && r.Minor is null
                ? "a"
                : $"{type} {Num(r.Major)}:{Num(r.Minor)} {(string.IsNullOrEmpty(r.Access) ? "rwm" : r.Access)}";
            yield return new(f, "devices", r.Allow ? "devices.allow" : "devices.deny", rule);
        }
        foreach (var (t, ma, mi) in Always) yield return new(f, "devices", "devices.allow", $"{t} {Num(ma)}:{Num(mi)} rwm");
        foreach (var d in devices ?? Array.Empty<LinuxDevice>())
            if (d.Type is "c" or "b" or "u")
                yield return new("linux.devices", "devices", "devices.allow", $"{(d.Type == "u" ? "c" : d.Type)} {d.Major}:{d.Minor} rwm");
    }

    private static string Num(long? n) => n is null or < 0 ? "*" : n.Value.ToString();
}
