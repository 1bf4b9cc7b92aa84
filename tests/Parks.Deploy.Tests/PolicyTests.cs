using Parks.Deploy.Tests.Infrastructure;
using Parks.Deploy.Tests.Manifests;
using Parks.Deploy.Tests.Policies;

namespace Parks.Deploy.Tests;

/// <summary>Every overlay complies with every deployment policy. NegativePolicyTests shows the policies can fail.</summary>
public sealed class PolicyTests
{
    private static readonly IReadOnlyDictionary<string, Func<Manifest, IReadOnlyList<string>>> All =
        new Dictionary<string, Func<Manifest, IReadOnlyList<string>>>
        {
            ["labels"] = WorkloadPolicies.Labels,
            ["pinned images"] = WorkloadPolicies.PinnedImages,
            ["resources"] = WorkloadPolicies.Resources,
            ["probes"] = WorkloadPolicies.Probes,
            ["security context"] = WorkloadPolicies.SecurityContext,
            ["graceful shutdown"] = WorkloadPolicies.GracefulShutdown,
            ["ports"] = WorkloadPolicies.Ports,
            ["services"] = WorkloadPolicies.Services,
            ["districts"] = WorkloadPolicies.Districts,
            ["dapr annotations"] = DaprPolicies.Annotations,
            ["pub/sub scopes"] = DaprPolicies.PubSubScopes,
            ["resiliency"] = DaprPolicies.Resiliency,
            ["redis address"] = DaprPolicies.RedisAddress,
            ["no secret objects"] = SecretPolicies.NoSecretObjects,
            ["no plaintext credentials"] = SecretPolicies.NoPlaintextCredentials,
            ["env references"] = SecretPolicies.EnvReferencesResolve,
            ["default deny"] = NetworkPolicyRules.DefaultDeny,
            ["no open address blocks"] = NetworkPolicyRules.NoOpenAddressBlocks,
            ["service names"] = ConfigurationPolicies.ServiceNames,
            ["gateway backends"] = ConfigurationPolicies.GatewayBackends,
        };

    public static TheoryData<string, string> OverlaysAndPolicies()
    {
        var data = new TheoryData<string, string>();
        foreach (var overlay in Repo.Overlays())
        {
            foreach (var policy in All.Keys)
            {
                data.Add(overlay, policy);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OverlaysAndPolicies))]
    public void Overlay_complies_with_policy(string overlay, string policy)
    {
        Assert.Empty(All[policy](Manifest.Render(overlay)));
    }

    [Theory]
    [InlineData("production")]
    public void Production_autoscales_the_gateway_and_shared_services(string overlay)
    {
        Assert.Empty(ProductionPolicies.Autoscaling(Manifest.Render(overlay)));
    }

    [Theory]
    [InlineData("production")]
    public void Production_runs_two_replicas_of_everything_with_disruption_budgets(string overlay)
    {
        Assert.Empty(ProductionPolicies.Availability(Manifest.Render(overlay)));
    }

    [Theory]
    [InlineData("production")]
    public void Production_publishes_only_the_gateway_over_tls(string overlay)
    {
        Assert.Empty(ProductionPolicies.Ingress(Manifest.Render(overlay)));
    }

    [Fact]
    public void Local_runs_one_replica_of_each_service_and_no_ingress()
    {
        var manifest = Manifest.Render("local");

        Assert.All(manifest.AppDeployments, d => Assert.Equal(1, d.Long("spec", "replicas")));
        Assert.Empty(manifest.OfKind("Ingress"));
        Assert.Empty(manifest.OfKind("HorizontalPodAutoscaler"));
    }

    [Theory]
    [MemberData(nameof(RenderingTests.Overlays), MemberType = typeof(RenderingTests))]
    public void Redis_keeps_its_data_in_an_append_only_file_on_a_volume(string overlay)
    {
        var manifest = Manifest.Render(overlay);
        var redis = manifest.Get("StatefulSet", "parks-redis");
        var config = manifest.OfKind("ConfigMap").Single(c => c.Str("metadata", "name")!.StartsWith("parks-redis-config", StringComparison.Ordinal));
        var conf = config.Str("data", "redis.conf")!.Split('\n').Select(l => l.Trim()).ToArray();

        Assert.Contains("appendonly yes", conf);
        Assert.Contains("maxmemory-policy noeviction", conf);
        Assert.Contains(redis.Items("spec", "volumeClaimTemplates"), t => t.Str("metadata", "name") == "data");
        Assert.Contains(redis.Container("redis").Items("volumeMounts"), m => m.Str("name") == "data" && m.Str("mountPath") == "/data");
        Assert.Contains(conf, l => l == "dir /data");
    }
}
