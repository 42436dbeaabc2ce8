using System.Text.Json;
using Warren.Linux;
using Warren.Linux.Spawn;

namespace Warren.Runtime;

/// <summary>What a stage says on the sync socket, decoded; failures become errors naming the stage.</summary>
internal enum StageEventKind { Closed, NeedMaps, ChildPid, Pty, Reply }

internal readonly record struct StageEvent(StageEventKind Kind, int Value = 0, InitReply? Reply = null);

internal static class StageEvents
{
    /// <summary>
    /// The next event. A first-stage failure or an "error" reply throws (prefixed by <paramref name="who"/>);
    /// "pty" replies carry the master, received here (Value).
    /// </summary>
    public static StageEvent Next(SyncChannel chan, string who)
    {
        var frame = chan.Receive();
        if (frame is null) return new StageEvent(StageEventKind.Closed);
        var (kind, a, b, payload) = frame.Value;
        switch (kind)
        {
            case SyncMessage.NeedMaps: return new StageEvent(StageEventKind.NeedMaps);
            case SyncMessage.ChildPid: return new StageEvent(StageEventKind.ChildPid, a);
            case SyncMessage.Failed:
                throw new RuntimeException($"{who} failed: {SyncMessage.StageName(a)}: {Errno.Describe(b)} ({Errno.Name(b)})");
        }
        var reply = JsonSerializer.Deserialize(payload!, RuntimeJsonContext.Default.InitReply)!;
        return reply.Kind switch
        {
            "error" => throw new RuntimeException(reply.Error ?? $"{who} failed"),
            "pty" => new StageEvent(StageEventKind.Pty, Pty.ReceiveFd(chan.Fd, 1)),
            _ => new StageEvent(StageEventKind.Reply, 0, reply),
        };
    }
}
