using System.Text.Json.Nodes;
using Parks.Deploy.Tests.Manifests;

namespace Parks.Deploy.Tests.Policies;

/// <summary>
/// Dapr wiring: pod annotations, pub/sub Component scopes against the app-ids that use them, the Resiliency
/// policy (bounded inbound retries, no timeouts that could cut a stream, a retry budget inside the Redis
/// processing timeout), and one Redis for state and streams.
/// </summary>
internal static class DaprPolicies
{
    public static IReadOnlyList<string> Annotations(Manifest manifest)
    {
        var violations = new List<string>();
        var configurations = manifest.OfKind("Configuration").Select(c => c.Str("metadata", "name")).ToHashSet();
        foreach (var deployment in manifest.AppDeployments)
        {
            var id = deployment.Id();
            var annotations = deployment.TemplateAnnotations();
            var grpcPort = manifest.EnvironmentOf(deployment).Setting("Parks__Endpoints__GrpcPort");
            var expected = new Dictionary<string, string?>
            {
                ["dapr.io/enabled"] = "true",
                ["dapr.io/app-id"] = deployment.Str("metadata", "name"),
                ["dapr.io/app-port"] = grpcPort,
                // HTTP/2 cleartext: pub/sub delivery and /dapr/subscribe share the h2c gRPC port.
                ["dapr.io/app-protocol"] = "h2c",
                ["dapr.io/log-as-json"] = "true",
            };
            foreach (var (key, value) in expected)
            {
                if (annotations.GetValueOrDefault(key) != value)
                {
                    violations.Add($"{id}: annotation {key} is '{annotations.GetValueOrDefault(key)}', expected '{value}'");
                }
            }

            if (!configurations.Contains(annotations.GetValueOrDefault("dapr.io/config")))
            {
                violations.Add($"{id}: dapr.io/config '{annotations.GetValueOrDefault("dapr.io/config")}' names no Dapr Configuration");
            }

            foreach (var key in new[] { "dapr.io/api-token-secret", "dapr.io/app-token-secret" }.Where(k => string.IsNullOrEmpty(annotations.GetValueOrDefault(k))))
            {
                violations.Add($"{id}: {key} is not set, so the sidecar API (or the app's delivery routes) are unauthenticated");
            }
        }

        foreach (var duplicate in manifest.AppDeployments.GroupBy(d => d.DaprAppId()).Where(g => g.Count() > 1))
        {
            violations.Add($"Dapr app-id '{duplicate.Key}' is used by {duplicate.Count()} Deployments");
        }

        return violations;
    }

    /// <summary>
    /// Every app that publishes through Dapr names a pub/sub Component whose scopes list it, and every scope
    /// entry is such an app: scopes are exactly the users.
    /// </summary>
    public static IReadOnlyList<string> PubSubScopes(Manifest manifest)
    {
        var violations = new List<string>();
        var components = manifest.OfKind("Component").ToArray();
        var users = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var component in components.Where(c => !c.Items("scopes").Any()))
        {
            violations.Add($"{component.Id()}: has no scopes, so every app-id in the namespace would load it");
        }

        foreach (var deployment in manifest.AppDeployments)
        {
            var environment = manifest.EnvironmentOf(deployment);
            if (environment.Setting("Parks__Events__Provider") != "Dapr")
            {
                continue;
            }

            var appId = deployment.DaprAppId();
            var pubsub = environment.Setting("Parks__Events__Dapr__PubSubName");
            var component = components.FirstOrDefault(c => c.Str("metadata", "name") == pubsub);
            if (appId is null)
            {
                violations.Add($"{deployment.Id()}: publishes through Dapr but has no Dapr sidecar");
            }
            else if (component is null || component.Str("spec", "type")?.StartsWith("pubsub.", StringComparison.Ordinal) != true)
            {
                violations.Add($"{deployment.Id()}: Parks__Events__Dapr__PubSubName '{pubsub}' names no pub/sub Component");
            }
            else
            {
                users.TryAdd(pubsub!, []);
                users[pubsub!].Add(appId);
            }
        }

        foreach (var component in components.Where(c => c.Str("spec", "type")?.StartsWith("pubsub.", StringComparison.Ordinal) == true))
        {
            var scopes = component.Items("scopes").Select(s => s?.GetValue<string>() ?? "").ToHashSet();
            var expected = users.GetValueOrDefault(component.Str("metadata", "name") ?? "") ?? [];
            foreach (var missing in expected.Except(scopes))
            {
                violations.Add($"{component.Id()}: scopes lack '{missing}', which publishes and subscribes through it");
            }

            foreach (var extra in scopes.Except(expected))
            {
                violations.Add($"{component.Id()}: scope '{extra}' is not an app-id that uses it");
            }
        }

