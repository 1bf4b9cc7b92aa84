using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Parks.Deploy.Tests.Manifests;

namespace Parks.Deploy.Tests.Policies;

/// <summary>A Secret the manifests need: its name and the key read from it ("*" for a whole-Secret envFrom).</summary>
internal sealed record SecretReference(string Name, string Key, string UsedBy);

/// <summary>Secrets are referenced, never written into the manifests.</summary>
internal static partial class SecretPolicies
{
    public static IReadOnlyList<string> NoSecretObjects(Manifest manifest) =>
        manifest.OfKind("Secret").Select(s => $"{s.Id()}: a Secret in the manifests; create it out of band (k8s/secrets.example.sh)").ToArray();

    /// <summary>
    /// No credential-like setting holds a literal: not in env values, not in ConfigMaps, not in Dapr metadata.
    /// A connection string may carry a password only as a $(VAR) reference expanded by the kubelet.
    /// </summary>
    public static IReadOnlyList<string> NoPlaintextCredentials(Manifest manifest)
    {
        var violations = new List<string>();
        foreach (var workload in manifest.Workloads)
        {
            foreach (var container in workload.Containers())
            {
                foreach (var env in container.Items("env").OfType<JsonObject>())
                {
                    var name = env.Str("name") ?? "";
                    var value = env.Str("value");
                    if (value is null)
                    {
                        continue;
                    }

                    if (SensitiveName().IsMatch(name))
                    {
                        violations.Add($"{workload.Id()}: env {name} has a literal value; take it from a Secret (secretKeyRef)");
                    }

                    if (LiteralPassword().IsMatch(value))
                    {
                        violations.Add($"{workload.Id()}: env {name} contains a literal password");
                    }
                }
            }
        }

        foreach (var configMap in manifest.OfKind("ConfigMap"))
        {
            foreach (var (key, value) in configMap.Map("data"))
            {
                if (SensitiveName().IsMatch(key) || LiteralPassword().IsMatch(value) || RedisRequirePass().IsMatch(value))
                {
                    violations.Add($"{configMap.Id()}: '{key}' looks like a credential; ConfigMaps are not secret");
                }
            }
        }

        foreach (var component in manifest.OfKind("Component"))
        {
            foreach (var item in component.Items("spec", "metadata").OfType<JsonObject>())
            {
                if (SensitiveName().IsMatch(item.Str("name") ?? "") && item.ContainsKey("value"))
                {
                    violations.Add($"{component.Id()}: metadata {item.Str("name")} has a literal value; use secretKeyRef");
                }
            }
        }

        return violations;
    }

    /// <summary>
    /// Every $(VAR) in an env value or an argument names a variable defined before it; otherwise Kubernetes
    /// passes the text "$(VAR)" through unchanged (and a password would silently be that text).
    /// </summary>
    public static IReadOnlyList<string> EnvReferencesResolve(Manifest manifest)
    {
        var violations = new List<string>();
        foreach (var workload in manifest.Workloads)
        {
            foreach (var container in workload.Containers())
            {
                var defined = new HashSet<string>(StringComparer.Ordinal);
                foreach (var source in container.Items("envFrom").OfType<JsonObject>())
                {
                    var configMap = manifest.Find("ConfigMap", source.Str("configMapRef", "name") ?? "");
                    defined.UnionWith(configMap.Map("data").Keys.Select(k => (source.Str("prefix") ?? "") + k));
                }

                foreach (var env in container.Items("env").OfType<JsonObject>())
                {
                    foreach (var reference in References(env.Str("value")).Where(r => !defined.Contains(r)))
                    {
                        violations.Add($"{workload.Id()}: env {env.Str("name")} uses $({reference}) before it is defined");
                    }

                    defined.Add(env.Str("name") ?? "");
                }

                foreach (var argument in container.Items("command").Concat(container.Items("args")).Select(a => a?.GetValue<string>()))
                {
                    foreach (var reference in References(argument).Where(r => !defined.Contains(r)))
                    {
                        violations.Add($"{workload.Id()}: argument '{argument}' uses $({reference}), which is not defined");
                    }
                }
            }
        }

        return violations;
    }

    /// <summary>Every Secret the manifests read, with the key they read.</summary>
    public static IReadOnlyList<SecretReference> References(Manifest manifest)
    {
        var references = new List<SecretReference>();
        foreach (var workload in manifest.Workloads)
        {
            foreach (var container in workload.Containers())
            {
                references.AddRange(container.Items("env").OfType<JsonObject>()
                    .Where(e => e.Str("valueFrom", "secretKeyRef", "name") is not null)
                    .Select(e => new SecretReference(e.Str("valueFrom", "secretKeyRef", "name")!, e.Str("valueFrom", "secretKeyRef", "key") ?? "", $"{workload.Id()} env {e.Str("name")}")));
                references.AddRange(container.Items("envFrom").OfType<JsonObject>()
                    .Where(e => e.Str("secretRef", "name") is not null)
                    .Select(e => new SecretReference(e.Str("secretRef", "name")!, "*", $"{workload.Id()} envFrom")));
            }

            // Dapr reads the key "token" of the Secrets named by these annotations.
            foreach (var annotation in new[] { "dapr.io/api-token-secret", "dapr.io/app-token-secret" })
            {
                if (workload.TemplateAnnotations().GetValueOrDefault(annotation) is { } name)
                {
                    references.Add(new SecretReference(name, "token", $"{workload.Id()} {annotation}"));
                }
            }
        }

        foreach (var component in manifest.OfKind("Component"))
        {
            references.AddRange(component.Items("spec", "metadata").OfType<JsonObject>()
                .Where(m => m.Str("secretKeyRef", "name") is not null)
                .Select(m => new SecretReference(m.Str("secretKeyRef", "name")!, m.Str("secretKeyRef", "key") ?? "", $"{component.Id()} {m.Str("name")}")));
        }

        foreach (var ingress in manifest.OfKind("Ingress"))
        {
            references.AddRange(ingress.Items("spec", "tls").OfType<JsonObject>()
                .Select(t => new SecretReference(t.Str("secretName") ?? "", "tls.crt", $"{ingress.Id()} tls")));
        }

        return references;
    }

    private static IEnumerable<string> References(string? text) =>
        text is null ? [] : VariableReference().Matches(text).Select(m => m.Groups[1].Value);

    [GeneratedRegex(@"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_.\-]*)\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|APIKEYS?|CREDENTIAL|PRIVATE_?KEY)", RegexOptions.IgnoreCase)]
    private static partial Regex SensitiveName();

    /// <summary>"password=" followed by anything but a $(VAR) reference.</summary>
    [GeneratedRegex(@"password\s*=\s*(?!\$\()[^,;\s]+", RegexOptions.IgnoreCase)]
    private static partial Regex LiteralPassword();

    [GeneratedRegex(@"^\s*requirepass\s+\S", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex RedisRequirePass();
}
