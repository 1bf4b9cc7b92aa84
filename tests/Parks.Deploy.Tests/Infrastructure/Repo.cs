namespace Parks.Deploy.Tests.Infrastructure;

/// <summary>Paths inside the repository the tests run from.</summary>
internal static class Repo
{
    public static string Root => Parks.Testing.RepoRoot.Path;

    public static string K8s => Path.Combine(Root, "k8s");

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The overlays under k8s/overlays, each a directory with a kustomization.yaml.</summary>
    public static IReadOnlyList<string> Overlays() =>
        Directory.GetDirectories(System.IO.Path.Combine(K8s, "overlays"))
            .Where(dir => File.Exists(System.IO.Path.Combine(dir, "kustomization.yaml")))
            .Select(dir => System.IO.Path.GetFileName(dir)!)
            .Order(StringComparer.Ordinal)
            .ToArray();
}
