using Parks.Deploy.Tests.Infrastructure;
using Parks.Deploy.Tests.Manifests;
using Parks.Deploy.Tests.Policies;

namespace Parks.Deploy.Tests;

public sealed class RenderingTests
{
    public static TheoryData<string> Overlays => new(Repo.Overlays());

    [Fact]
    public void The_local_and_production_overlays_exist()
    {
        Assert.Contains("local", Repo.Overlays());
        Assert.Contains("production", Repo.Overlays());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_renders_every_deployable_into_the_parks_namespace(string overlay)
    {
        var manifest = Manifest.Render(overlay);

        var deployments = manifest.OfKind("Deployment").Select(d => d.Str("metadata", "name")).Order().ToArray();
        Assert.Equal(Conventions.Backends.Values.Append("parks-gateway").Order(), deployments);
        Assert.Single(manifest.OfKind("StatefulSet"), s => s.Str("metadata", "name") == "parks-redis");
        Assert.All(manifest.Objects.Where(o => o.Str("kind") != "Namespace"),
            o => Assert.Equal(Conventions.Namespace, o.Str("metadata", "namespace")));
        Assert.Empty(manifest.Objects.GroupBy(o => o.Id()).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_deployable_has_a_service_account_a_service_and_a_config_map(string overlay)
    {
        var manifest = Manifest.Render(overlay);

        foreach (var deployment in manifest.AppDeployments)
        {
            var name = deployment.Str("metadata", "name")!;
            Assert.Equal(name, deployment.PodSpec().Str("serviceAccountName"));
            Assert.NotNull(manifest.Find("ServiceAccount", name));
            Assert.NotNull(manifest.Find("Service", name));
            Assert.Contains(deployment.Container(Workloads.AppContainer).Items("envFrom"),
                source => source.Str("configMapRef", "name")?.StartsWith(name + "-", StringComparison.Ordinal) == true);
        }
    }

    [Fact]
    public void Environment_of_a_deployment_resolves_its_config_maps_and_secret_references()
    {
        var manifest = Manifest.Render("production");

        var environment = manifest.EnvironmentOf(manifest.Get("Deployment", "parks-district-longtou"));

        Assert.Equal("longtou", environment.Setting("Parks__District__Id"));
        Assert.Equal("district", environment.Setting("Parks__Service__Name"));
        Assert.Equal("Redis", environment.Setting("Parks__State__Provider"));
        Assert.StartsWith("configMap/parks-common-", environment["Parks__State__Provider"].Source, StringComparison.Ordinal);
        Assert.Equal("secret/parks-redis/password", environment["REDIS_PASSWORD"].Source);
        Assert.Null(environment["REDIS_PASSWORD"].Value);
    }
}
