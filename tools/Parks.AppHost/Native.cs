using System.Runtime.InteropServices;

namespace Parks.AppHost;

internal static partial class Native
{
    private const int SigTerm = 15;

    /// <summary>Asks a process to stop (SIGTERM: the host drains and exits); false when it could not be signalled.</summary>
    public static bool Terminate(int processId) => !OperatingSystem.IsWindows() && Kill(processId, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
