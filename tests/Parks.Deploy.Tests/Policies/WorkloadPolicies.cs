using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Parks.Deploy.Tests.Manifests;

namespace Parks.Deploy.Tests.Policies;

/// <summary>
/// Policies for Deployments and StatefulSets: labels, images, resources, probes, security context, graceful
/// shutdown, ports, Services, and the six district instances. Each returns the violations it finds
/// ("Kind/name: what is wrong"); an empty list means the manifest complies.
/// </summary>
internal static partial class WorkloadPolicies
{
    public static IReadOnlyList<string> Labels(Manifest manifest)
    {
        var violations = new List<string>();
        foreach (var obj in manifest.Objects)
        {
            if (obj.Str("metadata", "labels", "app.kubernetes.io/part-of") != "parks")
            {
                violations.Add($"{obj.Id()}: label app.kubernetes.io/part-of is not 'parks'");
            }
        }

        foreach (var workload in manifest.Workloads)
        {
            foreach (var (where, labels) in new[] { ("metadata", workload.Map("metadata", "labels")), ("pod template", workload.TemplateLabels()) })
            {
                foreach (var label in Conventions.RecommendedLabels.Where(l => string.IsNullOrEmpty(labels.GetValueOrDefault(l))))
                {
                    violations.Add($"{workload.Id()}: {where} lacks label {label}");
                }
            }

            var selector = workload.Map("spec", "selector", "matchLabels");
            if (!Workloads.MatchesLabels(selector, workload.TemplateLabels()))
            {
                violations.Add($"{workload.Id()}: selector does not match its pod template's labels");
            }

            if (selector.ContainsKey("app.kubernetes.io/version"))
            {
                violations.Add($"{workload.Id()}: the version label is in the selector, so no upgrade could change it");
            }
        }

        return violations;
    }

    /// <summary>Every image has a tag other than latest (or a digest); a Parks image's tag is its release label.</summary>
    public static IReadOnlyList<string> PinnedImages(Manifest manifest)
    {
        var violations = new List<string>();
        foreach (var workload in manifest.Workloads)
        {
            foreach (var container in workload.Containers())
            {
                var image = container.Str("image") ?? "";
                var (tag, digest) = TagAndDigest(image);
                if (digest is null && (tag is null || tag == "latest"))
                {
                    violations.Add($"{workload.Id()}: image '{image}' of container {container.Str("name")} is not pinned (no tag, or latest)");
                }

                if (container.Str("imagePullPolicy") == "Always" && digest is null)
                {
                    violations.Add($"{workload.Id()}: imagePullPolicy Always with a mutable tag");
                }
            }

            if (workload.Str("kind") == "Deployment"
                && workload.Container(Workloads.AppContainer)?.Str("image") is { } appImage
                && TagAndDigest(appImage).Tag is { } appTag
                && workload.TemplateLabels().GetValueOrDefault("app.kubernetes.io/version") is { } version
                && appTag != version)
            {
                violations.Add($"{workload.Id()}: image tag {appTag} differs from label app.kubernetes.io/version {version}");
            }
        }

        return violations;
    }

    public static IReadOnlyList<string> Resources(Manifest manifest)
    {
        var violations = new List<string>();
        foreach (var workload in manifest.Workloads)
        {
            foreach (var container in workload.Containers())
            {
                foreach (var kind in new[] { "requests", "limits" })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    {
                        if (container.At("resources", kind, resource) is null)
                        {
                            violations.Add($"{workload.Id()}: container {container.Str("name")} has no {kind}.{resource}");
                        }
                    }
                }

                foreach (var resource in new[] { "cpu", "memory" })
                {
                    var request = Quantity(container.At("resources", "requests", resource));
                    var limit = Quantity(container.At("resources", "limits", resource));
                    if (request is not null && limit is not null && request > limit)
                    {
                        violations.Add($"{workload.Id()}: container {container.Str("name")} requests more {resource} than its limit");
                    }
                }
            }
        }

