using System.Runtime.InteropServices;

namespace Warren.Linux;

/// <summary>bpf(2) for cgroup device programs: load a BPF_PROG_TYPE_CGROUP_DEVICE program, attach it to a cgroup.</summary>
public static unsafe class Bpf
{
    private const long SysBpf = 321;
    private const int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8;
    private const uint BPF_PROG_TYPE_CGROUP_DEVICE = 15, BPF_CGROUP_DEVICE = 6, BPF_F_ALLOW_MULTI = 2;

    /// <summary>Loads the program (8-byte instructions); returns its fd. A verifier refusal carries its log.</summary>
    public static int LoadCgroupDeviceProgram(ReadOnlySpan<ulong> insns)
    {
        var attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        var license = "GPL\0"u8;
        var log = new byte[4096];
        fixed (ulong* pi = insns)
        fixed (byte* pl = license)
        fixed (byte* plog = log)
        {
            *(uint*)(attr + 0) = BPF_PROG_TYPE_CGROUP_DEVICE;
            *(uint*)(attr + 4) = (uint)insns.Length;
            *(ulong*)(attr + 8) = (ulong)pi;
            *(ulong*)(attr + 16) = (ulong)pl;
            *(uint*)(attr + 24) = 1;             // log_level
            *(uint*)(attr + 28) = (uint)log.Length;
            *(ulong*)(attr + 32) = (ulong)plog;
            long fd = Libc.syscall(SysBpf, BPF_PROG_LOAD, (long)attr, 128, 0, 0, 0);
            if (fd >= 0) return (int)fd;
            int err = Sys.Errno;
            string verifier = string.Join(" | ", System.Text.Encoding.UTF8.GetString(log).TrimEnd('\0').Trim().Split('\n')
                .Where(l => l.Length > 0).TakeLast(4));
            throw new SyscallException("bpf(BPF_PROG_LOAD)", verifier.Length > 0 ? $"device program ({verifier})" : "device program", err);
        }
    }

    public static void AttachToCgroup(int cgroupFd, int progFd, string display)
    {
        var attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = (uint)progFd;
        *(uint*)(attr + 8) = BPF_CGROUP_DEVICE;
        *(uint*)(attr + 12) = BPF_F_ALLOW_MULTI;
        if (Libc.syscall(SysBpf, BPF_PROG_ATTACH, (long)attr, 128, 0, 0, 0) < 0)
            throw SyscallException.Last("bpf(BPF_PROG_ATTACH)", display);
    }

    // ---- instruction encoding (linux/bpf.h) ----
    public static ulong Insn(byte op, int dst, int src, short off, int imm) =>
        op | ((ulong)(byte)((src << 4) | dst) << 8) | ((ulong)(ushort)off << 16) | ((ulong)(uint)imm << 32);

    public static ulong LoadWord(int dst, int src, short off) => Insn(0x61, dst, src, off, 0);   // LDX MEM W
    public static ulong And32(int dst, int imm) => Insn(0x54, dst, 0, 0, imm);                   // ALU AND K
    public static ulong Rsh32(int dst, int imm) => Insn(0x74, dst, 0, 0, imm);                   // ALU RSH K
    public static ulong Mov32Reg(int dst, int src) => Insn(0xbc, dst, src, 0, 0);                // ALU MOV X
    public static ulong Mov64Imm(int dst, int imm) => Insn(0xb7, dst, 0, 0, imm);                // ALU64 MOV K
    public static ulong JumpIfNotEqual(int dst, int imm, short off) => Insn(0x55, dst, 0, off, imm); // JMP JNE K
    public static ulong Exit() => Insn(0x95, 0, 0, 0, 0);
}
