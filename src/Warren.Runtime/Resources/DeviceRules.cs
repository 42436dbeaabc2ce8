using Warren.Linux;
using Warren.Oci;

namespace Warren.Runtime.Resources;

/// <summary>One effective device rule: type 'a', 'b' or 'c'; -1 for any major/minor; access a subset of "rwm".</summary>
public sealed record DeviceRule(bool Allow, char Type, long Major, long Minor, string Access);

/// <summary>
/// linux.resources.devices with the devices every container needs (runc's list) and the config's
/// linux.devices: as v1 devices.allow/deny writes, or as a cgroup2 BPF device program.
/// </summary>
public static class DeviceRules
{
    private static readonly (char Type, long Major, long Minor)[] Always =
    {
        ('c', 1, 3), ('c', 1, 5), ('c', 1, 7), ('c', 1, 8), ('c', 1, 9), ('c', 5, 0), ('c', 5, 1), ('c', 5, 2), ('c', 136, -1),
    };

    public static List<DeviceRule> Effective(List<DeviceCgroupRule> rules, IReadOnlyList<LinuxDevice>? devices)
    {
        var list = new List<DeviceRule>();
        foreach (var r in rules)
        {
            string type = string.IsNullOrEmpty(r.Type) ? "a" : r.Type;
            if (type is not ("a" or "b" or "c")) throw new RuntimeException($"linux.resources.devices: unknown device type \"{type}\"");
            string access = string.IsNullOrEmpty(r.Access) ? "rwm" : r.Access;
            if (access.Any(ch => ch is not ('r' or 'w' or 'm')))
                throw new RuntimeException($"linux.resources.devices: access \"{access}\" is not a subset of rwm");
            list.Add(new DeviceRule(r.Allow, type[0], r.Major ?? -1, r.Minor ?? -1, access));
        }
        foreach (var (t, ma, mi) in Always) list.Add(new DeviceRule(true, t, ma, mi, "rwm"));
        foreach (var d in devices ?? Array.Empty<LinuxDevice>())
            if (d.Type is "c" or "b" or "u") list.Add(new DeviceRule(true, d.Type == "b" ? 'b' : 'c', d.Major, d.Minor, "rwm"));
        return list;
    }

    public static IEnumerable<CgroupWrite> V1Writes(List<DeviceCgroupRule> rules, IReadOnlyList<LinuxDevice>? devices) =>
        Effective(rules, devices).Select(r => new CgroupWrite("linux.resources.devices", "devices", r.Allow ? "devices.allow" : "devices.deny",
            r.Type == 'a' && r.Major < 0 && r.Minor < 0 ? "a" : $"{r.Type} {Num(r.Major)}:{Num(r.Minor)} {r.Access}"));

    private static string Num(long n) => n < 0 ? "*" : n.ToString();

    /// <summary>
    /// A cgroup2 device program: the last matching rule decides (as writes to devices.allow/deny do on v1),
    /// so rules are checked from the last to the first; no match denies.
    /// Context: access_type (type in the low 16 bits, access in the high), major, minor.
    /// </summary>
    public static ulong[] BpfProgram(List<DeviceRule> rules)
    {
        var p = new List<ulong>
        {
            Bpf.LoadWord(2, 1, 0), Bpf.And32(2, 0xFFFF),  // r2 = device type (1 block, 2 char)
            Bpf.LoadWord(3, 1, 0), Bpf.Rsh32(3, 16),      // r3 = requested access (1 mknod, 2 read, 4 write)
            Bpf.LoadWord(4, 1, 4),                        // r4 = major
            Bpf.LoadWord(5, 1, 8),                        // r5 = minor
        };
        for (int i = rules.Count - 1; i >= 0; i--)
        {
            var r = rules[i];
            var block = new List<ulong>();
            var jumps = new List<int>(); // indexes of "skip this rule" jumps, patched once the block length is known
            if (r.Type != 'a') { jumps.Add(block.Count); block.Add(Bpf.JumpIfNotEqual(2, r.Type == 'b' ? 1 : 2, 0)); }
            int mask = (r.Access.Contains('m') ? 1 : 0) | (r.Access.Contains('r') ? 2 : 0) | (r.Access.Contains('w') ? 4 : 0);
            if (mask != 7)
            {
                // Matches only when every requested bit is in the rule: (access & ~mask) == 0.
                block.Add(Bpf.Mov32Reg(1, 3));
                block.Add(Bpf.And32(1, ~mask & 7));
                jumps.Add(block.Count); block.Add(Bpf.JumpIfNotEqual(1, 0, 0));
            }
            if (r.Major >= 0) { jumps.Add(block.Count); block.Add(Bpf.JumpIfNotEqual(4, (int)r.Major, 0)); }
            if (r.Minor >= 0) { jumps.Add(block.Count); block.Add(Bpf.JumpIfNotEqual(5, (int)r.Minor, 0)); }
            block.Add(Bpf.Mov64Imm(0, r.Allow ? 1 : 0));
            block.Add(Bpf.Exit());
            foreach (int j in jumps)
            {
                short skip = (short)(block.Count - j - 1);
                block[j] = (block[j] & ~0xFFFF0000UL) | ((ulong)(ushort)skip << 16);
            }
            p.AddRange(block);
            if (jumps.Count == 0) return p.ToArray(); // an unconditional rule: what lies beyond is unreachable (the verifier refuses that)
        }
        p.Add(Bpf.Mov64Imm(0, 0));
        p.Add(Bpf.Exit());
        return p.ToArray();
    }
}