        return violations;
    }

    public static IReadOnlyList<string> Resiliency(Manifest manifest)
    {
        var violations = new List<string>();
        var resiliencies = manifest.OfKind("Resiliency").ToArray();
        if (resiliencies.Length == 0)
        {
            return ["no Dapr Resiliency: a failed delivery would go to the dead-letter topic at once"];
        }

        var appIds = manifest.AppDeployments.Select(d => d.DaprAppId()).OfType<string>().ToHashSet();
        foreach (var resiliency in resiliencies)
        {
            var id = resiliency.Id();
            foreach (var scope in resiliency.Items("scopes").Select(s => s?.GetValue<string>()).Where(s => !appIds.Contains(s!)))
            {
                violations.Add($"{id}: scope '{scope}' is not an app-id");
            }

            // Timeouts on service invocation cut streaming calls; Parks's gRPC traffic does not go through Dapr.
            foreach (var (app, names) in resiliency.Obj("spec", "targets", "apps") ?? [])
            {
                if (names.Str("timeout") is not null)
                {
                    violations.Add($"{id}: app target '{app}' has a timeout, which would cut streaming calls");
                }
            }

            foreach (var (name, _) in resiliency.Obj("spec", "policies", "timeouts") ?? [])
            {
                if (name is "DefaultTimeoutPolicy" or "DefaultAppTimeoutPolicy")
                {
                    violations.Add($"{id}: timeout {name} applies to service invocation and would cut streaming calls");
                }
            }
        }

        foreach (var component in manifest.OfKind("Component").Where(c => c.Str("spec", "type")?.StartsWith("pubsub.", StringComparison.Ordinal) == true))
        {
            var name = component.Str("metadata", "name") ?? "";
            var target = resiliencies.Select(r => (Resiliency: r, Inbound: r.Obj("spec", "targets", "components", name, "inbound")))
                .FirstOrDefault(t => t.Inbound.Str("retry") is not null);
            if (target.Resiliency is null)
            {
                violations.Add($"{component.Id()}: no inbound retry policy, so a dead-letter topic gets a message on its first failure");
                continue;
            }

            var retry = target.Resiliency.Obj("spec", "policies", "retries", target.Inbound.Str("retry")!);
            var maxRetries = retry.Long("maxRetries") ?? -1;
            if (maxRetries is < 1 or > 10)
            {
                violations.Add($"{component.Id()}: inbound retries are {maxRetries}; bound them (1..10) so poison messages reach the dead-letter topic");
                continue;
            }

            // One delivery, retries included, runs inside the Redis component's processingTimeout; past it the
            // message is cancelled and redelivered while the retries may still be running.
            var processing = Workloads.DurationSeconds(Metadata(component, "processingTimeout")) ?? 15;
            var attempt = TimeoutSeconds(target.Resiliency, target.Inbound.Str("timeout"));
            var wait = Workloads.DurationSeconds(retry.Str("policy") == "constant" ? retry.Str("duration") ?? "5s" : retry.Str("maxInterval") ?? "60s");
            if (component.Str("spec", "type") == "pubsub.redis" && (attempt is null || (maxRetries + 1) * attempt + maxRetries * wait >= processing))
            {
                violations.Add($"{component.Id()}: worst case of the inbound retries ({maxRetries + 1} x {attempt?.ToString() ?? "unbounded"} s + {maxRetries} x {wait} s) does not fit in processingTimeout {processing} s");
            }
        }

        return violations;
    }

    /// <summary>The pub/sub Component and the services' state use the same Redis, and it is a Service here.</summary>
    public static IReadOnlyList<string> RedisAddress(Manifest manifest)
    {
        var violations = new List<string>();
        var services = manifest.OfKind("Service").ToArray();
        foreach (var component in manifest.OfKind("Component").Where(c => c.Str("spec", "type") == "pubsub.redis"))
        {
            var host = Metadata(component, "redisHost") ?? "";
            if (!IsServiceAddress(services, host))
            {
                violations.Add($"{component.Id()}: redisHost '{host}' is no Service port in the manifest");
            }

            foreach (var deployment in manifest.AppDeployments)
            {
                var state = manifest.EnvironmentOf(deployment).Setting("Parks__State__Redis");
                if (state is not null && state.Split(',')[0] != host)
                {
                    violations.Add($"{deployment.Id()}: state Redis '{state.Split(',')[0]}' is not the pub/sub Redis '{host}'");
                }
            }
        }

        return violations;
    }

    public static string? Metadata(JsonObject component, string name) =>
        component.Items("spec", "metadata").OfType<JsonObject>().FirstOrDefault(m => m.Str("name") == name).Str("value");

    private static double? TimeoutSeconds(JsonObject resiliency, string? name) =>
        name is null ? null
        : Workloads.DurationSeconds(resiliency.Str("spec", "policies", "timeouts", name)) ?? Workloads.DurationSeconds(name);

    private static bool IsServiceAddress(IEnumerable<JsonObject> services, string hostPort)
    {
        var parts = hostPort.Split(':');
        return parts.Length == 2 && long.TryParse(parts[1], out var port) && services.Any(s =>
            (s.Str("metadata", "name") == parts[0] || $"{s.Str("metadata", "name")}.{s.Str("metadata", "namespace")}.svc.cluster.local" == parts[0])
            && s.Items("spec", "ports").Any(p => p.Long("port") == port));
    }
}
