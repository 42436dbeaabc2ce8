using System.Text.Json;
using System.Text.RegularExpressions;
using Warren.Linux;

namespace Warren.Runtime;

/// <summary>
/// The --root directory (DESIGN 4): one directory per container holding state.json, the exec fifo and a
/// lock file. Writes go to a temporary file that is renamed over the old one, under flock.
/// </summary>
public sealed partial class ContainerStore
{
    public string Root { get; }

    public ContainerStore(string root) => Root = Path.GetFullPath(root);

    [GeneratedRegex(@"^[\w+\-\.]+$")]
    private static partial Regex IdPattern();

    public static void ValidateId(string id)
    {
        if (string.IsNullOrEmpty(id) || id is "." or ".." || !IdPattern().IsMatch(id))
            throw new RuntimeException($"invalid container id \"{id}\": use letters, digits, _ + - and .");
    }

    public string Dir(string id) => Path.Combine(Root, id);
    public string FifoPath(string id) => Path.Combine(Dir(id), "exec.fifo");
    private string StatePath(string id) => Path.Combine(Dir(id), "state.json");

    /// <summary>Creates the container's directory; fails if the id is taken.</summary>
    public string Reserve(string id)
    {
        ValidateId(id);
        Directory.CreateDirectory(Root);
        int err = Sys.MkdirAt(AT.FDCWD, Dir(id), 0x1c0);
        if (err == Errno.EEXIST) throw new RuntimeException($"container \"{id}\" already exists");
        if (err != 0) throw new SyscallException("mkdir", Dir(id), err);
        return Dir(id);
    }

    public bool Exists(string id) => File.Exists(StatePath(id));

    public ContainerRecord Load(string id)
    {
        ValidateId(id);
        string path = StatePath(id);
        string json;
        try { json = File.ReadAllText(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RuntimeException($"container \"{id}\" does not exist");
        }
        try
        {
            return JsonSerializer.Deserialize(json, RuntimeJsonContext.Default.ContainerRecord)
                   ?? throw new RuntimeException($"container \"{id}\": {path} is empty");
        }
        catch (JsonException e)
        {
            throw new RuntimeException($"container \"{id}\": {path} is corrupt: {e.Message}");
        }
    }

    public void Save(ContainerRecord rec)
    {
        string path = StatePath(rec.Id);
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(rec, RuntimeJsonContext.Default.ContainerRecord));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Takes the container's exclusive lock; dispose to release.</summary>
    public Lock LockContainer(string id)
    {
        ValidateId(id);
        string lockPath = Path.Combine(Dir(id), "lock");
        int fd = Sys.TryOpen(lockPath, O.RDWR | O.CREAT, 0x180);
        if (fd == -Errno.ENOENT) throw new RuntimeException($"container \"{id}\" does not exist");
        if (fd < 0) throw new SyscallException("open", lockPath, -fd);
        int err;
        while ((err = Sys.Flock(fd, 2 /* LOCK_EX */)) == Errno.EINTR) { }
        if (err != 0) { Sys.Close(fd); throw new SyscallException("flock", lockPath, err); }
        return new Lock(fd);
    }

    public sealed class Lock(int fd) : IDisposable
    {
        public void Dispose() => Sys.Close(fd);
    }

    public void Remove(string id)
    {
        string dir = Dir(id);
        try { Directory.Delete(dir, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    public IEnumerable<string> Ids() =>
        Directory.Exists(Root)
            ? Directory.EnumerateDirectories(Root).Select(d => Path.GetFileName(d)).Where(n => File.Exists(StatePath(n)))
            : Enumerable.Empty<string>();
}
