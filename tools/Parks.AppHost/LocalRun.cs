using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Parks.Hosting.Embedded;
using Parks.Rpc;

namespace Parks.AppHost;

/// <summary>
/// One local run: picks the storage (embedded backplane, or a redis-server), starts every built service on its
/// own ports — each in its own process, or all in this one — wired as in production, reports each service's
/// readiness as it comes, prints where everything is, and on Ctrl-C/SIGTERM stops everything it started.
/// </summary>
internal sealed class LocalRun(AppHostOptions options, Reporter reporter, string baseDirectory)
{
    private readonly List<RunningService> _services = [];
    private WebApplication? _backplane;
    private RedisServerProcess? _redis;
    private string? _runFile;

    public async Task<int> RunAsync(CancellationToken stop)
    {
        var started = Stopwatch.StartNew();
        var builds = ServiceCatalog.FindBuilds(baseDirectory);
        var instances = ServiceCatalog.Instances(builds);
        var missing = ServiceCatalog.Missing(builds).ToList();
        var redisExecutable = RedisServerProcess.Find(options.RedisServer);
        var useRedis = options.Redis || !string.IsNullOrEmpty(options.RedisServer);
        if (useRedis && redisExecutable is null)
        {
            reporter.Error(string.IsNullOrEmpty(options.RedisServer)
                ? "--redis: no redis-server on PATH. Install it (apt-get install redis-server) or set Parks:AppHost:RedisServer."
                : $"Parks:AppHost:RedisServer: '{options.RedisServer}' does not exist.");
            return 2;
        }
        var storage = useRedis ? "redis" : options.SingleProcess ? "in-memory" : "embedded";
        var mode = options.SingleProcess ? "single-process" : "processes";
        reporter.Bold($"Parks local run — {Describe(mode, storage)}");
        if (missing.Count > 0) reporter.Warn($"Not part of this run (no build of them on this branch yet): {string.Join(", ", missing)}");
        if (instances.Count == 0)
        {
            reporter.Error("No service is built, so there is nothing to run. Build with: dotnet build tools/Parks.AppHost");
            return 1;
        }

        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var ports = new Ports(options.PortBase);
        int gatewayHttp, gatewayGrpc;
        try
        {
            gatewayHttp = ports.Exactly(options.GatewayHttpPort, "the gateway's HTTP endpoint (dashboard)");
            gatewayGrpc = ports.Exactly(options.GatewayGrpcPort, "the gateway's gRPC endpoint");
        }
        catch (InvalidOperationException e)
        {
            reporter.Error(e.Message);
            return 2;
        }

        try
        {
            string? backplaneAddress = null;
            if (useRedis)
            {
                _redis = await RedisServerProcess.StartAsync(redisExecutable!, ports.Any(), stop);
                reporter.Note($"redis-server on {_redis.ConnectionString} ({redisExecutable})");
            }
            else if (!options.SingleProcess)
            {
                var (grpc, http) = ports.Backplane();
                _backplane = EmbeddedBackplaneHost.Build(new EmbeddedBackplane(key), grpc, http);
                await _backplane.StartAsync(stop);
                backplaneAddress = $"http://127.0.0.1:{grpc}";
                reporter.Note($"embedded state store and event broker on {backplaneAddress}");
            }

            var assigned = new List<(ServiceInstance Instance, int Grpc, int Http)>();
            var n = 0;
            foreach (var instance in instances)
            {
                n++;
                if (instance.IsGateway)
                {
                    assigned.Add((instance, gatewayGrpc, gatewayHttp));
                }
                else
                {
                    var (grpc, http) = ports.Service(n);
                    assigned.Add((instance, grpc, http));
                }
            }
            reporter.PrefixWidth = instances.Max(i => i.AppId.Length);
            var routes = assigned.Where(a => !a.Instance.IsGateway).ToDictionary(a => a.Instance.Route!, a => $"http://127.0.0.1:{a.Grpc}");

            var index = 0;
            foreach (var (instance, grpc, http) in assigned)
            {
                var settings = Settings(instance, grpc, http, key, storage, backplaneAddress, routes);
                RunningService service = options.SingleProcess
                    ? await InProcessService.StartAsync(instance, index, grpc, http, settings, stop)
                    : ServiceProcess.Start(instance, index, grpc, http, settings, reporter, options.Verbose);
                _services.Add(service);
                index++;
            }

            var notReady = await WaitUntilReadyAsync(started, stop);
            if (stop.IsCancellationRequested) return 0;
            var readyAfter = started.Elapsed;
            var apiKeys = GatewayCredentials.Read(instances.FirstOrDefault(i => i.IsGateway));
            _runFile = options.RunFile ?? LocalRunFile.DefaultPath;
            var gateway = _services.FirstOrDefault(s => s.Instance.IsGateway);
            new LocalRunFile
            {
                ProcessId = Environment.ProcessId,
                Mode = mode,
                Storage = storage,
                GatewayGrpcAddress = gateway is null ? null : $"http://localhost:{gateway.GrpcPort}",
                GatewayHttpAddress = gateway is null ? null : $"http://localhost:{gateway.HttpPort}",
                InternalKey = key,
                ApiKeys = apiKeys,
                Services = [.. _services.Select(s => new LocalRunService(s.Instance.AppId, s.GrpcAddress, s.HttpAddress))],
                BackplaneAddress = backplaneAddress,
                RedisAddress = _redis?.ConnectionString,
            }.Save(_runFile);
            PrintBanner(mode, storage, readyAfter, notReady, gateway, apiKeys);

            foreach (var service in _services.Except(notReady))
            {
                // A service that ends on its own is reported; the others keep running until Ctrl-C.
                _ = service.Exited.ContinueWith(t =>
                {
                    if (!stop.IsCancellationRequested)
                        reporter.Error($"{service.Instance.AppId} {t.Result}; the rest keeps running. Its last output:{Environment.NewLine}{service.RecentOutput}");
                }, TaskScheduler.Default);
            }
            await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            reporter.Error(e.Message);
            return 1;
        }
        finally
        {
            await StopAllAsync();
        }
    }

