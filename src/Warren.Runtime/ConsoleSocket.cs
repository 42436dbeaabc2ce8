using Warren.Linux;

namespace Warren.Runtime;

/// <summary>runc's console-socket protocol: the pty master sent over a unix socket with SCM_RIGHTS.</summary>
public static class ConsoleSocket
{
    /// <summary>Sends <paramref name="master"/> to the socket at <paramref name="path"/> and closes it here.</summary>
    public static void Send(string path, int master)
    {
        int sock = -1;
        try
        {
            sock = Pty.ConnectUnix(path);
            Pty.SendFd(sock, master, "/dev/ptmx");
        }
        finally
        {
            Sys.Close(sock);
            Sys.Close(master);
        }
    }
}
