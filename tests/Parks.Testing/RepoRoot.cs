namespace Parks.Testing;

/// <summary>The repository a test or tool runs from, and the build output of its other projects.</summary>
public static class RepoRoot
{
    /// <summary>The repository root: the folder above the running assembly that holds Parks.sln.</summary>
    public static string Path { get; } = Find();

    /// <summary>
    /// The assembly another project of the repository built in the configuration and target framework of the running
    /// assembly (…/bin/{configuration}/{tfm}/), e.g. <c>BuildOutput("services/District/Parks.District", "Parks.District.dll")</c>.
    /// </summary>
    public static string BuildOutput(string projectDirectory, string file)
    {
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        return System.IO.Path.Combine(Path, projectDirectory, "bin", tfmDir.Parent!.Name, tfmDir.Name, file);
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Parks.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Parks.sln not found above " + AppContext.BaseDirectory);
    }
}