    private static string Describe(string mode, string storage) =>
        (mode == "processes" ? "each service in its own process" : "every service in this process") + "; " + storage switch
        {
            "redis" => "state and events in Redis (a redis-server started for this run)",
            "embedded" => "state and events embedded: one in-memory store and broker in the AppHost, shared over gRPC",
            _ => "state and events in memory, shared in this process",
        };

    /// <summary>The configuration of one instance: the production keys, with local values.</summary>
    private Dictionary<string, string> Settings(ServiceInstance instance, int grpc, int http, string key, string storage,
        string? backplaneAddress, IReadOnlyDictionary<string, string> routes)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["APP_ID"] = instance.AppId,
            ["Parks:Service:AppId"] = instance.AppId,
            ["Parks:Endpoints:GrpcPort"] = grpc.ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:HttpPort"] = http.ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:BindAddress"] = "127.0.0.1",
            ["Parks:Security:InternalKey"] = key,
            ["Parks:Hosting:LogFormat"] = "simple",
            ["Parks:Hosting:ShutdownTimeoutSeconds"] = "5",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Parks:Units:DemoData"] = options.DemoData ? "true" : "false",
            // The dashboard then shows the demo records it loaded (flagged in the overview), not only the real ones.
            ["Parks:Gateway:Overview:IncludeDemoData"] = options.DemoData ? "true" : "false",
        };
        if (!options.SingleProcess) settings["Parks:Hosting:ParentProcessId"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (options.SingleProcess && !options.Verbose) settings["Logging:LogLevel:Default"] = "Warning";
        switch (storage)
        {
            case "redis":
                settings["Parks:State:Provider"] = "Redis";
                settings["Parks:State:Redis"] = _redis!.ConnectionString;
                settings["Parks:Events:Provider"] = "Redis";
                break;
            case "embedded":
                settings["Parks:State:Provider"] = EmbeddedOptions.ProviderName;
                settings["Parks:Events:Provider"] = EmbeddedOptions.ProviderName;
                settings["Parks:Embedded:Address"] = backplaneAddress!;
                // A start-up of the whole suite on two busy cores can hold a call up for seconds: not a failure.
                settings["Parks:Embedded:OperationTimeout"] = "00:00:15";
                break;
            default:
                settings["Parks:State:Provider"] = "InMemory";
                settings["Parks:Events:Provider"] = "InMemory";
                break;
        }
        foreach (var (name, value) in instance.Settings) settings[name] = value;
        if (instance.IsGateway)
        {
            foreach (var (route, address) in routes) settings[$"Parks:Services:{route}"] = address;
        }
        return settings;
    }

    /// <summary>
    /// Polls grpc.health.v1 Check("readiness") on every service, reporting each as it comes up, until all serve or
    /// have ended or <see cref="AppHostOptions.ReadyTimeout"/> has passed. Returns the services that are not ready.
    /// </summary>
    private async Task<IReadOnlyList<RunningService>> WaitUntilReadyAsync(Stopwatch started, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(options.ReadyTimeout);
        var results = await Task.WhenAll(_services.Select(async service =>
        {
            using var channel = RpcChannel.ForAddress(service.GrpcAddress);
            var health = new Health.HealthClient(channel);
            while (!timeout.IsCancellationRequested && !service.Exited.IsCompleted)
            {
                try
                {
                    var response = await health.CheckAsync(new HealthCheckRequest { Service = "readiness" },
                        new CallOptions(deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: timeout.Token));
                    if (response.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                    {
                        reporter.Good($"  ✓ {service.Instance.AppId.PadRight(reporter.PrefixWidth)} ready after {started.Elapsed.TotalSeconds:0.0} s   gRPC {service.GrpcAddress}   HTTP {service.HttpAddress}");
                        return (Service: service, Ready: true);
                    }
                }
                catch (RpcException)
                {
                    // not listening yet
                }
                await Task.WhenAny(Task.Delay(100, timeout.Token), service.Exited);
            }
            if (service.Exited.IsCompleted)
            {
                var output = options.Verbose ? "" : $" Its last output:{Environment.NewLine}{service.RecentOutput}";
                reporter.Error($"  ✗ {service.Instance.AppId} {service.Exited.Result} before it was ready.{output}");
            }
            else if (!stop.IsCancellationRequested)
            {
                reporter.Error($"  ✗ {service.Instance.AppId} is not ready after {options.ReadyTimeout.TotalSeconds:0} s (grpc.health.v1 Check \"readiness\" on {service.GrpcAddress}).");
            }
            return (Service: service, Ready: false);
        }));
        return [.. results.Where(r => !r.Ready).Select(r => r.Service)];
    }

    private void PrintBanner(string mode, string storage, TimeSpan ready, IReadOnlyList<RunningService> notReady, RunningService? gateway, IReadOnlyDictionary<string, string> apiKeys)
    {
        reporter.Line();
        if (notReady.Count == 0)
            reporter.Bold($"Parks is ready in {ready.TotalSeconds:0.0} s ({_services.Count} services; {Describe(mode, storage)}).");
        else
            reporter.Warn($"Parks is running, but {notReady.Count} of {_services.Count} services are not ready: {string.Join(", ", notReady.Select(s => s.Instance.AppId))} (see above).");
        if (gateway is not null)
        {
            reporter.Line($"  Dashboard      http://localhost:{gateway.HttpPort}/");
            reporter.Line($"  gRPC endpoint  localhost:{gateway.GrpcPort}  (h2c; reflection on: grpcurl -plaintext localhost:{gateway.GrpcPort} list)");
            reporter.Line($"  REST/JSON      curl -H \"authorization: Bearer <key>\" http://localhost:{gateway.HttpPort}/v1/overview");
            if (apiKeys.Count > 0)
            {
                reporter.Line("  Demo credentials (send as \"authorization: Bearer <key>\"; the dashboard asks for one):");
                foreach (var (caller, value) in apiKeys.OrderBy(k => k.Key, StringComparer.Ordinal)) reporter.Line($"    {caller.PadRight(24)} {value}");
            }
        }
        else
        {
            reporter.Warn("  No gateway on this branch yet: call the services directly (addresses above).");
        }
        reporter.Line($"  Operator CLI   dotnet run --project tools/Parks.Cli -- health   (reads {_runFile})");
        reporter.Note("Press Ctrl-C to stop everything.");
    }

    private async Task StopAllAsync()
    {
        if (_services.Count > 0 || _backplane is not null || _redis is not null) reporter.Note("Stopping…");
        await Task.WhenAll(_services.Select(s => s.StopAsync(options.StopTimeout)));
        foreach (var service in _services) await service.DisposeAsync();
        if (_backplane is not null) await _backplane.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
        if (_runFile is not null && LocalRunFile.Load(_runFile) is { } file && file.ProcessId == Environment.ProcessId) File.Delete(_runFile);
        if (_services.Count > 0) reporter.Note("Stopped: no service is left running.");
    }
}
