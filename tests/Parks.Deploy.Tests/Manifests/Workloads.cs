using System.Text.Json.Nodes;

namespace Parks.Deploy.Tests.Manifests;

/// <summary>One environment variable of a container as Kubernetes would set it.</summary>
/// <param name="Value">The literal value (from <c>env[].value</c> or a ConfigMap); null when it comes from a Secret
/// or a field reference.</param>
/// <param name="Source">Where it comes from: <c>env</c>, <c>configMap/&lt;name&gt;</c>, <c>secret/&lt;name&gt;</c>, ….</param>
internal sealed record EnvVar(string Name, string? Value, string Source);

/// <summary>Reading pod templates, containers and their configuration out of rendered workloads.</summary>
internal static class Workloads
{
    /// <summary>The name of the Parks process container in every app pod (k8s/base/apps/app-defaults.yaml).</summary>
    public const string AppContainer = "server";

    public static JsonObject? PodTemplate(this JsonObject workload) => workload.Obj("spec", "template");

    public static JsonObject? PodSpec(this JsonObject workload) => workload.Obj("spec", "template", "spec");

    public static IEnumerable<JsonObject> Containers(this JsonObject workload) =>
        workload.PodSpec().Items("containers").OfType<JsonObject>()
            .Concat(workload.PodSpec().Items("initContainers").OfType<JsonObject>());

    public static JsonObject? Container(this JsonObject workload, string name) =>
        workload.Containers().FirstOrDefault(c => c.Str("name") == name);

    public static IReadOnlyDictionary<string, string> TemplateLabels(this JsonObject workload) =>
        workload.Map("spec", "template", "metadata", "labels");

    public static IReadOnlyDictionary<string, string> TemplateAnnotations(this JsonObject workload) =>
        workload.Map("spec", "template", "metadata", "annotations");

    /// <summary>
    /// The environment of a container as the kubelet builds it: <c>envFrom</c> sources in order (ConfigMaps
    /// resolved from <paramref name="manifest"/>), then <c>env</c>, later entries overriding earlier ones.
    /// <c>$(VAR)</c> references are left as written. This is what the services read as configuration.
    /// </summary>
    public static IReadOnlyDictionary<string, EnvVar> EnvironmentOf(this Manifest manifest, JsonObject workload,
        string container = AppContainer)
    {
        var spec = workload.Container(container)
            ?? throw new InvalidOperationException($"{workload.Id()} has no container '{container}'.");
        var result = new Dictionary<string, EnvVar>(StringComparer.Ordinal);
        foreach (var source in spec.Items("envFrom").OfType<JsonObject>())
        {
            var prefix = source.Str("prefix") ?? "";
            if (source.Str("configMapRef", "name") is { } configMapName)
            {
                var configMap = manifest.Find("ConfigMap", configMapName);
                foreach (var (key, value) in configMap.Map("data"))
                {
                    result[prefix + key] = new EnvVar(prefix + key, value, $"configMap/{configMapName}");
                }
            }
            else if (source.Str("secretRef", "name") is { } secretName)
            {
                // The keys of a Secret are not in the manifests; they are listed by k8s/secrets.example.sh.
                result[$"{prefix}*secret/{secretName}"] = new EnvVar($"{prefix}*", null, $"secret/{secretName}");
            }
        }

        foreach (var entry in spec.Items("env").OfType<JsonObject>())
        {
            var name = entry.Str("name") ?? "";
            var from = entry.Obj("valueFrom");
            var source = from switch
            {
                null => "env",
                _ when from.Str("secretKeyRef", "name") is { } secret => $"secret/{secret}/{from.Str("secretKeyRef", "key")}",
                _ when from.Str("configMapKeyRef", "name") is { } map => $"configMap/{map}/{from.Str("configMapKeyRef", "key")}",
                _ => "valueFrom",
            };
            var value = from is null ? entry.Str("value") ?? ""
                : from.Str("configMapKeyRef", "name") is { } mapName
                    ? manifest.Find("ConfigMap", mapName).Str("data", from.Str("configMapKeyRef", "key") ?? "")
                    : null;
            result[name] = new EnvVar(name, value, source);
        }

        return result;
    }

    /// <summary>The literal value of a setting in a container's environment, or null.</summary>
    public static string? Setting(this IReadOnlyDictionary<string, EnvVar> environment, string name) =>
        environment.TryGetValue(name, out var variable) ? variable.Value : null;

    /// <summary>True when every key/value of <paramref name="selector"/> is among <paramref name="labels"/>.</summary>
    public static bool MatchesLabels(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <summary>Seconds from a Go/Dapr duration such as "500ms", "15s", "1m30s"; null when unreadable.</summary>
    public static double? DurationSeconds(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var total = 0.0;
        var match = System.Text.RegularExpressions.Regex.Match(text, @"^(?:(\d+(?:\.\d+)?)(ms|s|m|h))+$");
        if (!match.Success)
        {
            return null;
        }

        for (var i = 0; i < match.Groups[1].Captures.Count; i++)
        {
            var amount = double.Parse(match.Groups[1].Captures[i].Value, System.Globalization.CultureInfo.InvariantCulture);
            total += match.Groups[2].Captures[i].Value switch
            {
                "ms" => amount / 1000,
                "s" => amount,
                "m" => amount * 60,
                _ => amount * 3600,
            };
        }

        return total;
    }
}
