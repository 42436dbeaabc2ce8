using Warren.Oci;
using Xunit;
using static Warren.Oci.MountFlags;
using static Warren.Oci.MountAttr;

namespace Warren.Tests;

public class OciSpecTests
{
    private const string Minimal = """
        {
          "ociVersion": "1.2.1",
          "root": { "path": "rootfs" },
          "process": { "args": ["sh"], "cwd": "/" },
          "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "NS" } ] }
        }
        """;

    [Fact]
    public void DefaultSpec_RoundTrips()
    {
        var spec = DefaultSpec.Create(rootless: false);
        string json = DefaultSpec.ToJson(spec);
        Assert.Contains("\n", json);
        Assert.DoesNotContain("null", json);
        var back = SpecLoader.Parse(json, "config.json");
        SpecValidator.Validate(back);
        Assert.Equal(json, DefaultSpec.ToJson(back));
        Assert.Equal("1.2.1", back.OciVersion);
        Assert.Equal("warren", back.Hostname);
        Assert.True(back.Process!.Terminal);
        Assert.Equal(["sh"], back.Process.Args!);
        Assert.Equal(1024UL, back.Process.Rlimits![0].Hard);
        Assert.Contains(back.Mounts!, m => m.Destination == "/sys/fs/cgroup");
        Assert.Equal(["pid", "network", "ipc", "uts", "mount", "cgroup"], back.Linux!.Namespaces!.Select(n => n.Type!));
        Assert.Null(back.Process.Capabilities!.Inheritable);
        Assert.False(back.Linux.Resources!.Devices![0].Allow);
    }

    [Fact]
    public void DefaultSpec_Rootless()
    {
        var spec = DefaultSpec.Create(rootless: true, 1000, 1001);
        SpecValidator.Validate(spec);
        var back = SpecLoader.Parse(DefaultSpec.ToJson(spec), "config.json");
        Assert.Equal(1000u, back.Linux!.UidMappings![0].HostId);
        Assert.Equal(1001u, back.Linux.GidMappings![0].HostId);
        Assert.Equal(1u, back.Linux.UidMappings[0].Size);
        Assert.Null(back.Linux.Resources);
        Assert.DoesNotContain(back.Mounts!, m => m.Destination == "/sys/fs/cgroup");
        Assert.DoesNotContain(back.Linux.Namespaces!, n => n.Type is "network" or "cgroup");
        Assert.Contains(back.Linux.Namespaces!, n => n.Type == "user");
        var sys = back.Mounts!.Single(m => m.Destination == "/sys");
        Assert.Equal("none", sys.Type);
        Assert.Equal(["rbind", "nosuid", "noexec", "nodev", "ro"], sys.Options!);
        Assert.DoesNotContain("gid=5", back.Mounts!.Single(m => m.Destination == "/dev/pts").Options!);
    }

    [Fact]
    public void WrongType_NamesJsonPath()
    {
        var e = Assert.Throws<OciException>(() => SpecLoader.Parse("""
            { "ociVersion": "1.2.1",
              "process": { "terminal": "yes" } }
            """, "config.json"));
        Assert.Equal("config.json: $.process.terminal: expected a boolean", e.Message);
    }

    [Fact]
    public void StringAsNumber_IsRejected()
    {
        var e = Assert.Throws<OciException>(() => SpecLoader.Parse("""{"process":{"user":{"uid":"0","gid":0}}}""", "config.json"));
        Assert.StartsWith("config.json: $.process.user.uid: expected a", e.Message);
        Assert.DoesNotContain("System.", e.Message);
    }

    [Fact]
    public void WrongType_ArrayAndObject()
    {
        var e = Assert.Throws<OciException>(() => SpecLoader.Parse("""{"process":{"args":"sh"}}""", "config.json"));
        Assert.Equal("config.json: $.process.args: expected an array", e.Message);
        e = Assert.Throws<OciException>(() => SpecLoader.Parse("""{"root":"rootfs"}""", "config.json"));
        Assert.Equal("config.json: $.root: expected an object", e.Message);
    }

