using System.Text.Json.Nodes;
using Parks.Deploy.Tests.Manifests;

namespace Parks.Deploy.Tests.Policies;

/// <summary>The facts about Parks the deployment must agree with (docs/architecture.md).</summary>
internal static class Conventions
{
    public const string Namespace = "parks";

    /// <summary>The district ids, one district-service instance each.</summary>
    public static readonly string[] DistrictIds = ["lingshui", "qixianling", "xiaopingdao", "huangnichuan", "longwangtang", "longtou"];

    /// <summary>The names the gateway routes to (<c>Parks:Services:&lt;name&gt;</c>) and their Deployments.</summary>
    public static readonly IReadOnlyDictionary<string, string> Backends =
        new[] { "sciencecity" }.Concat(DistrictIds.Select(id => $"district-{id}")).Concat(["branchparks", "talent", "finance"])
            .ToDictionary(name => name, name => $"parks-{name}");

    /// <summary>The gateway and the shared services: autoscaled and disruption-budgeted in production.</summary>
    public static readonly string[] Autoscaled = ["parks-gateway", "parks-sciencecity", "parks-branchparks", "parks-talent", "parks-finance"];

    /// <summary>Ports every Parks process listens on (docs/architecture.md, "Ports and endpoints").</summary>
    public const int GrpcPort = 8081;
    public const int HttpPort = 8080;

    /// <summary>The grpc.health.v1 service name the readiness probe asks for.</summary>
    public const string ReadinessService = "readiness";

    public static readonly string[] RecommendedLabels =
    [
        "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
        "app.kubernetes.io/part-of", "app.kubernetes.io/version",
    ];

    /// <summary>A numeric setting of an app Deployment's configuration (a port, a timeout), or null.</summary>
    public static int? IntSetting(this IReadOnlyDictionary<string, EnvVar> environment, string key) =>
        int.TryParse(environment.Setting(key), out var port) ? port : null;

    /// <summary>The Dapr app-id of a Deployment's pods, or null when Dapr is not enabled.</summary>
    public static string? DaprAppId(this JsonObject deployment) =>
        deployment.TemplateAnnotations().TryGetValue("dapr.io/enabled", out var enabled) && enabled == "true"
            ? deployment.TemplateAnnotations().GetValueOrDefault("dapr.io/app-id")
            : null;
}
