using System.Text.Json.Nodes;
using Parks.Deploy.Tests.Infrastructure;
using Parks.Deploy.Tests.Manifests;
using Parks.Deploy.Tests.Validation;

namespace Parks.Deploy.Tests;

public sealed class SchemaTests
{
    public static TheoryData<string> Overlays => new(Repo.Overlays());

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_object_validates_against_the_kubernetes_or_the_dapr_schema(string overlay)
    {
        var manifest = Manifest.Render(overlay);

        var kubernetes = KubernetesSchema.Validate(manifest.Objects);

        Assert.Equal(manifest.Objects.Count, kubernetes.Count);
        var problems = new List<string>();
        for (var i = 0; i < manifest.Objects.Count; i++)
        {
            var obj = manifest.Objects[i];
            if (kubernetes[i].Validated)
            {
                problems.AddRange(kubernetes[i].Errors.Select(e => $"{obj.Id()}: {e}"));
            }
            else if (DaprSchema.Covers(obj))
            {
                problems.AddRange(DaprSchema.Validate(obj).Select(e => $"{obj.Id()}: {e}"));
            }
            else
            {
                problems.Add($"{obj.Id()}: {obj.Str("apiVersion")} is checked by no schema");
            }
        }

        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_dapr_objects_are_the_component_resiliency_and_configuration(string overlay)
    {
        var dapr = Manifest.Render(overlay).Objects.Where(o => o.Str("apiVersion")?.StartsWith("dapr.io/", StringComparison.Ordinal) == true);

        Assert.Equal(["Component/pubsub", "Configuration/parks-dapr", "Resiliency/parks-resiliency"], dapr.Select(o => o.Id()).Order());
    }

    [Fact]
    public void Kubernetes_schema_check_reports_wrong_types_and_misspelt_fields()
    {
        var deployment = Manifest.Render("production").Get("Deployment", "parks-talent");
        var container = deployment.Container(Workloads.AppContainer)!;
        container["readinesProbe"] = container["readinessProbe"]!.DeepClone();
        container.Remove("readinessProbe");
        container["livenessProbe"]!["grpc"]!["port"] = "8081";

        var result = Assert.Single(KubernetesSchema.Validate([deployment]));

        Assert.True(result.Validated);
        Assert.Contains(result.Errors, e => e.Contains("containers/0/readinesProbe is not a field", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("livenessProbe/grpc/port must be integer", StringComparison.Ordinal));
    }

    [Fact]
    public void Dapr_schema_check_reports_misspelt_fields_unknown_metadata_and_dangling_policy_names()
    {
        var manifest = Manifest.Render("production");
        var resiliency = manifest.Get("Resiliency", "parks-resiliency");
        resiliency["spec"]!["policies"]!["retries"]!["pubsubInbound"]!["maxRetrys"] = 3;
        resiliency["spec"]!["targets"]!["components"]!["pubsub"]!["inbound"]!["retry"] = "noSuchRetry";
        var component = manifest.Get("Component", "pubsub");
        ((JsonArray)component["spec"]!["metadata"]!).Add(new JsonObject { ["name"] = "redisHots", ["value"] = "x:1" });

        var resiliencyErrors = DaprSchema.Validate(resiliency);
        var componentErrors = DaprSchema.Validate(component);

        Assert.Contains(resiliencyErrors, e => e.Contains("/pubsubInbound/maxRetrys: not a field", StringComparison.Ordinal));
        Assert.Contains(resiliencyErrors, e => e.Contains("no retries policy named 'noSuchRetry'", StringComparison.Ordinal));
        Assert.Contains(componentErrors, e => e.Contains("redisHots: not a metadata field of pubsub.redis", StringComparison.Ordinal));
    }

    [Fact]
    public void Yaml_is_read_with_kubernetes_scalar_types()
    {
        var documents = YamlJson.ParseDocuments("a: 8081\nb: \"8081\"\nc: yes\nd: 0.1.0\ne: '1'\nf: ~\n---\n");

        var document = Assert.Single(documents);
        Assert.Equal(8081, document.Long("a"));
        Assert.Equal("8081", document.Str("b"));
        Assert.True(document.Bool("c"));
        Assert.Equal("0.1.0", document.Str("d"));
        Assert.Equal("1", document.Str("e"));
        Assert.Null(document["f"]);
    }
}
