using System.Net;
using System.Text.RegularExpressions;
using Parks.DaprSidecarDouble;
using Parks.Deploy.Tests.Infrastructure;
using Parks.Deploy.Tests.Manifests;
using Parks.Domain;
using Parks.Rpc;
using Parks.Testing;
using Parks.Units.V1;

namespace Parks.Deploy.Tests;

/// <summary>
/// The rendered local overlay runs: one Deployment of every kind is started as its container would be — the built
/// service with exactly the environment the kubelet gives it (ConfigMaps, Secrets from k8s/secrets.example.sh,
/// <c>$(VAR)</c> references expanded) plus what the Dapr injector adds — with the cluster's addresses mapped to
/// this machine: a password-protected redis-server for <c>parks-redis</c>, a Dapr sidecar double per pod, local
/// ports for the Services. So a setting the manifests spell differently from the code, a missing secret or a
/// wrong token fails here rather than in a cluster.
/// </summary>
public sealed partial class DeployedSettingsTests : IAsyncLifetime
{
    /// <summary>One Deployment of every image, and the project that builds it.</summary>
    private static readonly (string Deployment, string Project)[] Pods =
    [
        ("parks-district-lingshui", "services/District/Parks.District"),
        ("parks-branchparks", "services/BranchParks/Parks.BranchParks"),
        ("parks-sciencecity", "services/ScienceCity/Parks.ScienceCity"),
        ("parks-talent", "services/Talent/Parks.Talent"),
        ("parks-finance", "services/Finance/Parks.Finance"),
        ("parks-gateway", "gateway/Parks.Gateway"),
    ];

    private readonly List<SidecarDouble> _sidecars = [];
    private readonly List<ChildProcess> _processes = [];
    private readonly Dictionary<string, (int Grpc, int Http)> _ports = [];
    private readonly Dictionary<string, SidecarDouble> _sidecarOf = [];
    private Dictionary<string, Dictionary<string, string>> _secrets = null!;
    private RedisServer? _redis;

