using Tmds.DBus.Protocol;

namespace Warren.Cgroups.Systemd;

/// <summary>
/// The few calls of systemd's manager (org.freedesktop.systemd1) the systemd cgroup driver needs, with
/// Tmds.DBus.Protocol (NativeAOT-safe): the system manager over the system bus for root, the user's own
/// manager (systemd --user) over the session bus otherwise. Synchronous: the CLI makes a call or two and exits.
/// </summary>
public static class SystemdManager
{
    private const string Service = "org.freedesktop.systemd1", ObjectPath = "/org/freedesktop/systemd1",
        Interface = "org.freedesktop.systemd1.Manager";

    /// <summary>
    /// Starts the transient scope with <paramref name="pid"/> in it and delegation on, and waits until the
    /// process sits in the scope's cgroup. <paramref name="limits"/> are unit properties (MemoryMax, TasksMax…)
    /// so that systemd re-applying the unit (daemon-reload) keeps them.
    /// </summary>
    /// <returns>The scope's cgroup below the cgroup2 root, as the process shows it (a user manager's scopes sit below its own cgroup).</returns>
    /// <param name="created">Called once systemd has taken the unit (its job queued): from then on it is the
    /// caller's to stop. A refusal, such as a unit of that name existing already, never calls it.</param>
    public static string StartScope(SystemdScope scope, int pid, string description, IEnumerable<KeyValuePair<string, ulong>> limits,
        Action created)
    {
        Call("StartTransientUnit", scope.Unit, "ssa(sv)a(sa(sv))", (ref MessageWriter w) =>
        {
            w.WriteString("replace");
            var props = w.WriteArrayStart(DBusType.Struct);
            Property(ref w, "Description").WriteVariantString(description);
            if (scope.Slice.Length > 0) Property(ref w, "Slice").WriteVariantString(scope.Slice);
            Property(ref w, "Delegate").WriteVariantBool(true);
            Property(ref w, "DefaultDependencies").WriteVariantBool(false);
            foreach (var accounting in new[] { "MemoryAccounting", "CPUAccounting", "IOAccounting", "TasksAccounting" })
                Property(ref w, accounting).WriteVariantBool(true);
            foreach (var (name, value) in limits) Property(ref w, name).WriteVariantUInt64(value);
            Property(ref w, "PIDs").WriteSignature("au");
            w.WriteArray(new[] { (uint)pid });
            w.WriteArrayEnd(props);
            var aux = w.WriteArrayStart(DBusType.Struct);
            w.WriteArrayEnd(aux);
        });
        created();
        return WaitUntilInScope(scope, pid);
    }

    /// <summary>`update`: the unit's properties follow the new limits, so a daemon-reload does not bring back the old ones.</summary>
    public static void SetLimits(string unit, IEnumerable<KeyValuePair<string, ulong>> limits)
    {
        var list = limits.ToList();
        if (list.Count == 0) return;
        Call("SetUnitProperties", unit, "sba(sv)", (ref MessageWriter w) =>
        {
            w.WriteBool(true); // runtime only, like the transient unit itself
            var props = w.WriteArrayStart(DBusType.Struct);
            foreach (var (name, value) in list) Property(ref w, name).WriteVariantUInt64(value);
            w.WriteArrayEnd(props);
        });
    }

    /// <summary>Stops the container's scope (its processes are gone by then); a unit systemd already collected is fine.</summary>
    public static void StopUnit(string unit)
    {
        try
        {
            Call("StopUnit", unit, "ss", (ref MessageWriter w) => w.WriteString("replace"));
        }
        catch (SystemdException e) when (e.ErrorName == "org.freedesktop.systemd1.NoSuchUnit") { }
    }

    private static ref MessageWriter Property(ref MessageWriter w, string name)
    {
        w.WriteStructureStart();
        w.WriteString(name);
        return ref w;
    }

    /// <summary>Writes a method's arguments after the unit name, which all of them take first.</summary>
    private delegate void Arguments(ref MessageWriter w);

    /// <summary>Calls a method of systemd's manager about <paramref name="unit"/>, synchronously.</summary>
    private static void Call(string method, string unit, string signature, Arguments arguments)
    {
        string what = method + " " + unit;
        string address = UserManager
            ? DBusAddress.Session ?? $"unix:path={Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") ?? $"/run/user/{Linux.Sys.Geteuid()}"}/bus"
            : DBusAddress.System ?? "unix:path=/run/dbus/system_bus_socket";
        using var connection = new DBusConnection(address);
        try
        {
            connection.ConnectAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not SystemdException)
        {
            throw new SystemdException(null, $"systemd cgroup driver: cannot reach the {(UserManager ? "session" : "system")} bus ({address}): {e.Message}");
        }
        try
        {
            connection.CallMethodAsync(Message(connection, method, unit, signature, arguments)).GetAwaiter().GetResult();
        }
        catch (DBusErrorReplyException e)
        {
            throw new SystemdException(e.ErrorName, $"systemd: {what}: {e.ErrorMessage}");
        }
    }

    private static MessageBuffer Message(DBusConnection connection, string method, string unit, string signature, Arguments arguments)
    {
        var w = connection.GetMessageWriter();
        try
        {
            w.WriteMethodCallHeader(destination: Service, path: ObjectPath, @interface: Interface, member: method, signature: signature);
            w.WriteString(unit);
            arguments(ref w);
            return w.CreateMessage();
        }
        finally { w.Dispose(); }
    }

    /// <summary>Root talks to the system manager; anyone else to their own.</summary>
    private static bool UserManager => Linux.Sys.Geteuid() != 0;

    /// <summary>The job that moves the process runs after the reply: wait for /proc/PID/cgroup to show the scope.</summary>
    private static string WaitUntilInScope(SystemdScope scope, int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            string[] lines;
            try { lines = File.ReadAllLines($"/proc/{pid}/cgroup"); }
            catch (IOException) { throw new SystemdException(null, $"systemd: process {pid} exited before joining {scope.Unit}"); }
            // cgroup2 ("0::path") where systemd tracks units on it, else its own v1 hierarchy (name=systemd).
            if (lines.Select(l => l.Split(':', 3)).FirstOrDefault(p => p.Length == 3 && p[1] is "" or "name=systemd"
                    && p[2].EndsWith(scope.CgroupPath, StringComparison.Ordinal)) is { } found)
                return found[2];
            if (DateTime.UtcNow > deadline)
                throw new SystemdException(null, $"systemd: process {pid} did not reach {scope.Unit} within 10 s");
            Thread.Sleep(1);
        }
    }
}

/// <summary>A refusal from systemd (ErrorName is the D-Bus error, when there is one), or an unreachable bus.</summary>
public sealed class SystemdException(string? errorName, string message) : Exception(message)
{
    public string? ErrorName { get; } = errorName;
}
