namespace Parks.Tools.Tests.Support;

internal static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration of this test run (the output folder's parent: Debug or Release).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string ParksctlDll => Built("tools/Parks.Cli", "parksctl.dll");

    public static string AppHostDll => Built("tools/Parks.AppHost", "Parks.AppHost.dll");

    private static string Built(string project, string file) => Path.Combine(Root, project, "bin", Configuration, "net10.0", file);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Parks.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Parks.sln not found above " + AppContext.BaseDirectory);
    }
}
