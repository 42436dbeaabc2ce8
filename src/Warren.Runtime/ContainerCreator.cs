using System.Text.Json;
using Warren.Cgroups;
using Warren.Linux;
using Warren.Linux.Spawn;
using Warren.Oci;
using Warren.Runtime.Init;

namespace Warren.Runtime;

/// <summary>
/// `create`: validates the bundle, reserves the state directory, clones the first stage (DESIGN 3) and
/// drives it until the init stage reports the container ready. On any failure nothing is left behind.
/// </summary>
public static class ContainerCreator
{
    public static CreatedContainer Create(ContainerStore store, CreateOptions o)
    {
        DebugTrace.Mark("create: begin");
        string bundle = Path.GetFullPath(o.Bundle);
        if (!Directory.Exists(bundle)) throw new RuntimeException($"bundle {bundle} does not exist");
        string configPath = Path.Combine(bundle, "config.json");
        Spec spec;
        string configJson;
        try
        {
            configJson = SpecLoader.ReadFile(configPath);
            DebugTrace.Mark("create: config read");
            spec = SpecLoader.Parse(configJson);
            DebugTrace.Mark("create: config parsed");
            SpecValidator.Validate(spec);
        }
        catch (OciException e) { throw new RuntimeException(e.Message, e); }

        string rootfs = Path.GetFullPath(spec.Root!.Path!, bundle);
        if (!Directory.Exists(rootfs)) throw new RuntimeException($"root.path: rootfs {rootfs} does not exist");
        bool terminal = spec.Process!.Terminal == true;
        if (terminal && !o.Foreground && o.ConsoleSocket is null)
            throw new RuntimeException("process.terminal is true but no --console-socket was given");
        if (!terminal && o.ConsoleSocket is not null)
            throw new RuntimeException("--console-socket was given but process.terminal is false");
        if ((spec.Linux?.Namespaces ?? new()).All(n => n.Type != "mount"))
            throw new RuntimeException("linux.namespaces: a mount namespace is required");
        ValidateCapabilities(spec.Process!.Capabilities);
        Security.ProcessAttributes.Validate(spec, spec.Process);
        try { foreach (var m in spec.Mounts ?? new()) MountSetup.CheckSupported(m); }
        catch (InvalidOperationException e) { throw new RuntimeException(e.Message, e); }
        var joins = NamespacePlan.Joins(spec);
        long newNs = NamespacePlan.NewFlags(spec);
        // "idmap" without mappings of its own maps through the container's user namespace, so it needs one.
        if (IdmapMountIndexes(spec).FirstOrDefault(i => spec.Mounts![i].UidMappings is not { Count: > 0 }, -1) is var idm and >= 0
            && (newNs & CloneFlags.NEWUSER) == 0)
            throw new RuntimeException($"mounts[{spec.Mounts![idm].Destination}]: \"idmap\" needs a new user namespace in linux.namespaces");
        var final = Security.FinalStepsPlan.Make(spec, spec.Process, o.PreserveFds, withMounts: true);

        ContainerStore.ValidateId(o.Id);
        DebugTrace.Mark("create: config loaded");
        string dir = store.Reserve(o.Id);
        var cleanup = new Cleanup(store, o.Id);
        try
        {
            string fifo = store.FifoPath(o.Id);
            Sys.Mkfifo(fifo, 0x180);
            // The container's root opens the fifo through an inherited fd; with a user namespace it is a
            // different host uid, so it must own the fifo (as runc does).
            var (rootUid, rootGid) = NamespacePlan.HostRoot(spec);
            if (rootUid != 0 || rootGid != 0) Sys.Chown(fifo, rootUid, rootGid);
            int fifoFd = Sys.Open(fifo, O.PATH);
            cleanup.Fds.Add(fifoFd);
            int listenerFd = Security.FinalStepsPlan.ConnectListener(final, spec, o.Id, bundle);
            if (listenerFd >= 0) cleanup.Fds.Add(listenerFd);

            var hierarchies = CgroupHost.Hierarchies();
            string rel;
            Action<int>? place = null;
            if (o.SystemdCgroup)
            {
                var scope = SystemdCgroups.Plan(spec, o.Id, hierarchies);
                rel = scope.CgroupPath;
                cleanup.Cgroups = new CgroupSet(new Dictionary<string, string>());
                // systemd makes the scope around the first stage; the limits follow before the go-ahead.
                place = pid =>
                {
                    // A unit of that name that is not ours (another container's) must survive our failing.
                    cleanup.Cgroups = SystemdCgroups.Start(scope, pid, o.Id, spec.Linux?.Resources, hierarchies,
                        created: () => cleanup.SystemdUnit = scope.Unit);
                    Resources.ResourceApplier.Apply(cleanup.Cgroups, hierarchies, spec.Linux?.Resources, spec.Linux?.Devices,
                        rootless: Sys.Geteuid() != 0);
                };
            }
            else
            {
                try { rel = CgroupSet.Normalize(spec.Linux?.CgroupsPath, o.Id); }
                catch (ArgumentException e) { throw new RuntimeException(e.Message); }
                cleanup.Cgroups = CreateCgroups(rel, hierarchies, spec);
                // Limits are in place before the first stage exists, so the program never runs unlimited.
                Resources.ResourceApplier.Apply(cleanup.Cgroups, hierarchies, spec.Linux?.Resources, spec.Linux?.Devices,
                    rootless: Sys.Geteuid() != 0);
            }

            DebugTrace.Mark("create: cgroups made");
            var request = new InitRequest
            {
                ConfigJson = configJson,
                Bundle = bundle,
                Rootfs = rootfs,
                ExecFifoFd = fifoFd,
                NoPivot = o.NoPivot,
                UnshareCgroupNs = (newNs & CloneFlags.NEWCGROUP) != 0,
                ContainerId = o.Id,
                NoNewKeyring = o.NoNewKeyring,
                Debug = DebugTrace.Enabled,
                Final = final,
                CgroupV2Only = CgroupHost.Mode(hierarchies) == CgroupMode.V2,
                CgroupHierarchies = hierarchies.ToDictionary(h => h.Key, h => h.MountPoint),
                CgroupRelPath = rel,
                IdmapMounts = IdmapMountIndexes(spec),
            };
            string requestJson = JsonSerializer.Serialize(request, RuntimeJsonContext.Default.InitRequest);
            // The init stage unshares the cgroup namespace itself, once it sits in its cgroups.
            var (chan, pid) = StageLauncher.Launch(new StageLauncher.Plan("init", newNs & ~CloneFlags.NEWCGROUP, joins,
                NamespacePlan.TimeOffsets(spec), cleanup.Cgroups, spec, listenerFd >= 0 ? new[] { fifoFd, listenerFd } : new[] { fifoFd }, requestJson)
            { Place = place });
            using var _ = chan;
            cleanup.FirstStage = pid;
            cleanup.InitPid = pid;
            if (!Spawner.ChildAsksForMaps(newNs, joins)) SendIdmapTrees(chan, spec, bundle, request.IdmapMounts, pid);

            int ptyMaster = Converse(chan, spec, pid, requestJson, o, cleanup, bundle, request.IdmapMounts);
            DebugTrace.Mark("create: init ready");

            var rec = new ContainerRecord
            {
                Id = o.Id,
                Pid = cleanup.InitPid,
                PidStartTime = ProcessInfo.Read(cleanup.InitPid)?.StartTime ?? 0,
                Bundle = bundle,
                Rootfs = rootfs,
                Created = DateTime.UtcNow,
                Owner = Sys.Geteuid() == 0 ? "root" : Sys.Geteuid().ToString(),
                Annotations = spec.Annotations,
                CgroupPaths = new Dictionary<string, string>(cleanup.Cgroups.Paths),
                SystemdUnit = cleanup.SystemdUnit,
                ConfigJson = configJson,
            };
            store.Save(rec);
            if (o.PidFile is not null) PidFile.Write(o.PidFile, rec.Pid);
            cleanup.Disarm();
            return new CreatedContainer { Record = rec, PtyMaster = ptyMaster };
        }
        catch (Exception e) when (e is SyscallException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            cleanup.Run();
            throw new RuntimeException(e.Message, e);
        }
        catch
        {
            cleanup.Run();
            throw;
        }
    }

