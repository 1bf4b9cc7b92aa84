namespace Parks.Deploy.Tests.Infrastructure;

/// <summary>Paths inside the repository the tests run from.</summary>
internal static class Repo
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    public static string K8s => Path.Combine(Root, "k8s");

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The overlays under k8s/overlays, each a directory with a kustomization.yaml.</summary>
    public static IReadOnlyList<string> Overlays() =>
        Directory.GetDirectories(System.IO.Path.Combine(K8s, "overlays"))
            .Where(dir => File.Exists(System.IO.Path.Combine(dir, "kustomization.yaml")))
            .Select(dir => System.IO.Path.GetFileName(dir)!)
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Parks.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Parks.sln not found above {AppContext.BaseDirectory}.");
    }
}
