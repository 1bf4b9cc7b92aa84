using Parks.Deploy.Tests.Manifests;
using Parks.Deploy.Tests.Policies;

namespace Parks.Deploy.Tests;

/// <summary>Who can reach whom under the rendered NetworkPolicies, using the pods' real labels.</summary>
public sealed class NetworkPolicyTests
{
    private static readonly Peer KubeDns = Peer.Pod("kube-system", ("k8s-app", "kube-dns"));
    private static readonly Peer DaprSentry = Peer.Pod("dapr-system", ("app", "dapr-sentry"));
    private static readonly Peer Collector = Peer.Pod("observability", ("app", "otel-collector"));
    private static readonly Peer Prometheus = Peer.Pod("monitoring", ("app", "prometheus"));
    private static readonly Peer IngressController = Peer.Pod("ingress-nginx", ("app.kubernetes.io/name", "ingress-nginx"));
    private static readonly Peer OtherNamespace = Peer.Pod("default", ("app", "curious"));
    private static readonly Peer Internet = Peer.External("203.0.113.10");

    public static TheoryData<string> Overlays => RenderingTests.Overlays;

    private static Peer Pod(Manifest manifest, string kind, string name) =>
        Peer.Pod(Conventions.Namespace, manifest.Get(kind, name).TemplateLabels());

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Only_the_gateway_reaches_the_services_grpc_port(string overlay)
    {
        var manifest = Manifest.Render(overlay);
        var network = new NetworkPolicyModel(manifest);
        var gateway = Pod(manifest, "Deployment", "parks-gateway");

        foreach (var backend in Conventions.Backends.Values)
        {
            var pod = Pod(manifest, "Deployment", backend);
            Assert.True(network.Allows(gateway, pod, Conventions.GrpcPort), $"gateway -> {backend}");
            Assert.False(network.Allows(OtherNamespace, pod, Conventions.GrpcPort), $"other namespace -> {backend}");
            Assert.False(network.Allows(pod, gateway, Conventions.GrpcPort), $"{backend} -> gateway");
            Assert.False(network.Allows(gateway, pod, Conventions.HttpPort), $"gateway -> {backend} http");
        }

        var talent = Pod(manifest, "Deployment", "parks-talent");
        Assert.False(network.Allows(talent, Pod(manifest, "Deployment", "parks-district-lingshui"), Conventions.GrpcPort));
        Assert.False(network.Allows(Pod(manifest, "Deployment", "parks-district-lingshui"), Pod(manifest, "Deployment", "parks-district-longtou"), Conventions.GrpcPort));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Only_the_services_and_their_sidecars_reach_redis(string overlay)
    {
        var manifest = Manifest.Render(overlay);
        var network = new NetworkPolicyModel(manifest);
        var redis = Pod(manifest, "StatefulSet", "parks-redis");

        foreach (var deployment in manifest.AppDeployments)
        {
            Assert.True(network.Allows(Peer.Pod(Conventions.Namespace, deployment.TemplateLabels()), redis, 6379), deployment.Id());
        }

        Assert.False(network.Allows(OtherNamespace, redis, 6379));
        Assert.False(network.Allows(IngressController, redis, 6379));
        Assert.False(network.Allows(redis, Internet, 443));
        Assert.False(network.Allows(redis, Pod(manifest, "Deployment", "parks-talent"), Conventions.GrpcPort));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Apps_reach_dns_the_dapr_control_plane_and_the_collector_but_not_the_internet(string overlay)
    {
        var manifest = Manifest.Render(overlay);
        var network = new NetworkPolicyModel(manifest);

        foreach (var deployment in manifest.AppDeployments)
        {
            var pod = Peer.Pod(Conventions.Namespace, deployment.TemplateLabels());
            Assert.True(network.Allows(pod, KubeDns, 53, "UDP"), deployment.Id());
            Assert.True(network.Allows(pod, DaprSentry, 50001), deployment.Id());
            Assert.True(network.Allows(pod, Collector, 4317), deployment.Id());
            Assert.True(network.Allows(Prometheus, pod, Conventions.HttpPort), deployment.Id());
            Assert.False(network.Allows(pod, Internet, 443), deployment.Id());
            Assert.False(network.Allows(pod, Collector, 9999), deployment.Id());
        }
    }

    [Fact]
    public void Production_lets_the_ingress_controller_reach_the_gateway_and_nothing_else()
    {
        var manifest = Manifest.Render("production");
        var network = new NetworkPolicyModel(manifest);

        Assert.True(network.Allows(IngressController, Pod(manifest, "Deployment", "parks-gateway"), Conventions.GrpcPort));
        Assert.True(network.Allows(IngressController, Pod(manifest, "Deployment", "parks-gateway"), Conventions.HttpPort));
        Assert.False(network.Allows(IngressController, Pod(manifest, "Deployment", "parks-finance"), Conventions.GrpcPort));
    }

    [Fact]
    public void Local_has_no_way_in_but_port_forward()
    {
        var manifest = Manifest.Render("local");

        Assert.False(new NetworkPolicyModel(manifest).Allows(IngressController, Pod(manifest, "Deployment", "parks-gateway"), Conventions.HttpPort));
    }
}
