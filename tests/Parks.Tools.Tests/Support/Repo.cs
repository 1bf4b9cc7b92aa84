namespace Parks.Tools.Tests.Support;

internal static class Repo
{
    public static string Root => Parks.Testing.RepoRoot.Path;

    /// <summary>The build configuration of this test run (the output folder's parent: Debug or Release).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string ParksctlDll => Built("tools/Parks.Cli", "parksctl.dll");

    public static string AppHostDll => Built("tools/Parks.AppHost", "Parks.AppHost.dll");

    private static string Built(string project, string file) => Parks.Testing.RepoRoot.BuildOutput(project, file);
}
