using Warren.Linux;
using Warren.Linux.Spawn;
using Warren.Oci;

namespace Warren.Runtime;

/// <summary>
/// A user namespace with given mappings, for idmapped mounts with their own uidMappings/gidMappings: a
/// first-stage child that never gets its go-ahead holds the namespace while its fd is opened, then dies.
/// </summary>
internal static class UsernsHelper
{
    public static int Create(List<IdMapping> uids, List<IdMapping> gids)
    {
        var (parent, child) = Sys.SocketPair(1);
        int exe = Sys.Open("/proc/self/exe", O.PATH);
        int pid = -1;
        try
        {
            pid = Spawner.Spawn(new SpawnRequest
            {
                NewNamespaces = CloneFlags.NEWUSER, ExecFd = exe, ChildSyncFd = child, ParentSyncFd = parent,
                Argv = new[] { "warren-userns" }, Env = Array.Empty<string>(),
            }).Pid;
            NamespacePlan.WriteIdMaps(pid, new Spec { Linux = new Warren.Oci.Linux { UidMappings = uids, GidMappings = gids } });
            return Sys.Open($"/proc/{pid}/ns/user", O.RDONLY);
        }
        finally
        {
            if (pid > 0)
            {
                Sys.Kill(pid, Sig.KILL);
                Sys.WaitPid(pid, 0x40000000);
            }
            Sys.Close(parent);
            Sys.Close(child);
            Sys.Close(exe);
        }
    }
}
