using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>process.ioPriority, scheduler, execCPUAffinity, linux.personality; LSM labels without the LSM.</summary>
public class ProcessAttributeTests
{
    [Fact]
    public void SchedulerIoPriorityAffinityAndPersonalityAreApplied()
    {
        using var sb = new Sandbox();
        // /proc/self/stat: field 19 is nice, field 41 the policy; personality and Cpus_allowed_list from procfs.
        var spec = Sandbox.DefaultSpec("sh", "-c",
            "cut -d' ' -f19,41 /proc/self/stat; cat /proc/self/personality; grep Cpus_allowed_list /proc/self/status | cut -f2; ionice -p $$");
        spec.Process!.Scheduler = new Scheduler { Policy = "SCHED_BATCH", Nice = 7 };
        spec.Process.IoPriority = new IoPriority { Class = "IOPRIO_CLASS_BE", Priority = 6 };
        spec.Process.ExecCpuAffinity = new ExecCpuAffinity { Final = "0" };
        spec.Linux!.Personality = new Personality { Domain = "LINUX32" };
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.Equal("7 3", lines[0]);           // nice 7, SCHED_BATCH
        Assert.Equal("00000008", lines[1]);      // PER_LINUX32
        Assert.Equal("0", lines[2]);
        Assert.Contains("best-effort: prio 6", lines[3]);
    }

    [Theory]
    [InlineData("apparmor")]
    [InlineData("selinux")]
    [InlineData("mountLabel")]
    public void ALabelWithoutItsLsmIsAClearErrorUnlessIgnored(string lsm)
    {
        if (lsm == "apparmor" && File.Exists("/sys/module/apparmor/parameters/enabled")) return; // the check is about hosts without it
        if (lsm != "apparmor" && Directory.Exists("/sys/fs/selinux")) return;
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("true");
        if (lsm == "apparmor") spec.Process!.ApparmorProfile = "docker-default";
        else if (lsm == "selinux") spec.Process!.SelinuxLabel = "system_u:system_r:container_t:s0";
        else spec.Linux!.MountLabel = "system_u:object_r:container_file_t:s0";
        string id = sb.NewId();
        var r = sb.Warren("create", "--bundle", sb.Bundle(spec), id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains(lsm switch
        {
            "apparmor" => "process.apparmorProfile \"docker-default\": AppArmor is not enabled",
            "selinux" => "process.selinuxLabel \"system_u:system_r:container_t:s0\": SELinux is not enabled",
            _ => "linux.mountLabel \"system_u:object_r:container_file_t:s0\": SELinux is not enabled",
        }, r.Stderr);
        Assert.Empty(Leftovers.Find(sb, id));

        spec.Annotations = new() { ["run.warren.ignore-missing-lsm"] = "true" };
        Assert.Equal(0, sb.Run(spec).Code);
    }

    [Fact]
    public void InvalidAttributesAreRefusedAtCreate()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("true");
        spec.Process!.ExecCpuAffinity = new ExecCpuAffinity { Initial = "zero-ish" };
        string id = sb.NewId();
        var r = sb.Warren("create", "--bundle", sb.Bundle(spec), id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("process.execCPUAffinity.initial", r.Stderr);
        spec.Process.ExecCpuAffinity = null;
        spec.Linux!.IntelRdt = new IntelRdt { ClosId = "x" };
        var r2 = sb.Warren("create", "--bundle", sb.Bundle(spec), sb.NewId());
        Assert.NotEqual(0, r2.Code);
        Assert.Contains("linux.intelRdt", r2.Stderr);
    }
}
