using System.Text.RegularExpressions;
using Parks.Deploy.Tests.Manifests;

namespace Parks.Deploy.Tests.Policies;

/// <summary>
/// The settings the manifests give the services agree with what the services read. Today "what they read" is
/// the configuration table of docs/architecture.md; when the services' options classes exist, compare
/// <see cref="Workloads.EnvironmentOf"/> with them the same way.
/// </summary>
internal static partial class ConfigurationPolicies
{
    /// <summary>Every Parks__ key the manifests set is a documented configuration key.</summary>
    public static IReadOnlyList<string> KeysAreDocumented(Manifest manifest, string architectureMarkdown, IEnumerable<string>? extraKeys = null)
    {
        var documented = DocumentedKeys(architectureMarkdown);
        var keys = manifest.AppDeployments.SelectMany(d => manifest.EnvironmentOf(d).Keys.Select(k => (Key: k, Where: d.Id())))
            .Concat((extraKeys ?? []).Select(k => (Key: k, Where: "k8s/secrets.example.sh")))
            .Where(k => k.Key.StartsWith("Parks__", StringComparison.Ordinal));
        return keys.Where(k => !documented.Any(pattern => pattern.IsMatch(k.Key.Replace("__", ":", StringComparison.Ordinal))))
            .Select(k => $"{k.Where}: {k.Key} is not a configuration key in docs/architecture.md")
            .Distinct().ToArray();
    }

    /// <summary>Each process is told which service it is, and its name says the same.</summary>
    public static IReadOnlyList<string> ServiceNames(Manifest manifest)
    {
        var violations = new List<string>();
        foreach (var deployment in manifest.AppDeployments)
        {
            var environment = manifest.EnvironmentOf(deployment);
            var service = environment.Setting("Parks__Service__Name");
            var expected = service == "district" ? $"parks-district-{environment.Setting("Parks__District__Id")}" : $"parks-{service}";
            if (deployment.Str("metadata", "name") != expected)
            {
                violations.Add($"{deployment.Id()}: Parks__Service__Name '{service}' belongs to a Deployment named {expected}");
            }
        }

        return violations;
    }

    /// <summary>
    /// The gateway knows every backend by its routing name, at the gRPC port of the Service in front of the
    /// backend's Deployment, and nothing else.
    /// </summary>
    public static IReadOnlyList<string> GatewayBackends(Manifest manifest)
    {
        var gateway = manifest.AppDeployments.FirstOrDefault(d => manifest.EnvironmentOf(d).Setting("Parks__Service__Name") == "gateway");
        if (gateway is null)
        {
            return ["no Deployment runs the gateway"];
        }

        var violations = new List<string>();
        var configured = manifest.EnvironmentOf(gateway)
            .Where(e => e.Key.StartsWith("Parks__Services__", StringComparison.Ordinal))
            .ToDictionary(e => e.Key["Parks__Services__".Length..], e => e.Value.Value ?? "");
        foreach (var (name, deploymentName) in Conventions.Backends)
        {
            if (!configured.TryGetValue(name, out var address))
            {
                violations.Add($"{gateway.Id()}: no address for backend '{name}' (Parks__Services__{name})");
                continue;
            }

            var match = BackendAddress().Match(address);
            var service = match.Success ? manifest.Find("Service", match.Groups[1].Value) : null;
            var deployment = manifest.Find("Deployment", deploymentName);
            if (service is null || deployment is null)
            {
                violations.Add($"{gateway.Id()}: backend '{name}' at '{address}' is not http://<Service>:<port> of a Service here");
                continue;
            }

            if (!Workloads.MatchesLabels(service.Map("spec", "selector"), deployment.TemplateLabels()))
            {
                violations.Add($"{gateway.Id()}: backend '{name}' goes to {service.Id()}, which does not select {deployment.Id()}");
            }

            var port = long.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            var grpcPort = manifest.EnvironmentOf(deployment).IntSetting("Parks__Endpoints__GrpcPort");
            if (port != grpcPort || !service.Items("spec", "ports").Any(p => p.Long("port") == port))
            {
                violations.Add($"{gateway.Id()}: backend '{name}' at port {port}; {deployment.Id()} serves gRPC on {grpcPort}");
            }
        }

        foreach (var extra in configured.Keys.Except(Conventions.Backends.Keys))
        {
            violations.Add($"{gateway.Id()}: unknown backend '{extra}'");
        }

        return violations;
    }

    /// <summary>
    /// The configuration keys in backticks in docs/architecture.md (<c>Parks:State:Redis</c>), as patterns:
    /// a placeholder such as <c>&lt;name&gt;</c> stands for one key segment.
    /// </summary>
    public static IReadOnlyList<Regex> DocumentedKeys(string markdown) =>
        DocumentedKey().Matches(markdown).Select(m => m.Groups[1].Value).Distinct()
            .Select(key => new Regex("^" + string.Join(":", key.Split(':').Select(segment =>
                segment.StartsWith('<') ? "[^:]+" : Regex.Escape(segment))) + "$", RegexOptions.IgnoreCase))
            .ToArray();

    [GeneratedRegex(@"`(Parks(?::[A-Za-z0-9<>\-]+)+)")]
    private static partial Regex DocumentedKey();

    [GeneratedRegex(@"^http://([a-z0-9-]+):([0-9]+)$")]
    private static partial Regex BackendAddress();
}
