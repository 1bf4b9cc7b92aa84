using System.Text.Json.Nodes;
using Parks.Deploy.Tests.Manifests;

namespace Parks.Deploy.Tests.Policies;

/// <summary>What a production overlay needs beyond the base: replicas, autoscaling, disruption budgets, Ingress.</summary>
internal static class ProductionPolicies
{
    /// <summary>The gateway and the shared services scale on CPU from at least two replicas; the HPA owns replicas.</summary>
    public static IReadOnlyList<string> Autoscaling(Manifest manifest)
    {
        var violations = new List<string>();
        var autoscalers = manifest.OfKind("HorizontalPodAutoscaler").ToArray();
        foreach (var autoscaler in autoscalers)
        {
            var target = autoscaler.Str("spec", "scaleTargetRef", "name");
            if (autoscaler.Str("spec", "scaleTargetRef", "kind") != "Deployment" || manifest.Find("Deployment", target ?? "") is null)
            {
                violations.Add($"{autoscaler.Id()}: scales {autoscaler.Str("spec", "scaleTargetRef", "kind")}/{target}, which is not a Deployment here");
            }

            if (autoscaler.Long("spec", "minReplicas") is null or < 2)
            {
                violations.Add($"{autoscaler.Id()}: minReplicas below 2 leaves a single replica to a disruption");
            }
        }

        foreach (var name in Conventions.Autoscaled)
        {
            var scaled = autoscalers.Where(a => a.Str("spec", "scaleTargetRef", "name") == name).ToArray();
            if (scaled.Length != 1)
            {
                violations.Add($"Deployment/{name}: {scaled.Length} HorizontalPodAutoscalers, expected one");
            }
            else if (manifest.Find("Deployment", name)?.At("spec", "replicas") is not null)
            {
                violations.Add($"Deployment/{name}: sets spec.replicas although an HPA owns it (every apply would reset the scale)");
            }
        }

        return violations;
    }

    /// <summary>Every app Deployment runs two or more replicas and has a PodDisruptionBudget of its own.</summary>
    public static IReadOnlyList<string> Availability(Manifest manifest)
    {
        var violations = new List<string>();
        var budgets = manifest.OfKind("PodDisruptionBudget").ToArray();
        var autoscaled = manifest.OfKind("HorizontalPodAutoscaler").Select(a => a.Str("spec", "scaleTargetRef", "name")).ToHashSet();
        foreach (var deployment in manifest.AppDeployments)
        {
            var name = deployment.Str("metadata", "name");
            if (!autoscaled.Contains(name) && (deployment.Long("spec", "replicas") ?? 1) < 2)
            {
                violations.Add($"{deployment.Id()}: fewer than 2 replicas");
            }

            var covering = budgets.Where(b => NetworkPolicyModel.Selects(b.Obj("spec", "selector"), deployment.TemplateLabels())).ToArray();
            if (covering.Length != 1)
            {
                violations.Add($"{deployment.Id()}: covered by {covering.Length} PodDisruptionBudgets, expected one");
            }
        }

        foreach (var budget in budgets)
        {
            var selected = manifest.AppDeployments.Count(d => NetworkPolicyModel.Selects(budget.Obj("spec", "selector"), d.TemplateLabels()));
            if (selected != 1)
            {
                violations.Add($"{budget.Id()}: selects the pods of {selected} Deployments, expected one");
            }

            if (budget.Long("spec", "maxUnavailable") is null or < 1 && budget.At("spec", "minAvailable") is null)
            {
                violations.Add($"{budget.Id()}: allows no voluntary disruption, which blocks node drains");
            }
        }

        return violations;
    }

    /// <summary>The gateway is published over TLS, HTTP to its HTTP port and gRPC (backend-protocol GRPC) to its gRPC port.</summary>
    public static IReadOnlyList<string> Ingress(Manifest manifest)
    {
        var violations = new List<string>();
        var backends = new List<(JsonObject Ingress, string Service, string Port)>();
        foreach (var ingress in manifest.OfKind("Ingress"))
        {
            var tlsHosts = ingress.Items("spec", "tls").OfType<JsonObject>().SelectMany(t => t.Items("hosts")).Select(h => h?.GetValue<string>()).ToHashSet();
            foreach (var rule in ingress.Items("spec", "rules").OfType<JsonObject>())
            {
                if (!tlsHosts.Contains(rule.Str("host")))
                {
                    violations.Add($"{ingress.Id()}: host {rule.Str("host")} is served without TLS");
                }

                foreach (var path in rule.Items("http", "paths").OfType<JsonObject>())
                {
                    var service = path.Str("backend", "service", "name") ?? "";
                    var port = path.Str("backend", "service", "port", "name") ?? path.Long("backend", "service", "port", "number")?.ToString() ?? "";
                    backends.Add((ingress, service, port));
                    var target = manifest.Find("Service", service);
                    var servicePort = target.Items("spec", "ports").OfType<JsonObject>()
                        .FirstOrDefault(p => p.Str("name") == port || p.Long("port")?.ToString() == port);
                    if (servicePort is null)
                    {
                        violations.Add($"{ingress.Id()}: backend {service}:{port} is no Service port");
                        continue;
                    }

                    var grpc = ingress.Str("metadata", "annotations", "nginx.ingress.kubernetes.io/backend-protocol") == "GRPC";
                    if (grpc != (servicePort.Long("port") == Conventions.GrpcPort))
                    {
                        violations.Add($"{ingress.Id()}: backend-protocol {(grpc ? "GRPC" : "HTTP")} sent to port {servicePort.Long("port")}");
                    }
                }
            }
        }

        foreach (var port in new[] { "http", "grpc" })
        {
            if (!backends.Any(b => b.Service == "parks-gateway" && b.Port == port))
            {
                violations.Add($"no Ingress publishes the gateway's {port} port");
            }
        }

        foreach (var backend in backends.Where(b => b.Service != "parks-gateway"))
        {
            violations.Add($"{backend.Ingress.Id()}: publishes {backend.Service}; only the gateway is public");
        }

        return violations;
    }
}