        return violations;
    }

    /// <summary>
    /// App containers: native gRPC startup, liveness and readiness probes on the configured gRPC port, readiness
    /// asking for the "readiness" health service; other containers at least readiness and liveness probes.
    /// </summary>
    public static IReadOnlyList<string> Probes(Manifest manifest)
    {
        var violations = new List<string>();
        foreach (var workload in manifest.Workloads)
        {
            foreach (var container in workload.Containers())
            {
                var isApp = workload.Str("kind") == "Deployment" && container.Str("name") == Workloads.AppContainer;
                var probes = isApp ? new[] { "startupProbe", "livenessProbe", "readinessProbe" } : ["livenessProbe", "readinessProbe"];
                foreach (var probe in probes.Where(p => container.Obj(p) is null))
                {
                    violations.Add($"{workload.Id()}: container {container.Str("name")} has no {probe}");
                }

                if (!isApp)
                {
                    continue;
                }

                var grpcPort = manifest.EnvironmentOf(workload).IntSetting("Parks__Endpoints__GrpcPort");
                foreach (var probe in probes.Select(p => (Name: p, Spec: container.Obj(p))).Where(p => p.Spec is not null))
                {
                    if (probe.Spec.Obj("grpc") is null)
                    {
                        violations.Add($"{workload.Id()}: {probe.Name} is not a native grpc probe");
                    }
                    else if (probe.Spec.Long("grpc", "port") != grpcPort)
                    {
                        violations.Add($"{workload.Id()}: {probe.Name} checks port {probe.Spec.Long("grpc", "port")}, the gRPC port is {grpcPort}");
                    }
                }

                if (container.Obj("readinessProbe") is { } readiness && readiness.Str("grpc", "service") != Conventions.ReadinessService)
                {
                    violations.Add($"{workload.Id()}: readinessProbe asks for health service '{readiness.Str("grpc", "service")}', not '{Conventions.ReadinessService}'");
                }

                if (container.Obj("livenessProbe") is { } liveness && !string.IsNullOrEmpty(liveness.Str("grpc", "service")))
                {
                    violations.Add($"{workload.Id()}: livenessProbe must ask for the overall health (service \"\")");
                }
            }
        }

        return violations;
    }

    /// <summary>Pod Security Standard "restricted", a read-only root filesystem, and no service account token.</summary>
    public static IReadOnlyList<string> SecurityContext(Manifest manifest)
    {
        var violations = new List<string>();
        foreach (var workload in manifest.Workloads)
        {
            var pod = workload.PodSpec();
            var id = workload.Id();
            foreach (var flag in new[] { "hostNetwork", "hostPID", "hostIPC" }.Where(f => pod.Bool(f) == true))
            {
                violations.Add($"{id}: {flag} is set");
            }

            if (pod.Items("volumes").OfType<JsonObject>().Any(v => v.ContainsKey("hostPath")))
            {
                violations.Add($"{id}: mounts a hostPath volume");
            }

            var serviceAccount = manifest.Find("ServiceAccount", pod.Str("serviceAccountName") ?? "default");
            if (pod.Bool("automountServiceAccountToken") != false && serviceAccount.Bool("automountServiceAccountToken") != false)
            {
                violations.Add($"{id}: the service account token is mounted (set automountServiceAccountToken: false)");
            }

            foreach (var container in workload.Containers())
            {
                var name = $"{id}: container {container.Str("name")}";
                var context = container.Obj("securityContext");
                if ((context.Bool("runAsNonRoot") ?? pod.Bool("securityContext", "runAsNonRoot")) != true)
                {
                    violations.Add($"{name} may run as root (runAsNonRoot is not true)");
                }

                if ((context.Long("runAsUser") ?? pod.Long("securityContext", "runAsUser")) == 0)
                {
                    violations.Add($"{name} runs as user 0");
                }

                var seccomp = context.Str("seccompProfile", "type") ?? pod.Str("securityContext", "seccompProfile", "type");
                if (seccomp is not ("RuntimeDefault" or "Localhost"))
                {
                    violations.Add($"{name} has seccomp profile '{seccomp}', not RuntimeDefault");
                }

                if (context.Bool("allowPrivilegeEscalation") != false)
                {
                    violations.Add($"{name} allows privilege escalation");
                }

                if (context.Bool("privileged") == true)
                {
                    violations.Add($"{name} is privileged");
                }

                if (context.Bool("readOnlyRootFilesystem") != true)
                {
                    violations.Add($"{name} has a writable root filesystem");
                }

                if (!context.Items("capabilities", "drop").Any(c => c?.GetValue<string>() == "ALL"))
                {
                    violations.Add($"{name} does not drop ALL capabilities");
                }

                if (context.Items("capabilities", "add").Any())
                {
                    violations.Add($"{name} adds capabilities");
                }

                // .NET needs one writable directory for temporary files once the root filesystem is read-only.
                if (workload.Str("kind") == "Deployment" && !MountsEmptyDir(pod, container, "/tmp"))
                {
                    violations.Add($"{name} has no writable /tmp (emptyDir)");
                }
            }
        }

        return violations;
    }

    /// <summary>
    /// preStop sleep, then SIGTERM and a drain bounded by Parks__Hosting__ShutdownTimeoutSeconds, all inside
    /// terminationGracePeriodSeconds with a margin of at least 5 s.
    /// </summary>
    public static IReadOnlyList<string> GracefulShutdown(Manifest manifest)
    {
        var violations = new List<string>();
        foreach (var deployment in manifest.AppDeployments)
        {
            var id = deployment.Id();
            var container = deployment.Container(Workloads.AppContainer);
            var preStop = container.Long("lifecycle", "preStop", "sleep", "seconds");
            if (preStop is null or < 5)
            {
                violations.Add($"{id}: no preStop sleep of at least 5 s (endpoint removal must reach every client first)");
            }

            var shutdown = manifest.EnvironmentOf(deployment).IntSetting("Parks__Hosting__ShutdownTimeoutSeconds");
            if (shutdown is null or <= 0)
            {
                violations.Add($"{id}: Parks__Hosting__ShutdownTimeoutSeconds is not set");
                continue;
            }

            var grace = deployment.PodSpec().Long("terminationGracePeriodSeconds") ?? 30;
            if (grace < (preStop ?? 0) + shutdown + 5)
            {
                violations.Add($"{id}: terminationGracePeriodSeconds {grace} < preStop {preStop} + shutdown timeout {shutdown} + 5 s margin");
            }

            if (int.TryParse(deployment.TemplateAnnotations().GetValueOrDefault("dapr.io/graceful-shutdown-seconds"), out var sidecar) && sidecar > grace)
            {
                violations.Add($"{id}: the Dapr sidecar's graceful shutdown ({sidecar} s) outlasts the grace period ({grace} s)");
            }
        }

        return violations;
    }

    /// <summary>Container ports, probes and the Dapr app-port agree with the configured 8081/8080.</summary>
    public static IReadOnlyList<string> Ports(Manifest manifest)
    {
        var violations = new List<string>();
        foreach (var deployment in manifest.AppDeployments)
        {
            var id = deployment.Id();
            var environment = manifest.EnvironmentOf(deployment);
            var grpc = environment.IntSetting("Parks__Endpoints__GrpcPort");
            var http = environment.IntSetting("Parks__Endpoints__HttpPort");
            if (grpc != Conventions.GrpcPort || http != Conventions.HttpPort)
            {
                violations.Add($"{id}: configured ports grpc={grpc} http={http}, the conventions are {Conventions.GrpcPort}/{Conventions.HttpPort}");
            }

            var declared = deployment.Container(Workloads.AppContainer).Items("ports").OfType<JsonObject>()
                .ToDictionary(p => p.Str("name") ?? "", p => p.Long("containerPort"));
            if (declared.GetValueOrDefault("grpc") != grpc || declared.GetValueOrDefault("http") != http)
            {
                violations.Add($"{id}: container ports grpc={declared.GetValueOrDefault("grpc")} http={declared.GetValueOrDefault("http")} differ from the configuration ({grpc}/{http})");
            }

            if (deployment.TemplateAnnotations().GetValueOrDefault("dapr.io/app-port") != grpc?.ToString())
            {
                violations.Add($"{id}: dapr.io/app-port is not the gRPC port {grpc}");
            }
        }

        return violations;
    }

    /// <summary>Every Service selects pods of exactly one workload and targets ports those pods declare.</summary>
    public static IReadOnlyList<string> Services(Manifest manifest)
    {
        var violations = new List<string>();
        foreach (var service in manifest.OfKind("Service"))
        {
            var selector = service.Map("spec", "selector");
            var selected = manifest.Workloads.Where(w => Workloads.MatchesLabels(selector, w.TemplateLabels())).ToArray();
            if (selected.Length != 1)
            {
                violations.Add($"{service.Id()}: selects {selected.Length} workloads, expected exactly one");
                continue;
            }

            var ports = selected[0].Containers().SelectMany(c => c.Items("ports").OfType<JsonObject>()).ToArray();
            foreach (var port in service.Items("spec", "ports").OfType<JsonObject>())
            {
                var target = port.At("targetPort") ?? port.At("port");
                var found = target is JsonValue v && v.TryGetValue<string>(out var name)
                    ? ports.FirstOrDefault(p => p.Str("name") == name)
                    : ports.FirstOrDefault(p => p.Long("containerPort") == target.Long());
                if (found is null)
                {
                    violations.Add($"{service.Id()}: port {port.Str("name")} targets {target?.ToJsonString()}, which {selected[0].Id()} does not declare");
                }
                else if (found.Long("containerPort") != port.Long("port"))
                {
                    violations.Add($"{service.Id()}: port {port.Str("name")} is {port.Long("port")} but the container listens on {found.Long("containerPort")}; clients use the same number inside and outside");
                }
            }
        }

        return violations;
    }

    /// <summary>Six district Deployments from one image, one per district id, each its own Dapr app-id.</summary>
    public static IReadOnlyList<string> Districts(Manifest manifest)
    {
        var violations = new List<string>();
        var districts = manifest.AppDeployments
            .Where(d => manifest.EnvironmentOf(d).Setting("Parks__Service__Name") == "district").ToArray();
        var ids = districts.Select(d => manifest.EnvironmentOf(d).Setting("Parks__District__Id")).ToArray();
        if (!ids.Order().SequenceEqual(Conventions.DistrictIds.Order()))
        {
            violations.Add($"district Deployments have ids [{string.Join(", ", ids)}], expected one each of [{string.Join(", ", Conventions.DistrictIds)}]");
        }

        foreach (var district in districts)
        {
            var id = manifest.EnvironmentOf(district).Setting("Parks__District__Id");
            var expected = $"parks-district-{id}";
            if (district.Str("metadata", "name") != expected || district.DaprAppId() != expected)
            {
                violations.Add($"{district.Id()}: district '{id}' must be Deployment and Dapr app-id {expected} (app-id is {district.DaprAppId()})");
            }
        }

        var images = districts.Select(d => ImageRepository(d.Container(Workloads.AppContainer).Str("image") ?? "")).Distinct().ToArray();
        if (images.Length > 1)
        {
            violations.Add($"district Deployments use several images [{string.Join(", ", images)}]; they are one service");
        }

        return violations;
    }

    public static (string? Tag, string? Digest) TagAndDigest(string image)
    {
        var at = image.IndexOf('@');
        var digest = at >= 0 ? image[(at + 1)..] : null;
        var name = at >= 0 ? image[..at] : image;
        var colon = name.LastIndexOf(':');
        var tag = colon > name.LastIndexOf('/') ? name[(colon + 1)..] : null;
        return (tag, digest);
    }

    private static string ImageRepository(string image)
    {
        var name = image.Split('@')[0];
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[..colon] : name;
    }

    private static bool MountsEmptyDir(JsonObject? pod, JsonObject container, string path)
    {
        var volume = container.Items("volumeMounts").OfType<JsonObject>().FirstOrDefault(m => m.Str("mountPath") == path)?.Str("name");
        return volume is not null && pod.Items("volumes").OfType<JsonObject>().Any(v => v.Str("name") == volume && v.ContainsKey("emptyDir"));
    }

    /// <summary>A Kubernetes quantity ("500m", "1", "256Mi", "1Gi") as a number, or null when unreadable.</summary>
    public static double? Quantity(JsonNode? node)
    {
        var text = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString();
        var match = text is null ? null : QuantityPattern().Match(text);
        if (match is not { Success: true })
        {
            return null;
        }

        var number = double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return number * match.Groups[2].Value switch
        {
            "" => 1,
            "m" => 1e-3,
            "k" => 1e3,
            "M" => 1e6,
            "G" => 1e9,
            "Ki" => 1024,
            "Mi" => 1024 * 1024,
            "Gi" => 1024 * 1024 * 1024,
            _ => double.NaN,
        };
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|Ki|Mi|Gi)?$")]
    private static partial Regex QuantityPattern();
}
