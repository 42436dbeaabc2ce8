using System.Text;
using System.Text.Json;
using Warren.Linux;
using Warren.Oci;

namespace Warren.Runtime.Security;

/// <summary>
/// linux.seccomp.listenerPath: the runtime connects to the listener, and once the filter is loaded sends it
/// the notification fd with the container process state (runtime-spec: containerProcessState).
/// </summary>
public static class SeccompListener
{
    /// <summary>In the parent: the connected socket (close-on-exec; the stage inherits it), or -1 without a listener.</summary>
    public static int Connect(Warren.Oci.Seccomp? s)
    {
        if (string.IsNullOrEmpty(s?.ListenerPath)) return -1;
        try { return Pty.ConnectUnix(s.ListenerPath); }
        catch (SyscallException e) { throw new RuntimeException($"linux.seccomp.listenerPath: {e.Message}", e); }
    }

    /// <summary>What the stage needs for containerProcessState but its pid: the state on one line, then the metadata.</summary>
    public static string StateTemplate(Warren.Oci.Seccomp s, string id, string bundle, Dictionary<string, string>? annotations) =>
        OciJson.SerializeCompact(new State
        {
            OciVersion = DefaultSpec.OciVersion, Id = id, Status = ContainerStatus.Creating, Bundle = bundle, Annotations = annotations,
        }) + "\n" + (s.ListenerMetadata ?? "");

    /// <summary>In the stage, right after loading the filter: sends the notify fd and the state, closes both.</summary>
    public static void Send(int listenerFd, int notifyFd, string template, int hostPid)
    {
        int nl = template.IndexOf('\n');
        var state = OciJson.ParseState(template[..nl]);
        state.Pid = hostPid;
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("ociVersion", DefaultSpec.OciVersion);
            w.WriteStartArray("fds");
            w.WriteStringValue("seccompFd");
            w.WriteEndArray();
            w.WriteNumber("pid", hostPid);
            w.WriteString("metadata", template[(nl + 1)..]);
            w.WritePropertyName("state");
            JsonSerializer.Serialize(w, state, OciJsonContext.Default.State);
            w.WriteEndObject();
        }
        try { Pty.SendFdWithPayload(listenerFd, notifyFd, ms.ToArray()); }
        finally
        {
            Sys.Close(notifyFd);
            Sys.Close(listenerFd);
        }
    }

    /// <summary>This process's pid in the host's PID namespace, from the host's /proc (read before pivot_root).</summary>
    public static int HostPid()
    {
        foreach (var line in File.ReadAllLines("/proc/self/status"))
            if (line.StartsWith("NSpid:")) return int.Parse(line[6..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0]);
        return Environment.ProcessId;
    }
}
