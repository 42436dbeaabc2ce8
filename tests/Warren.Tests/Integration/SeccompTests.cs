using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>linux.seccomp, compiled with libseccomp in the parent and loaded at the end of init.</summary>
public class SeccompTests
{
    private static Spec With(Warren.Oci.Seccomp seccomp, string script, bool nnp = true)
    {
        var spec = Sandbox.DefaultSpec("sh", "-c", script);
        spec.Process!.NoNewPrivileges = nnp;
        spec.Mounts!.Add(new Mount { Destination = "/tmp", Type = "tmpfs", Source = "tmpfs" });
        spec.Linux!.Seccomp = seccomp;
        return spec;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ADeniedSyscallReturnsTheConfiguredErrno(bool nnp)
    {
        using var sb = new Sandbox();
        var spec = With(new Warren.Oci.Seccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Architectures = new() { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" },
            Syscalls = new()
            {
                new SeccompSyscall { Names = new() { "mkdir", "mkdirat" }, Action = "SCMP_ACT_ERRNO", ErrnoRet = 13 },
                new SeccompSyscall { Names = new() { "getcwd", "no_such_syscall_anywhere" }, Action = "SCMP_ACT_ERRNO" },
            },
        }, "mkdir /tmp/d 2>&1; grep Seccomp: /proc/self/status", nnp);
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("Permission denied", r.Stdout);           // EACCES, as configured (not the default EPERM)
        Assert.Contains("Seccomp:\t2", r.Stdout);                 // filter mode
    }

    [Fact]
    public void ArgumentFiltersApplyPerOperator()
    {
        using var sb = new Sandbox();
        var deny777 = new List<SeccompArg> { new() { Index = 1, Value = 0x1ff, Op = "SCMP_CMP_EQ" } };
        var deny777At = new List<SeccompArg> { new() { Index = 2, Value = 0x1ff, Op = "SCMP_CMP_EQ" } };
        var setuidMasked = new List<SeccompArg> { new() { Index = 1, Value = 0x800, ValueTwo = 0x800, Op = "SCMP_CMP_MASKED_EQ" } };
        var setuidMaskedAt = new List<SeccompArg> { new() { Index = 2, Value = 0x800, ValueTwo = 0x800, Op = "SCMP_CMP_MASKED_EQ" } };
        var spec = With(new Warren.Oci.Seccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = new()
            {
                new SeccompSyscall { Names = new() { "chmod" }, Action = "SCMP_ACT_ERRNO", Args = deny777 },
                new SeccompSyscall { Names = new() { "fchmodat" }, Action = "SCMP_ACT_ERRNO", Args = deny777At },
                new SeccompSyscall { Names = new() { "chmod" }, Action = "SCMP_ACT_ERRNO", ErrnoRet = 22, Args = setuidMasked },
                new SeccompSyscall { Names = new() { "fchmodat" }, Action = "SCMP_ACT_ERRNO", ErrnoRet = 22, Args = setuidMaskedAt },
            },
        }, "touch /tmp/f; chmod 755 /tmp/f && echo 755-ok; chmod 777 /tmp/f 2>&1; chmod 4755 /tmp/f 2>&1; stat -c %a /tmp/f");
        var r = sb.Run(spec);
        Assert.True(r.Code == 0, r.ToString());
        var lines = ProcessTests.Lines(r.Stdout);
        Assert.Contains("755-ok", lines);
        Assert.Contains(lines, l => l.Contains("Operation not permitted"));  // EQ 0777 → EPERM
        Assert.Contains(lines, l => l.Contains("Invalid argument"));         // MASKED_EQ setuid bit → EINVAL
        Assert.Equal("755", lines[^1]);
    }

