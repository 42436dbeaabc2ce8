namespace Warren.Linux;

/// <summary>x86_64 system call numbers for calls glibc does not wrap (or must not wrap, see RawChild).</summary>
public static class SysNr
{
    public const long read = 0, write = 1, open = 2, close = 3, rt_sigaction = 13, rt_sigprocmask = 14, getpid = 39,
        clone = 56, fork = 57, exit = 60, wait4 = 61, kill = 62, capget = 125, capset = 126, setresuid = 117,
        setresgid = 119, setgroups = 116, pivot_root = 155, prctl = 157, exit_group = 231, openat = 257,
        unshare = 272, setns = 308, seccomp = 317, memfd_create = 319, execveat = 322, pidfd_send_signal = 424,
        open_tree = 428, move_mount = 429, fsopen = 430, fsconfig = 431, fsmount = 432, pidfd_open = 434, clone3 = 435, close_range = 436, openat2 = 437,
        mount_setattr = 442, keyctl = 250;
}