    /// <summary>
    /// The container's cgroups. Rootless, only the hierarchies where the user has a delegated cgroup are used;
    /// like runc, warren warns about the rest rather than failing.
    /// </summary>
    private static CgroupSet CreateCgroups(string rel, IReadOnlyList<CgroupHierarchy> hierarchies, Spec spec)
    {
        bool rootless = Sys.Geteuid() != 0;
        var set = CgroupSet.Create(rel, hierarchies, skipDenied: rootless);
        if (set.Denied.Count > 0)
            Console.Error.WriteLine(set.Paths.Count == 0
                ? "warren: warning: no cgroup is delegated to this user: the container runs without its own cgroup"
                : $"warren: warning: no delegated cgroup on {string.Join(", ", set.Denied)}: those controllers are not used");
        return set;
    }

    private static List<int> IdmapMountIndexes(Spec spec) =>
        (spec.Mounts ?? new()).Select((m, i) => (m, i))
            .Where(x => x.m.Options?.Any(o => o is "idmap" or "ridmap") == true || x.m.UidMappings is { Count: > 0 })
            .Select(x => x.i).ToList();

    /// <summary>
    /// Idmapped binds: only the initial user namespace may id-map a mount, so warren makes each one here as
    /// a detached tree mapped through the child's user namespace, and sends it to the init stage to move into place.
    /// </summary>
    private static void SendIdmapTrees(SyncChannel chan, Spec spec, string bundle, List<int> indexes, int pid)
    {
        if (indexes.Count == 0) return;
        int userns = Sys.Open($"/proc/{pid}/ns/user", O.RDONLY);
        try
        {
            foreach (int i in indexes)
            {
                var m = spec.Mounts![i];
                string source = m.Source is { } s && s.StartsWith('/') ? s : Path.Combine(bundle, m.Source ?? "");
                var opts = MountOptions.Parse(m.Options);
                // Mappings of the mount's own: a user namespace made for them; otherwise the container's.
                int own = m.UidMappings is { Count: > 0 } ? UsernsHelper.Create(m.UidMappings, m.GidMappings!) : -1;
                int tree = Sys.OpenTreeClone(source, opts.Recursive || opts.RecursiveIdmap);
                try
                {
                    Sys.MountSetAttr(tree, "", AT.EMPTY_PATH | (opts.RecursiveIdmap ? AT.RECURSIVE : 0), Warren.Linux.MountAttr.IDMAP, 0, 0,
                        own >= 0 ? own : userns, $"mounts[{m.Destination}] {source} (idmap)");
                    Pty.SendFd(chan.Fd, tree, "m");
                }
                finally
                {
                    Sys.Close(tree);
                    Sys.Close(own);
                }
            }
        }
        finally { Sys.Close(userns); }
    }

