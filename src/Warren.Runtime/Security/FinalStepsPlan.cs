using Warren.Oci;
using OciProcess = Warren.Oci.Process;

namespace Warren.Runtime.Security;

/// <summary>The parent's side of <see cref="FinalSteps"/>, the same for create and exec.</summary>
internal static class FinalStepsPlan
{
    /// <summary>Before anything exists: the seccomp filter compiled, the LSM labels checked against the host.</summary>
    public static FinalSteps Make(Spec spec, OciProcess p, int preserveFds, bool withMounts)
    {
        var (filter, flags) = spec.Linux?.Seccomp is { } sc ? SeccompCompiler.Compile(sc) : ((byte[]?)null, 0u);
        return new FinalSteps { PreserveFds = preserveFds, Seccomp = filter, SeccompFlags = flags, Lsm = Lsm.Resolve(spec, p, withMounts) };
    }

    /// <summary>Connects linux.seccomp.listenerPath, if any; returns the socket for the stage to inherit, or -1.</summary>
    public static int ConnectListener(FinalSteps f, Spec spec, string id, string bundle)
    {
        int fd = SeccompListener.Connect(spec.Linux?.Seccomp);
        f.SeccompListenerFd = fd;
        f.SeccompListenerState = fd >= 0 ? SeccompListener.StateTemplate(spec.Linux!.Seccomp!, id, bundle, spec.Annotations) : null;
        return fd;
    }
}
