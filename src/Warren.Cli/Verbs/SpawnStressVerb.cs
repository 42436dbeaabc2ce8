using System.CommandLine;
using System.Diagnostics;
using Warren.Linux;
using Warren.Linux.Spawn;

namespace Warren.Cli.Verbs;

/// <summary>
/// Hidden: the DESIGN 3 stress check. Clones N first stages (new UTS and IPC namespaces, exec of
/// /bin/true) while another thread allocates hard; a child stuck in the runtime shows up as a hang.
/// </summary>
internal static class SpawnStressVerb
{
    public static Command Build()
    {
        var count = new Option<int>("--count") { DefaultValueFactory = _ => 2000 };
        var c = new Command("debug-spawn-stress", "stress the first-stage clone (for tests)") { Hidden = true };
        c.Options.Add(count);
        c.SetAction(r => Output.Guard(r, "debug-spawn-stress", () => Run(r.GetValue(count))));
        return c;
    }

    private static int Run(int n)
    {
        bool stop = false;
        long allocated = 0;
        var allocator = new Thread(() =>
        {
            var keep = new object[1024];
            int i = 0;
            while (!Volatile.Read(ref stop))
            {
                keep[i++ & 1023] = new byte[(i % 64 + 1) * 256];
                allocated++;
            }
        }) { IsBackground = true };
        allocator.Start();
        int exe = Sys.Open("/bin/true", O.PATH);
        var sw = Stopwatch.StartNew();
        try
        {
            for (int i = 0; i < n; i++)
            {
                var (parent, child) = Sys.SocketPair(1);
                int pid;
                try
                {
                    pid = Spawner.Spawn(new SpawnRequest
                    {
                        NewNamespaces = CloneFlags.NEWUTS | CloneFlags.NEWIPC,
                        ExecFd = exe, ChildSyncFd = child, ParentSyncFd = parent, Argv = new[] { "true" }, Env = Array.Empty<string>(),
                    }).Pid;
                }
                finally { Sys.Close(child); }
                Sys.WriteAll(parent, "g"u8);
                var deadline = Stopwatch.StartNew();
                while (true)
                {
                    var (reaped, status) = Sys.WaitPid(pid, 1 /* WNOHANG */);
                    if (reaped == pid)
                    {
                        if (Sys.ExitCode(status) != 0) throw new InvalidOperationException($"first stage {i} exited with {Sys.ExitCode(status)}");
                        break;
                    }
                    if (deadline.ElapsedMilliseconds > 10_000)
                    {
                        Sys.Kill(pid, Sig.KILL);
                        throw new InvalidOperationException($"first stage {i} (pid {pid}) hung for 10 s");
                    }
                    Thread.Yield();
                }
                Sys.Close(parent);
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            Sys.Close(exe);
        }
        Console.Out.WriteLine($"{n} first stages ok in {sw.ElapsedMilliseconds} ms ({allocated} allocations meanwhile, " +
                              $"{Spawner.HungChildrenReplaced} stuck children replaced)");
        return 0;
    }
}
