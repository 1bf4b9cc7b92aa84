using System.Globalization;
using Grpc.Health.V1;
using Parks.DaprSidecarDouble;
using Parks.Rpc;
using Parks.Testing;

namespace Parks.Flows.Tests.Support;

/// <summary>
/// One Dapr app of the zone as it runs in Kubernetes: the service's built assembly as its own process, configured
/// only through environment variables, with its Dapr sidecar (here the double) next to it. The sidecar delivers to the
/// app's h2c gRPC port (dapr.io/app-port 8081, app-protocol h2c); both tokens are checked as in production.
/// </summary>
internal sealed class ZoneApp : IAsyncDisposable
{
    private ZoneApp(string appId, int grpcPort, int httpPort, SidecarDouble sidecar, ChildProcess process)
    {
        AppId = appId;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        Sidecar = sidecar;
        Process = process;
        Channel = RpcChannel.ForAddress(GrpcAddress);
    }

    public string AppId { get; }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public string GrpcAddress => $"http://127.0.0.1:{GrpcPort}";

    public SidecarDouble Sidecar { get; }

    public ChildProcess Process { get; }

    /// <summary>A gRPC channel straight to the service (callers' identity is set per call).</summary>
    public RpcChannel Channel { get; }

    /// <summary>Starts the sidecar double and then the service process (the sidecar waits for the app port, as daprd does).</summary>
    public static async Task<ZoneApp> StartAsync(string appId, string assembly, ZoneSettings zone, IReadOnlyDictionary<string, string?> own)
    {
        var grpcPort = FreeTcpPort.Next();
        var httpPort = FreeTcpPort.Next();
        var sidecar = await SidecarDouble.StartNewAsync(new DaprSidecarDoubleOptions
        {
            AppId = appId,
            AppPort = grpcPort,
            Redis = zone.Redis,
            StreamKeyPrefix = zone.StreamPrefix,
            DaprApiToken = zone.DaprApiToken,
            AppApiToken = zone.AppApiToken,
            // An inbound resiliency policy with more retries than the app's MaxAttempts (docs/architecture.md, "On Kubernetes").
            MaxRetries = 8,
            RetryInterval = TimeSpan.FromMilliseconds(200),
            ProcessingTimeout = TimeSpan.FromSeconds(5),
            RedeliverInterval = TimeSpan.FromMilliseconds(500),
        });
        var environment = new Dictionary<string, string?>
        {
            ["Parks__Endpoints__GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Parks__Endpoints__HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["Parks__Endpoints__BindAddress"] = "127.0.0.1",
            ["Parks__Hosting__LogFormat"] = "simple",
            ["Parks__Hosting__ShutdownTimeoutSeconds"] = "1",
            // The service stops by itself if the test process dies without killing it.
            ["Parks__Hosting__ParentProcessId"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            ["Parks__Security__InternalKey"] = zone.InternalKey,
            ["Parks__State__Provider"] = "Redis",
            ["Parks__State__Redis"] = zone.Redis,
            ["Parks__Events__Provider"] = "Dapr",
            ["Parks__Events__AppId"] = appId,
            ["Parks__Events__Dapr__HttpEndpoint"] = sidecar.HttpEndpoint,
            ["Parks__Events__Outbox__PollInterval"] = "00:00:00.250",
            ["DAPR_API_TOKEN"] = zone.DaprApiToken,
            ["APP_API_TOKEN"] = zone.AppApiToken,
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in own) environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        ChildProcess process;
        try
        {
            process = ChildProcess.StartDotnet(assembly, environment);
        }
        catch
        {
            await sidecar.DisposeAsync();
            throw;
        }
        return new ZoneApp(appId, grpcPort, httpPort, sidecar, process);
    }

    /// <summary>Waits until the service answers readiness SERVING and its sidecar has read its subscriptions.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var health = new Health.HealthClient(Channel);
        await Eventually.WaitUntilAsync(async () =>
        {
            if (Process.HasExited) throw new InvalidOperationException($"{AppId} exited during start-up:\n{Process.Output}");
            try
            {
                var answer = await health.CheckAsync(new HealthCheckRequest { Service = "readiness" }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(2)));
                return answer.Status == HealthCheckResponse.Types.ServingStatus.Serving && Sidecar.Subscriptions is not null;
            }
            catch (RpcException)
            {
                return false;
            }
        }, $"{AppId} to be ready", timeout, TimeSpan.FromMilliseconds(200));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Process.DisposeAsync();
        await Sidecar.DisposeAsync();
    }
}

/// <summary>What every app of one zone shares: the redis-server, the stream prefix (the pub/sub component), the keys.</summary>
internal sealed record ZoneSettings(string Redis, string StreamPrefix, string InternalKey, string DaprApiToken, string AppApiToken);
