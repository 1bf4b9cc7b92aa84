using System.Text.Json.Nodes;
using Parks.Deploy.Tests.Manifests;
using Parks.Deploy.Tests.Policies;

namespace Parks.Deploy.Tests;

/// <summary>Each policy reports a manifest broken on purpose: the policies can fail.</summary>
public sealed class NegativePolicyTests
{
    private static Manifest Production() => Manifest.Render("production");

    private static JsonObject AppContainer(Manifest manifest, string deployment) =>
        manifest.Get("Deployment", deployment).Container(Workloads.AppContainer)!;

    [Fact]
    public void Missing_probe_and_http_readiness_are_reported()
    {
        var manifest = Production();
        AppContainer(manifest, "parks-talent").Remove("startupProbe");
        AppContainer(manifest, "parks-finance")["readinessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["port"] = 8080, ["path"] = "/readyz" } };

        var violations = WorkloadPolicies.Probes(manifest);

        Assert.Contains("Deployment/parks-talent: container server has no startupProbe", violations);
        Assert.Contains("Deployment/parks-finance: readinessProbe is not a native grpc probe", violations);
    }

    [Fact]
    public void Root_user_writable_root_filesystem_and_kept_capabilities_are_reported()
    {
        var manifest = Production();
        var container = AppContainer(manifest, "parks-gateway");
        container["securityContext"]!["readOnlyRootFilesystem"] = false;
        container["securityContext"]!["capabilities"] = new JsonObject { ["add"] = new JsonArray("NET_ADMIN") };
        manifest.Get("StatefulSet", "parks-redis").PodSpec()!["securityContext"]!["runAsUser"] = 0;

        var violations = WorkloadPolicies.SecurityContext(manifest);

        Assert.Contains("Deployment/parks-gateway: container server has a writable root filesystem", violations);
        Assert.Contains("Deployment/parks-gateway: container server does not drop ALL capabilities", violations);
        Assert.Contains("Deployment/parks-gateway: container server adds capabilities", violations);
        Assert.Contains("StatefulSet/parks-redis: container redis runs as user 0", violations);
    }

    [Fact]
    public void Latest_and_untagged_images_and_a_stale_version_label_are_reported()
    {
        var manifest = Production();
        AppContainer(manifest, "parks-talent")["image"] = "registry.example.com/parks/parks-talent:latest";
        manifest.Get("StatefulSet", "parks-redis").Container("redis")!["image"] = "docker.io/library/redis";
        AppContainer(manifest, "parks-finance")["image"] = "registry.example.com/parks/parks-finance:0.2.0";

        var violations = WorkloadPolicies.PinnedImages(manifest);

        Assert.Contains(violations, v => v.StartsWith("Deployment/parks-talent: image 'registry.example.com/parks/parks-talent:latest'", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("StatefulSet/parks-redis: image 'docker.io/library/redis'", StringComparison.Ordinal));
        Assert.Contains("Deployment/parks-finance: image tag 0.2.0 differs from label app.kubernetes.io/version 0.1.0", violations);
    }

    [Fact]
    public void Grace_period_shorter_than_prestop_plus_shutdown_timeout_is_reported()
    {
        var manifest = Production();
        manifest.Get("Deployment", "parks-sciencecity").PodSpec()!["terminationGracePeriodSeconds"] = 20;

        Assert.Contains("Deployment/parks-sciencecity: terminationGracePeriodSeconds 20 < preStop 5 + shutdown timeout 20 + 5 s margin",
            WorkloadPolicies.GracefulShutdown(manifest));
    }

    [Fact]
    public void Two_districts_with_the_same_id_are_reported()
    {
        var manifest = Production();
        var qixianling = manifest.Get("Deployment", "parks-district-qixianling");
        var configMap = qixianling.Container(Workloads.AppContainer).Items("envFrom")
            .Select(s => s.Str("configMapRef", "name")).Single(n => n?.StartsWith("parks-district-qixianling", StringComparison.Ordinal) == true);
        manifest.Get("ConfigMap", configMap!)["data"]!["Parks__District__Id"] = "lingshui";

        var violations = WorkloadPolicies.Districts(manifest);

        Assert.Contains(violations, v => v.StartsWith("district Deployments have ids [", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("Deployment/parks-district-qixianling: district 'lingshui' must be", StringComparison.Ordinal));
    }

    [Fact]
    public void Component_scopes_must_be_exactly_the_apps_that_use_it()
    {
        var manifest = Production();
        var scopes = (JsonArray)manifest.Get("Component", "pubsub")["scopes"]!;
        scopes.Remove(scopes.Single(s => s!.GetValue<string>() == "parks-finance"));
        scopes.Add("parks-unknown");

        var violations = DaprPolicies.PubSubScopes(manifest);

        Assert.Contains("Component/pubsub: scopes lack 'parks-finance', which publishes and subscribes through it", violations);
        Assert.Contains("Component/pubsub: scope 'parks-unknown' is not an app-id that uses it", violations);
    }

    [Fact]
    public void Wrong_app_protocol_and_app_id_are_reported()
    {
        var manifest = Production();
        var annotations = manifest.Get("Deployment", "parks-talent")["spec"]!["template"]!["metadata"]!["annotations"]!;
        annotations["dapr.io/app-protocol"] = "http";
        annotations["dapr.io/app-id"] = "talent";

        var violations = DaprPolicies.Annotations(manifest);

        Assert.Contains("Deployment/parks-talent: annotation dapr.io/app-protocol is 'http', expected 'h2c'", violations);
        Assert.Contains("Deployment/parks-talent: annotation dapr.io/app-id is 'talent', expected 'parks-talent'", violations);
    }

    [Fact]
    public void Unbounded_inbound_retries_and_stream_cutting_timeouts_are_reported()
    {
        var manifest = Production();
        var policies = manifest.Get("Resiliency", "parks-resiliency")["spec"]!["policies"]!;
        policies["retries"]!["pubsubInbound"]!["maxRetries"] = -1;
        policies["timeouts"]!["DefaultAppTimeoutPolicy"] = "10s";

        var violations = DaprPolicies.Resiliency(manifest);

        Assert.Contains(violations, v => v.StartsWith("Component/pubsub: inbound retries are -1", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("DefaultAppTimeoutPolicy applies to service invocation", StringComparison.Ordinal));
    }

    [Fact]
    public void Inbound_retries_longer_than_the_processing_timeout_are_reported()
    {
        var manifest = Production();
        var metadata = (JsonArray)manifest.Get("Component", "pubsub")["spec"]!["metadata"]!;
        metadata.OfType<JsonObject>().Single(m => m.Str("name") == "processingTimeout")["value"] = "15s";

        Assert.Contains(DaprPolicies.Resiliency(manifest), v => v.Contains("does not fit in processingTimeout 15 s", StringComparison.Ordinal));
    }

    [Fact]
    public void Plaintext_passwords_secret_objects_and_unresolved_references_are_reported()
    {
        var manifest = Production();
        var env = (JsonArray)AppContainer(manifest, "parks-talent")["env"]!;
        env.OfType<JsonObject>().Single(e => e.Str("name") == "Parks__State__Redis")["value"] = "parks-redis:6379,password=hunter2";
        env.Insert(0, new JsonObject { ["name"] = "DAPR_API_TOKEN", ["value"] = "abc" });
        var finance = (JsonArray)AppContainer(manifest, "parks-finance")["env"]!;
        finance.Remove(finance.OfType<JsonObject>().Single(e => e.Str("name") == "REDIS_PASSWORD"));
        var component = manifest.Get("Component", "pubsub");
        var password = ((JsonArray)component["spec"]!["metadata"]!).OfType<JsonObject>().Single(m => m.Str("name") == "redisPassword");
        password.Remove("secretKeyRef");
        password["value"] = "hunter2";
        var withSecret = new Manifest("broken", manifest.Objects.Append(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = "parks-redis" },
            ["data"] = new JsonObject { ["password"] = "aHVudGVyMg==" },
        }));

        var plaintext = SecretPolicies.NoPlaintextCredentials(withSecret);

        Assert.Contains("Deployment/parks-talent: env Parks__State__Redis contains a literal password", plaintext);
        Assert.Contains("Deployment/parks-talent: env DAPR_API_TOKEN has a literal value; take it from a Secret (secretKeyRef)", plaintext);
        Assert.Contains("Component/pubsub: metadata redisPassword has a literal value; use secretKeyRef", plaintext);
        Assert.Single(SecretPolicies.NoSecretObjects(withSecret));
        Assert.Contains("Deployment/parks-finance: env Parks__State__Redis uses $(REDIS_PASSWORD) before it is defined",
            SecretPolicies.EnvReferencesResolve(withSecret));
    }

    [Fact]
    public void Missing_default_deny_and_an_open_egress_are_reported()
    {
        var manifest = Production();
        var policies = manifest.Objects.Where(o => o.Id() != "NetworkPolicy/default-deny-all").ToList();
        policies.Add(new JsonObject
        {
            ["apiVersion"] = "networking.k8s.io/v1", ["kind"] = "NetworkPolicy",
            ["metadata"] = new JsonObject { ["name"] = "anything-goes", ["namespace"] = "parks" },
            ["spec"] = new JsonObject
            {
                ["podSelector"] = new JsonObject(),
                ["policyTypes"] = new JsonArray("Egress"),
                ["egress"] = new JsonArray(new JsonObject { ["to"] = new JsonArray(new JsonObject { ["ipBlock"] = new JsonObject { ["cidr"] = "0.0.0.0/0" } }) }),
            },
        });
        var broken = new Manifest("broken", policies);

        Assert.NotEmpty(NetworkPolicyRules.DefaultDeny(broken));
        Assert.Contains("NetworkPolicy/anything-goes: ipBlock 0.0.0.0/0 opens everything", NetworkPolicyRules.NoOpenAddressBlocks(broken));
        Assert.True(new NetworkPolicyModel(broken).Allows(
            Peer.Pod("parks", manifest.Get("Deployment", "parks-talent").TemplateLabels()), Peer.External("203.0.113.10"), 443));
    }

    [Fact]
    public void Gateway_backend_on_the_http_port_or_missing_is_reported()
    {
        var manifest = Production();
        var gatewayConfig = manifest.Get("Deployment", "parks-gateway").Container(Workloads.AppContainer).Items("envFrom")
            .Select(s => s.Str("configMapRef", "name")).Single(n => n?.StartsWith("parks-gateway", StringComparison.Ordinal) == true);
        var data = manifest.Get("ConfigMap", gatewayConfig!)["data"]!.AsObject();
        data["Parks__Services__talent"] = "http://parks-talent:8080";
        data.Remove("Parks__Services__district-longtou");

        var violations = ConfigurationPolicies.GatewayBackends(manifest);

        Assert.Contains("Deployment/parks-gateway: backend 'talent' at port 8080; Deployment/parks-talent serves gRPC on 8081", violations);
        Assert.Contains("Deployment/parks-gateway: no address for backend 'district-longtou' (Parks__Services__district-longtou)", violations);
    }

    [Fact]
    public void Autoscaled_deployment_with_replicas_and_a_missing_budget_are_reported()
    {
        var manifest = Production();
        manifest.Get("Deployment", "parks-talent")["spec"]!["replicas"] = 2;
        var withoutBudget = new Manifest("broken", manifest.Objects.Where(o => o.Id() != "PodDisruptionBudget/parks-district-longtou"));

        Assert.Contains("Deployment/parks-talent: sets spec.replicas although an HPA owns it (every apply would reset the scale)",
            ProductionPolicies.Autoscaling(withoutBudget));
        Assert.Contains("Deployment/parks-district-longtou: covered by 0 PodDisruptionBudgets, expected one",
            ProductionPolicies.Availability(withoutBudget));
    }

    [Fact]
    public void Undocumented_configuration_key_is_reported()
    {
        var manifest = Production();
        var configMap = manifest.OfKind("ConfigMap").Single(c => c.Str("metadata", "name")!.StartsWith("parks-common", StringComparison.Ordinal));
        configMap["data"]!["Parks__State__RedisHost"] = "parks-redis";

        var violations = ConfigurationPolicies.KeysAreDocumented(manifest, "| `Parks:State:Redis` | … |\n| `Parks:Services:<name>` | … |");

        Assert.Contains(violations, v => v.EndsWith("Parks__State__RedisHost is not a configuration key in docs/architecture.md", StringComparison.Ordinal));
        Assert.DoesNotContain(violations, v => v.Contains("Parks__Services__talent", StringComparison.Ordinal));
    }
}
