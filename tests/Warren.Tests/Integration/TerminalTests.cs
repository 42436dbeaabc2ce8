using System.Net.Sockets;
using System.Text;
using Warren.Linux;
using Warren.Oci;
using Xunit;

namespace Warren.Tests.Integration;

/// <summary>process.terminal: a pty made inside the container, its master passed over --console-socket.</summary>
public class TerminalTests
{
    private static string ReadAll(int master)
    {
        var sb = new StringBuilder();
        var buf = new byte[4096];
        while (true)
        {
            int n = Sys.TryRead(master, buf);
            if (n == -Errno.EINTR) continue;
            if (n <= 0) break; // EIO once the container's side is closed
            sb.Append(Encoding.UTF8.GetString(buf, 0, n));
        }
        return sb.ToString();
    }

    [Fact]
    public void ConsoleSocketReceivesThePtyMaster()
    {
        using var sb = new Sandbox();
        string sockPath = Path.Combine(sb.Dir, "console.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(sockPath));
        listener.Listen(1);
        int master = -1;
        var acceptor = new Thread(() =>
        {
            using var conn = listener.Accept();
            master = Pty.ReceiveFd((int)conn.Handle);
        });
        acceptor.Start();

        var spec = Sandbox.DefaultSpec("sh", "-c", "tty; stty size; readlink /proc/self/fd/0; ls -l /dev/console | cut -c1");
        spec.Process!.Terminal = true;
        spec.Process.ConsoleSize = new ConsoleSize { Height = 30, Width = 100 };
        string id = sb.NewId();
        var c = sb.Warren("create", "--console-socket", sockPath, "--bundle", sb.Bundle(spec), id);
        Assert.True(c.Code == 0, c.ToString());
        Assert.True(acceptor.Join(10_000));
        Assert.True(master >= 0);
        try
        {
            Assert.Equal(0, sb.Warren("start", id).Code);
            var lines = ProcessTests.Lines(ReadAll(master));
            Assert.Equal("/dev/pts/0", lines[0]);       // the container's own devpts instance
            Assert.Equal("30 100", lines[1]);
            Assert.Equal("/dev/pts/0", lines[2]);
            Assert.Equal("c", lines[3]);                // /dev/console is the pty (a character device)
        }
        finally { Sys.Close(master); }
    }

    [Fact]
    public void ForegroundRunProxiesTheTerminal()
    {
        using var sb = new Sandbox();
        var spec = Sandbox.DefaultSpec("sh", "-c", "tty; exit 3");
        spec.Process!.Terminal = true;
        var r = sb.Run(spec);
        Assert.Equal(3, r.Code);
        Assert.Contains("/dev/pts/0", r.Stdout);
    }
}
