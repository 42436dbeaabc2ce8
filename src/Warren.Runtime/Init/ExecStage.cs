using System.Text.Json;
using Warren.Linux;
using Warren.Oci;

namespace Warren.Runtime.Init;

/// <summary>
/// `warren exec-init` (DESIGN 3.5): already in the container's other namespaces and cgroups; joins its mount
/// namespace from this (main) thread after unsharing the fs attributes, then execs the command. Success is
/// the sync socket closing on exec; a failure is reported on it.
/// </summary>
public static class ExecStage
{
    public static int Run(int syncFd)
    {
        var chan = new SyncChannel(syncFd);
        try
        {
            var req = JsonSerializer.Deserialize(chan.ReceivePayload(), ExecJsonContext.Default.ExecRequest)!;
            DebugTrace.Enabled = req.Debug;
            var process = OciJson.ParseProcess(req.ProcessJson);
            int hostPid = ProcessExec.ListenerPid(req.Final);
            Sys.SetCloexec(req.MountNsFd, true);
            // setns(CLONE_NEWNS) refuses a caller that shares its fs attributes with other threads.
            Sys.Unshare(CloneFlags.FS);
            Sys.Setns(req.MountNsFd, CloneFlags.NEWNS, "the container's mount namespace");
            Sys.Close(req.MountNsFd);
            Sys.Chdir("/");
            if (process.Terminal == true)
            {
                Sys.Setsid();
                ConsoleSetup.Attach(chan, process, bindConsole: false);
            }
            ProcessExec.SetRlimits(process);
            Sys.Chdir(process.Cwd ?? "/");
            InitStage.EnsureCwdInsideRoot(process.Cwd ?? "/");
            string exe = ProcessExec.ResolveExecutable(process);
            DebugTrace.Mark("exec-init: exec");
            // From here the socket closing (close-on-exec) means the command runs; an error still comes first.
            chan.SendPayload(JsonSerializer.Serialize(new InitReply { Kind = "execing" }, RuntimeJsonContext.Default.InitReply));
            ProcessExec.Exec(process, exe, req.Final, hostPid, null);
            return 127; // not reached
        }
        catch (Exception e)
        {
            try
            {
                chan.SendPayload(JsonSerializer.Serialize(new InitReply { Kind = "error", Error = e.Message },
                    RuntimeJsonContext.Default.InitReply));
            }
            catch (Exception) { Console.Error.WriteLine($"warren exec: {e.Message}"); }
            return 1;
        }
    }
}
