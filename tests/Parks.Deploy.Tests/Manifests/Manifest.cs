using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Parks.Deploy.Tests.Infrastructure;

namespace Parks.Deploy.Tests.Manifests;

/// <summary>
/// The objects of one rendered overlay (<c>kubectl kustomize k8s/overlays/&lt;name&gt;</c>), as JSON trees.
/// This is the one entry point for tests that read the deployment: policies, schema checks and the
/// cross-check with what the services read (<see cref="Workloads.EnvironmentOf"/>).
/// </summary>
internal sealed class Manifest
{
    private static readonly ConcurrentDictionary<string, Lazy<(string Yaml, Manifest Manifest)>> Rendered = new();

    public Manifest(string source, IEnumerable<JsonObject> objects)
    {
        Source = source;
        Objects = objects.ToArray();
    }

    /// <summary>Where the objects came from, for messages (an overlay name, or a test's description).</summary>
    public string Source { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    /// <summary>Renders an overlay once per test run; every caller gets its own copy to change freely.</summary>
    public static Manifest Render(string overlay) => Rendered.GetOrAdd(overlay, name => new(() =>
    {
        var yaml = RenderYaml(name);
        return (yaml, new Manifest(name, YamlJson.ParseDocuments(yaml)));
    })).Value.Manifest.Clone();

    /// <summary>The overlay's rendered YAML, exactly as kubectl printed it.</summary>
    public static string RenderedYaml(string overlay)
    {
        Render(overlay);
        return Rendered[overlay].Value.Yaml;
    }

    private static string RenderYaml(string overlay)
    {
        var directory = Path.Combine(Repo.K8s, "overlays", overlay);
        if (!File.Exists(Path.Combine(directory, "kustomization.yaml")))
        {
            throw new ArgumentException($"No overlay '{overlay}' under k8s/overlays.", nameof(overlay));
        }

        return Tool.Run("kubectl", ["kustomize", directory]).EnsureSuccess().StandardOutput;
    }

    public Manifest Clone() => new(Source, Objects.Select(o => (JsonObject)o.DeepClone()));

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => o.Str("kind") == kind);

    public JsonObject? Find(string kind, string name) =>
        OfKind(kind).FirstOrDefault(o => o.Str("metadata", "name") == name);

    public JsonObject Get(string kind, string name) =>
        Find(kind, name) ?? throw new InvalidOperationException($"{Source} has no {kind}/{name}.");

    /// <summary>Deployments and StatefulSets.</summary>
    public IEnumerable<JsonObject> Workloads => Objects.Where(o => o.Str("kind") is "Deployment" or "StatefulSet");

    /// <summary>The Parks services and the gateway: every Deployment runs a Parks image (Redis is a StatefulSet).</summary>
    public IEnumerable<JsonObject> AppDeployments => OfKind("Deployment");
}