    public async Task InitializeAsync()
    {
        var manifest = Manifest.Render("local");
        _secrets = RepositoryTests.SecretsFromExampleScript();
        _redis = await RedisServer.StartNewAsync(new RedisServerOptions { Password = _secrets["parks-redis"]["password"] });
        foreach (var (deployment, _) in Pods) _ports[deployment] = (FreeTcpPort.Next(), FreeTcpPort.Next());

        foreach (var (deployment, project) in Pods)
        {
            var workload = manifest.Get("Deployment", deployment);
            var annotations = workload.TemplateAnnotations();
            var sidecar = await SidecarDouble.StartNewAsync(new DaprSidecarDoubleOptions
            {
                AppId = annotations["dapr.io/app-id"],
                AppPort = int.Parse(annotations["dapr.io/app-port"], System.Globalization.CultureInfo.InvariantCulture) == 8081
                    ? _ports[deployment].Grpc
                    : throw new InvalidOperationException($"{deployment}: Dapr is to deliver to port {annotations["dapr.io/app-port"]}, not the gRPC port 8081"),
                Redis = _redis.ConnectionString,
                DaprApiToken = _secrets[annotations["dapr.io/api-token-secret"]]["token"],
                AppApiToken = _secrets[annotations["dapr.io/app-token-secret"]]["token"],
            });
            _sidecars.Add(sidecar);
            _sidecarOf[deployment] = sidecar;
            _processes.Add(ChildProcess.StartDotnet(Assembly(project), ContainerEnvironment(manifest, deployment, sidecar)));
        }

        foreach (var ((deployment, _), process) in Pods.Zip(_processes))
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_ports[deployment].Http}") };
            await Eventually.WaitUntilAsync(async () =>
            {
                if (process.HasExited) throw new InvalidOperationException($"{deployment} exited with the rendered settings:\n{process.Output}");
                try
                {
                    return (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, $"{deployment} ready with the rendered settings", TimeSpan.FromSeconds(90));
        }
    }

    [Fact]
    public async Task A_district_system_writes_through_the_gateway_and_the_event_reaches_finance_through_dapr()
    {
        using var channel = RpcChannel.ForAddress($"http://127.0.0.1:{_ports["parks-gateway"].Grpc}");
        var key = _secrets["parks-gateway-credentials"]["Parks__Gateway__ApiKeys__district-lingshui"];
        var options = new CallOptions(new Metadata { { "authorization", $"Bearer {key}" } }, DateTime.UtcNow.AddSeconds(30));
        var uscc = UnifiedSocialCreditCode.FromBody("91210231" + Random.Shared.NextInt64(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToString();

        var created = await new EnterpriseService.EnterpriseServiceClient(channel).CreateEnterpriseAsync(new CreateEnterpriseRequest
        {
            Parent = "districts/lingshui",
            Enterprise = new Enterprise
            {
                Uscc = uscc,
                DisplayName = "部署设置测试有限公司",
                Industry = "software-it",
                RegistrationDate = new Google.Type.Date { Year = 2024, Month = 3, Day = 1 },
            },
        }, options);
        Assert.Equal($"districts/lingshui/enterprises/{uscc}", created.Enterprise.Name);

        // Published with the Dapr API token, delivered to finance over h2c with the app token, and answered SUCCESS.
        var finance = _sidecarOf["parks-finance"];
        await Eventually.WaitUntilAsync(
            () => finance.Deliveries.Any(d => d.Topic.EndsWith("EnterpriseRegistered", StringComparison.Ordinal) && d.Outcome == DeliveryOutcome.Success),
            "finance received EnterpriseRegistered through its sidecar", TimeSpan.FromSeconds(30));
        Assert.Equal(0, _sidecarOf["parks-district-lingshui"].RefusedCount);
        Assert.DoesNotContain(finance.Deliveries, d => d.StatusCode is 401 or 403 or 404);
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes) await process.DisposeAsync();
        foreach (var sidecar in _sidecars) await sidecar.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
    }

    /// <summary>The kubelet's environment for the pod's server container, mapped onto this machine.</summary>
    private Dictionary<string, string?> ContainerEnvironment(Manifest manifest, string deployment, SidecarDouble sidecar)
    {
        var workload = manifest.Get("Deployment", deployment);
        var annotations = workload.TemplateAnnotations();
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var variable in manifest.EnvironmentOf(workload).Values)
        {
            var secret = Regex.Match(variable.Source, "^secret/([^/]+)(?:/(.+))?$");
            if (!secret.Success)
            {
                environment[variable.Name] = variable.Value;
            }
            else if (variable.Name.EndsWith('*'))
            {
                foreach (var (name, value) in _secrets[secret.Groups[1].Value]) environment[variable.Name.TrimEnd('*') + name] = value;
            }
            else
            {
                environment[variable.Name] = _secrets[secret.Groups[1].Value][secret.Groups[2].Value];
            }
        }

        // What the Dapr sidecar injector adds to the app container.
        environment["APP_ID"] = annotations["dapr.io/app-id"];
        environment["DAPR_HTTP_PORT"] = sidecar.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["DAPR_GRPC_PORT"] = FreeTcpPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["APP_API_TOKEN"] = _secrets[annotations["dapr.io/app-token-secret"]]["token"];
        environment["DAPR_API_TOKEN"] = _secrets[annotations["dapr.io/api-token-secret"]]["token"];

        // The cluster's addresses, mapped onto this machine.
        var (grpc, http) = _ports[deployment];
        Assert.Equal("8081", environment["Parks__Endpoints__GrpcPort"]);
        Assert.Equal("8080", environment["Parks__Endpoints__HttpPort"]);
        environment["Parks__Endpoints__GrpcPort"] = grpc.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Parks__Endpoints__HttpPort"] = http.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Parks__Endpoints__BindAddress"] = "127.0.0.1";
        environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT"); // no collector here
        foreach (var name in environment.Keys.ToArray())
        {
            environment[name] = MapAddresses(Expand(environment[name], environment));
        }
        return environment;
    }

    /// <summary>Kubernetes' <c>$(VAR)</c> expansion of earlier variables.</summary>
    private static string? Expand(string? value, IReadOnlyDictionary<string, string?> environment) =>
        value is null ? null : VariableReference().Replace(value, m => environment.TryGetValue(m.Groups[1].Value, out var v) && v is not null ? v : m.Value);

    private string? MapAddresses(string? value)
    {
        if (value is null) return null;
        value = value.Replace("parks-redis:6379", $"127.0.0.1:{_redis!.Port}", StringComparison.Ordinal);
        return ServiceAddress().Replace(value, m =>
        {
            var service = m.Groups[1].Value;
            // A Service whose pod this test does not start maps to a closed port: the gateway sees it down.
            var port = _ports.TryGetValue(service, out var ports) ? ports.Grpc : ClosedPort.Value;
            return $"http://127.0.0.1:{port}";
        });
    }

    private static readonly Lazy<int> ClosedPort = new(FreeTcpPort.Next);

    /// <summary>The service's build output for the configuration this test was built in.</summary>
    private static string Assembly(string project)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<configuration>/net10.0/
        var name = Path.GetFileName(project);
        return Repo.Combine(project, "bin", configuration, "net10.0", name + ".dll");
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"http://(parks-[a-z0-9-]+):8081")]
    private static partial Regex ServiceAddress();
}