    /// <summary>runc and crun accept unknown capability names silently; warren refuses them at create.</summary>
    private static void ValidateCapabilities(Warren.Oci.Capabilities? caps)
    {
        if (caps is null) return;
        try
        {
            Warren.Linux.Capabilities.Mask(caps.Bounding, "process.capabilities.bounding");
            Warren.Linux.Capabilities.Mask(caps.Effective, "process.capabilities.effective");
            Warren.Linux.Capabilities.Mask(caps.Permitted, "process.capabilities.permitted");
            Warren.Linux.Capabilities.Mask(caps.Inheritable, "process.capabilities.inheritable");
            Warren.Linux.Capabilities.Mask(caps.Ambient, "process.capabilities.ambient");
        }
        catch (ArgumentException e) { throw new RuntimeException(e.Message, e); }
    }

    /// <summary>Answers the first stage and the init stage until "ready"; returns a pty master fd or -1.</summary>
    private static int Converse(SyncChannel chan, Spec spec, int firstPid, string requestJson, CreateOptions o, Cleanup cleanup,
        string bundle, List<int> idmapMounts)
    {
        int ptyMaster = -1;
        while (true)
        {
            var e = StageEvents.Next(chan, "container init");
            switch (e.Kind)
            {
                case StageEventKind.Closed:
                    var (reaped, status) = Sys.WaitPid(cleanup.InitPid, 0x40000000 /* __WALL */);
                    if (cleanup.InitPid == cleanup.FirstStage) cleanup.FirstStage = 0;
                    cleanup.InitPid = 0;
                    throw new RuntimeException(reaped > 0
                        ? $"container init exited before it was ready (exit code {Sys.ExitCode(status)})"
                        : "container init exited before it was ready");
                case StageEventKind.NeedMaps:
                    NamespacePlan.WriteIdMaps(firstPid, spec);
                    chan.SendGo();
                    chan.SendPayload(requestJson);
                    SendIdmapTrees(chan, spec, bundle, idmapMounts, firstPid);
                    break;
                case StageEventKind.ChildPid:
                    cleanup.InitPid = e.Value;
                    Sys.WaitPid(firstPid); // the intermediate stage exits right after sending this
                    cleanup.FirstStage = 0;
                    break;
                case StageEventKind.Pty:
                    if (o.Foreground) { ptyMaster = e.Value; cleanup.PtyMaster = e.Value; }
                    else ConsoleSocket.Send(o.ConsoleSocket!, e.Value);
                    break;
                case StageEventKind.Reply when e.Reply!.Kind == "create-runtime":
                    // In the runtime namespace, while the init waits before pivot_root.
                    string state = HookRunner.StateJson(o.Id, ContainerStatus.Creating, cleanup.InitPid, bundle, spec.Annotations);
                    HookRunner.RunAll(spec.Hooks, "prestart", state);
                    HookRunner.RunAll(spec.Hooks, "createRuntime", state);
                    chan.SendPayload(JsonSerializer.Serialize(new InitReply { Kind = "continue", StateJson = state },
                        RuntimeJsonContext.Default.InitReply));
                    break;
                case StageEventKind.Reply when e.Reply!.Kind == "ready":
                    return ptyMaster;
            }
        }
    }