    [Fact]
    public void InvalidJson_ReportsLineAndByte()
    {
        var e = Assert.Throws<OciException>(() => SpecLoader.Parse("{\n  \"ociVersion\": \"1.2.1\",,\n}", "config.json"));
        Assert.StartsWith("config.json: invalid JSON at line 2, byte ", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.DoesNotContain("Path:", e.Message);
    }

    [Fact]
    public void MissingFile()
    {
        string path = Path.Combine(Path.GetTempPath(), "warren-no-such-" + Guid.NewGuid().ToString("N"), "config.json");
        var e = Assert.Throws<OciException>(() => SpecLoader.LoadFile(path));
        Assert.Equal($"config.json not found: {path}", e.Message);
    }

    [Fact]
    public void UnknownNamespaceType()
    {
        var spec = SpecLoader.Parse(Minimal, "config.json");
        var e = Assert.Throws<OciException>(() => SpecValidator.Validate(spec));
        Assert.Equal("linux.namespaces[2].type: unknown namespace type \"NS\"", e.Message);
    }

    [Fact]
    public void DuplicateNamespace()
    {
        var spec = SpecLoader.Parse(Minimal.Replace("\"NS\"", "\"pid\""), "config.json");
        var e = Assert.Throws<OciException>(() => SpecValidator.Validate(spec));
        Assert.Contains("linux.namespaces[2].type", e.Message);
        Assert.Contains("duplicate", e.Message);
    }

    [Fact]
    public void Validator_OtherRules()
    {
        Spec Fresh() => DefaultSpec.Create(false);

        var s = Fresh(); s.Process!.Cwd = "relative";
        Assert.Contains("process.cwd", Assert.Throws<OciException>(() => SpecValidator.Validate(s)).Message);

        s = Fresh(); s.Process!.Args = [];
        Assert.Contains("process.args", Assert.Throws<OciException>(() => SpecValidator.Validate(s)).Message);

        s = Fresh(); s.Linux!.Namespaces!.RemoveAll(n => n.Type == "uts");
        Assert.StartsWith("hostname:", Assert.Throws<OciException>(() => SpecValidator.Validate(s)).Message);

        s = Fresh(); s.Process!.Rlimits!.Add(new Rlimit { Type = "RLIMIT_BOGUS", Hard = 1, Soft = 1 });
        Assert.Contains("process.rlimits[1].type", Assert.Throws<OciException>(() => SpecValidator.Validate(s)).Message);

        s = Fresh(); s.Process!.Rlimits![0].Soft = 2048;
        Assert.Contains("soft", Assert.Throws<OciException>(() => SpecValidator.Validate(s)).Message);

        s = Fresh(); s.Linux!.UidMappings = [new IdMapping { Size = 1 }];
        Assert.StartsWith("linux.uidMappings", Assert.Throws<OciException>(() => SpecValidator.Validate(s)).Message);

        s = Fresh(); s.Linux!.TimeOffsets = new() { ["monotonic"] = new TimeOffset { Secs = 1 } };
        Assert.Contains("time namespace", Assert.Throws<OciException>(() => SpecValidator.Validate(s)).Message);
        s.Linux.Namespaces!.Add(new LinuxNamespace { Type = "time" });
        SpecValidator.Validate(s);
        s.Linux.TimeOffsets["realtime"] = new TimeOffset();
        Assert.Contains("realtime", Assert.Throws<OciException>(() => SpecValidator.Validate(s)).Message);

        s = Fresh(); s.Mounts![0].Destination = "proc";
        Assert.StartsWith("mounts[0].destination", Assert.Throws<OciException>(() => SpecValidator.Validate(s)).Message);

        s = Fresh(); s.Linux!.RootfsPropagation = "weird";
        Assert.StartsWith("linux.rootfsPropagation", Assert.Throws<OciException>(() => SpecValidator.Validate(s)).Message);

        s = Fresh(); s.Root = null;
        Assert.Equal("root: required", Assert.Throws<OciException>(() => SpecValidator.Validate(s)).Message);
    }

    [Fact]
    public void MountOptions_DefaultMounts()
    {
        var mounts = DefaultSpec.Create(false).Mounts!.ToDictionary(m => m.Destination!);

        var dev = MountOptions.Parse(mounts["/dev"].Options!);
        Assert.Equal(MS_NOSUID | MS_STRICTATIME, dev.Flags);
        Assert.Equal("mode=755,size=65536k", dev.Data);
        Assert.False(dev.Bind);

        var pts = MountOptions.Parse(mounts["/dev/pts"].Options!);
        Assert.Equal(MS_NOSUID | MS_NOEXEC, pts.Flags);
        Assert.Equal("newinstance,ptmxmode=0666,mode=0620,gid=5", pts.Data);

        var shm = MountOptions.Parse(mounts["/dev/shm"].Options!);
        Assert.Equal(MS_NOSUID | MS_NOEXEC | MS_NODEV, shm.Flags);
        Assert.Equal("mode=1777,size=65536k", shm.Data);

        var sys = MountOptions.Parse(mounts["/sys"].Options!);
        Assert.Equal(MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, sys.Flags);
        Assert.Equal("", sys.Data);

        var cg = MountOptions.Parse(mounts["/sys/fs/cgroup"].Options!);
        Assert.Equal(MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY, cg.Flags);

        var proc = MountOptions.Parse(mounts["/proc"].Options);
        Assert.Equal(0UL, proc.Flags);
        Assert.Equal("", proc.Data);
    }

    [Fact]
    public void MountOptions_RbindRroRslave()
    {
        var o = MountOptions.Parse(["rbind", "rro", "rslave", "nosuid", "defaults"]);
        Assert.True(o.Bind);
        Assert.True(o.Recursive);
        Assert.True(o.RecursiveReadonly);
        Assert.Equal(MS_BIND | MS_REC | MS_NOSUID, o.Flags);
        Assert.Equal(MS_SLAVE | MS_REC, o.PropagationFlags);
        Assert.Equal(MOUNT_ATTR_RDONLY, o.RecAttrSet);
        Assert.Equal("", o.Data);

        var b = MountOptions.Parse(["bind", "private", "rw", "exec"]);
        Assert.True(b.Bind);
        Assert.False(b.Recursive);
        Assert.Equal(MS_BIND, b.Flags);
        Assert.Equal(MS_RDONLY | MS_NOEXEC, b.ClearFlags);
        Assert.Equal(MS_PRIVATE, b.PropagationFlags);
    }

    [Fact]
    public void MountOptions_RecursiveAttrsAndExtras()
    {
        var o = MountOptions.Parse(["rnoatime", "rnosuid", "rdev", "ridmap", "tmpcopyup", "ro", "rw", "uid=1000"]);
        Assert.Equal(MOUNT_ATTR_NOATIME | MOUNT_ATTR_NOSUID, o.RecAttrSet);
        Assert.Equal(MOUNT_ATTR__ATIME | MOUNT_ATTR_NODEV, o.RecAttrClear);
        Assert.True(o.Idmap);
        Assert.True(o.RecursiveIdmap);
        Assert.True(o.TmpCopyUp);
        Assert.Equal(0UL, o.Flags);
        Assert.Equal(MS_RDONLY, o.ClearFlags);
        Assert.Equal("uid=1000", o.Data);
    }

    [Fact]
    public void State_And_Features_Serialize()
    {
        var st = new State { OciVersion = "1.2.1", Id = "c1", Status = ContainerStatus.Created, Pid = 42, Bundle = "/b" };
        var json = OciJson.Serialize(st);
        Assert.DoesNotContain("annotations", json);
        Assert.Equal(42, OciJson.ParseState(json).Pid);
        Assert.Contains("\"c1\"", OciJson.Serialize([st]));

        var f = new Features
        {
            OciVersionMin = "1.0.0",
            Linux = new LinuxFeatures { MountExtensions = new MountExtensionsFeatures { Idmap = new EnabledFeature { Enabled = true } } },
        };
        var fj = OciJson.Serialize(f);
        Assert.Contains("\"mountExtensions\"", fj);
        Assert.True(OciJson.ParseFeatures(fj).Linux!.MountExtensions!.Idmap!.Enabled);
    }
}
