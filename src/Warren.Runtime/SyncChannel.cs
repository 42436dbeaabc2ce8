using System.Buffers.Binary;
using System.Text;
using Warren.Linux;
using Warren.Linux.Spawn;

namespace Warren.Runtime;

/// <summary>
/// The parent's and the init stage's ends of the sync socket (a SOCK_STREAM socketpair). Frames are
/// <see cref="SyncMessage"/> headers; payloads are UTF-8 JSON.
/// </summary>
public sealed class SyncChannel : IDisposable
{
    public int Fd { get; private set; }

    public SyncChannel(int fd) => Fd = fd;

    public void SendGo() => Sys.WriteAll(Fd, "g"u8, "sync socket");

    public void SendPayload(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var buf = new byte[SyncMessage.Size + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(buf, SyncMessage.Payload);
        BinaryPrimitives.WriteInt32LittleEndian(buf.AsSpan(4), body.Length);
        body.CopyTo(buf, SyncMessage.Size);
        Sys.WriteAll(Fd, buf, "sync socket");
    }

    /// <summary>Reads one frame; returns null at EOF (the other side exited).</summary>
    public (int Kind, int A, int B, string? Payload)? Receive()
    {
        var head = new byte[SyncMessage.Size];
        if (!ReadExactly(head)) return null;
        int kind = BinaryPrimitives.ReadInt32LittleEndian(head);
        int a = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(4));
        int b = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(8));
        if (kind != SyncMessage.Payload) return (kind, a, b, null);
        var body = new byte[a];
        if (!ReadExactly(body)) return null;
        return (kind, a, b, Encoding.UTF8.GetString(body));
    }

    /// <summary>The init stage's side: waits for the parent's next JSON payload.</summary>
    public string ReceivePayload()
    {
        var m = Receive() ?? throw new IOException("sync socket closed by the parent");
        if (m.Kind != SyncMessage.Payload) throw new IOException($"sync socket: unexpected frame {m.Kind}");
        return m.Payload!;
    }

    private bool ReadExactly(Span<byte> buf)
    {
        int off = 0;
        while (off < buf.Length)
        {
            int n = Sys.TryRead(Fd, buf[off..]);
            if (n == -Errno.EINTR) continue;
            if (n < 0) throw new SyscallException("read", "sync socket", -n);
            if (n == 0) return false;
            off += n;
        }
        return true;
    }

    public void Dispose()
    {
        Sys.Close(Fd);
        Fd = -1;
    }
}