    /// <summary>Undoes a partial create: kills the stages, removes cgroups and the state directory.</summary>
    private sealed class Cleanup(ContainerStore store, string id)
    {
        public CgroupSet? Cgroups;
        public string? SystemdUnit;
        public int FirstStage;
        public int InitPid;
        public int PtyMaster = -1;
        public readonly List<int> Fds = new();
        private bool _disarmed;

        public void Disarm()
        {
            _disarmed = true;
            foreach (var fd in Fds) Sys.Close(fd);
        }

        public void Run()
        {
            if (_disarmed) return;
            foreach (var fd in Fds) Sys.Close(fd);
            if (InitPid > 0) Sys.Kill(InitPid, Sig.KILL);
            if (FirstStage > 0 && FirstStage != InitPid) Sys.Kill(FirstStage, Sig.KILL);
            if (FirstStage > 0) Sys.WaitPid(FirstStage, 0x40000000);
            if (InitPid > 0 && InitPid != FirstStage) Sys.WaitPid(InitPid, 0x40000000); // reaped if we are its subreaper
            Sys.Close(PtyMaster);
            if (SystemdUnit is not null)
            {
                try { SystemdCgroups.Stop(SystemdUnit); }
                catch (RuntimeException) { } // the first error is the one to report
            }
            Cgroups?.Destroy();
            store.Remove(id);
        }
    }
}