    [Fact]
    public void DefaultErrnoAppliesToEverythingNotAllowed()
    {
        using var sb = new Sandbox();
        // A profile that allows what sh and echo need, but denies everything else with ENOSYS: then
        // mkdir (not allowed) gets ENOSYS. Listing what a busybox shell needs keeps the test honest:
        // if warren needed more after loading the filter, the container would not start.
        var allowed = new List<string>
        {
            "execve", "brk", "arch_prctl", "set_tid_address", "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid",
            "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "write", "writev", "read", "exit_group", "exit", "ioctl",
            "fcntl", "close", "mmap", "munmap", "mprotect", "stat", "newfstatat", "fstat", "lstat", "openat", "open",
            "wait4", "clone", "fork", "vfork", "dup2", "dup3", "prlimit64", "getrlimit", "setrlimit", "set_robust_list", "rseq",
        };
        var spec = With(new Warren.Oci.Seccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = 38,
            Syscalls = new() { new SeccompSyscall { Names = allowed, Action = "SCMP_ACT_ALLOW" } },
        }, "echo started; mkdir /tmp/z 2>&1");
        var r = sb.Run(spec);
        Assert.Contains("started", r.Stdout);
        Assert.Contains("Function not implemented", r.Stdout);
    }

    [Fact]
    public void AnUnknownActionIsAnErrorAtCreate()
    {
        using var sb = new Sandbox();
        var spec = With(new Warren.Oci.Seccomp { DefaultAction = "SCMP_ACT_MAYBE" }, "true");
        string id = sb.NewId();
        var r = sb.Warren("create", "--bundle", sb.Bundle(spec), id);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("linux.seccomp.defaultAction: unknown action \"SCMP_ACT_MAYBE\"", r.Stderr);
        Assert.Empty(Leftovers.Find(sb, id));
    }

    [Fact]
    public void ExecGetsTheContainersFilter()
    {
        using var sb = new Sandbox();
        var spec = With(new Warren.Oci.Seccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = new() { new SeccompSyscall { Names = new() { "mkdir", "mkdirat" }, Action = "SCMP_ACT_ERRNO", ErrnoRet = 13 } },
        }, "sleep 1000");
        string id = sb.NewId();
        Assert.Equal(0, sb.Warren("run", "-d", "--bundle", sb.Bundle(spec), id).Code);
        var r = sb.Warren("exec", id, "sh", "-c", "mkdir /tmp/x 2>&1; grep Seccomp: /proc/self/status");
        Assert.Contains("Permission denied", r.Stdout);
        Assert.Contains("Seccomp:\t2", r.Stdout);
    }

    /// <summary>listenerPath: the listener receives the notify fd with the state, and answers a notified syscall.</summary>
    [Fact]
    public void ANotifyListenerReceivesTheFdAndAnswersTheSyscall()
    {
        using var sb = new Sandbox();
        string sockPath = Path.Combine(sb.Dir, "listener.sock");
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(sockPath));
        listener.Listen(1);
        string? stateJson = null;
        int answered = -1;
        var agent = new Thread(() =>
        {
            using var conn = listener.Accept();
            var (fd, payload) = Warren.Linux.Pty.ReceiveFdWithPayload((int)conn.Handle);
            stateJson = System.Text.Encoding.UTF8.GetString(payload);
            var (id, nr, _) = Warren.Linux.SeccompNotify.Receive(fd);
            answered = nr;
            Warren.Linux.SeccompNotify.Respond(fd, id, 28); // ENOSPC, from the supervisor
            Warren.Linux.Sys.Close(fd);
        });
        agent.Start();
        var spec = With(new Warren.Oci.Seccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            ListenerPath = sockPath,
            ListenerMetadata = "from-the-test",
            Syscalls = new() { new SeccompSyscall { Names = new() { "mkdir", "mkdirat" }, Action = "SCMP_ACT_NOTIFY" } },
        }, "mkdir /tmp/d 2>&1; true");
        var r = sb.Run(spec);
        Assert.True(agent.Join(20_000), "the listener got no notification");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("No space left on device", r.Stdout);
        using var doc = System.Text.Json.JsonDocument.Parse(stateJson!);
        Assert.Equal("seccompFd", doc.RootElement.GetProperty("fds")[0].GetString());
        Assert.Equal("from-the-test", doc.RootElement.GetProperty("metadata").GetString());
        Assert.True(doc.RootElement.GetProperty("pid").GetInt32() > 1);
        Assert.True(answered > 0);
    }
}
