using System.Net;
using System.Net.Sockets;

namespace Parks.Observability.Tests.Support;

internal static class TestEnvironment
{
    /// <summary>The repository root (the folder holding Parks.sln).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The build configuration these tests were built with (Debug or Release), from the output path.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string TestAppDll => Path.Combine(RepoRoot, "tests", "Parks.Observability.TestApp", "bin", Configuration, "net10.0", "Parks.Observability.TestApp.dll");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Parks.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Parks.sln not found above " + AppContext.BaseDirectory);
    }
}
