using System.CommandLine;
using Warren.Oci;
using Warren.Runtime;

namespace Warren.Cli.Verbs;

internal static class UpdateVerb
{
    public static Command Build()
    {
        var id = new Argument<string>("container-id");
        var resources = new Option<string?>("--resources", "-r") { Description = "path to a file with the new resources (JSON), or - for stdin" };
        var memory = new Option<string?>("--memory") { Description = "memory limit (in bytes, or with k, m, g)" };
        var reservation = new Option<string?>("--memory-reservation") { Description = "memory reservation or soft limit" };
        var swap = new Option<string?>("--memory-swap") { Description = "total memory usage (memory + swap); -1 for unlimited" };
        var cpuQuota = new Option<long?>("--cpu-quota") { Description = "CPU CFS quota in microseconds" };
        var cpuPeriod = new Option<ulong?>("--cpu-period") { Description = "CPU CFS period in microseconds" };
        var cpuShare = new Option<ulong?>("--cpu-share") { Description = "CPU shares (relative weight)" };
        var rtPeriod = new Option<ulong?>("--cpu-rt-period") { Description = "CPU realtime period in microseconds" };
        var rtRuntime = new Option<long?>("--cpu-rt-runtime") { Description = "CPU realtime runtime in microseconds" };
        var cpus = new Option<string?>("--cpuset-cpus") { Description = "CPUs to use" };
        var mems = new Option<string?>("--cpuset-mems") { Description = "memory nodes to use" };
        var pids = new Option<long?>("--pids-limit") { Description = "maximum number of pids allowed in the container" };
        var blkio = new Option<ushort?>("--blkio-weight") { Description = "block IO weight, between 10 and 1000" };
        var kernel = new Option<string?>("--kernel-memory") { Description = "refused: kernel memory limits are gone from the kernel" };
        var kernelTcp = new Option<string?>("--kernel-memory-tcp") { Description = "refused: kernel memory limits are gone from the kernel" };
        var l3 = new Option<string?>("--l3-cache-schema") { Description = "refused: Intel RDT is not supported" };
        var memBw = new Option<string?>("--mem-bw-schema") { Description = "refused: Intel RDT is not supported" };
        var c = new Command("update", "update the resource limits of a container");
        c.Arguments.Add(id);
        foreach (var o in new Option[] { resources, memory, reservation, swap, cpuQuota, cpuPeriod, cpuShare, rtPeriod, rtRuntime, cpus, mems, pids, blkio, kernel, kernelTcp, l3, memBw })
            c.Options.Add(o);
        c.SetAction(r => Output.Guard(r, "update", () =>
        {
            if (r.GetValue(kernel) is not null || r.GetValue(kernelTcp) is not null)
                throw new RuntimeException("--kernel-memory: kernel memory limits are not supported (removed from Linux 6.x)");
            if (r.GetValue(l3) is not null || r.GetValue(memBw) is not null)
                throw new RuntimeException("--l3-cache-schema/--mem-bw-schema: Intel RDT is not supported by warren");
            LinuxResources res;
            if (r.GetValue(resources) is { } file)
            {
                string json = file == "-" ? Console.In.ReadToEnd() : File.ReadAllText(file);
                res = System.Text.Json.JsonSerializer.Deserialize(json, OciJsonContext.Default.LinuxResources)
                      ?? throw new RuntimeException("--resources: empty document");
            }
            else res = new LinuxResources();
            if (r.GetValue(memory) is { } m) (res.Memory ??= new()).Limit = Size(m, "--memory");
            if (r.GetValue(reservation) is { } mr) (res.Memory ??= new()).Reservation = Size(mr, "--memory-reservation");
            if (r.GetValue(swap) is { } ms) (res.Memory ??= new()).Swap = Size(ms, "--memory-swap");
            if (r.GetValue(cpuQuota) is { } q) (res.Cpu ??= new()).Quota = q;
            if (r.GetValue(cpuPeriod) is { } p) (res.Cpu ??= new()).Period = p;
            if (r.GetValue(cpuShare) is { } sh) (res.Cpu ??= new()).Shares = sh;
            if (r.GetValue(rtPeriod) is { } rp) (res.Cpu ??= new()).RealtimePeriod = rp;
            if (r.GetValue(rtRuntime) is { } rr) (res.Cpu ??= new()).RealtimeRuntime = rr;
            if (r.GetValue(cpus) is { } cs) (res.Cpu ??= new()).Cpus = cs;
            if (r.GetValue(mems) is { } mm) (res.Cpu ??= new()).Mems = mm;
            if (r.GetValue(pids) is { } pl) res.Pids = new PidsResources { Limit = pl };
            if (r.GetValue(blkio) is { } bw) res.BlockIo = new BlockIoResources { Weight = bw };
            var store = new ContainerStore(GlobalOptions.RootDir(r));
            string cid = r.GetValue(id)!;
            using (store.LockContainer(cid)) ContainerUpdate.Apply(store, cid, res);
            return 0;
        }));
        return c;
    }

    /// <summary>Bytes, or a number with k, m, g (and optional b) as runc's units.RAMInBytes takes; -1 is unlimited.</summary>
    internal static long Size(string text, string flag)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "-1") return -1;
        if (t.EndsWith('b')) t = t[..^1];
        long mult = 1;
        if (t.Length > 0 && "kmgt".Contains(t[^1]))
        {
            mult = t[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, _ => 1L << 40 };
            t = t[..^1];
        }
        return long.TryParse(t, out var n) && n >= 0 ? n * mult : throw new RuntimeException($"{flag}: \"{text}\" is not a size");
    }
}
