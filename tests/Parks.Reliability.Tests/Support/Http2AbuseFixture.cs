using Grpc.Health.V1;
using Parks.Rpc;
using Parks.Testing;

namespace Parks.Reliability.Tests.Support;

/// <summary>
/// The servers the HTTP/2 abuse tests attack: the District service (lingshui, in-memory state and events) and the
/// gateway in front of it, each a separate <c>dotnet</c> process from its build output with its own Program.cs, as in
/// production. Separate processes so a crash shows as an exited process rather than a dead test host, and so the CPU
/// time each server spends on an attack can be read from <c>/proc/&lt;pid&gt;/stat</c>.
/// </summary>
public sealed class Http2AbuseFixture : IAsyncLifetime
{
    private readonly Dictionary<string, ServiceProcess> _targets = new(StringComparer.Ordinal);

    public ServiceProcess this[string name] => _targets[name];

    public async Task InitializeAsync()
    {
        var (districtGrpc, districtHttp) = (FreeTcpPort.Next(), FreeTcpPort.Next());
        _targets["district"] = await ServiceProcess.StartAsync("district", ProcessZone.ServiceDll("District"), districtGrpc, districtHttp, new()
        {
            ["Parks__District__Id"] = "lingshui",
            ["Parks__State__Provider"] = "InMemory",
            ["Parks__Events__Provider"] = "InMemory",
        });
        var gatewaySettings = new Dictionary<string, string?>
        {
            ["Parks__Services__district-lingshui"] = $"http://127.0.0.1:{districtGrpc}",
            ["Parks__Gateway__ApiKeys__dashboard"] = $"reliability-h2abuse-dashboard-{Guid.NewGuid():N}",
            ["Parks__State__Provider"] = "InMemory",
            ["Parks__Events__Provider"] = "InMemory",
        };
        _targets["gateway"] = await ServiceProcess.StartAsync("gateway", GatewayDll(), FreeTcpPort.Next(), FreeTcpPort.Next(), gatewaySettings);
    }

    /// <summary>The gateway's assembly, built with this project (ProjectReference), in the same configuration.</summary>
    private static string GatewayDll() => RepoRoot.BuildOutput("gateway/Parks.Gateway", "Parks.Gateway.dll");

    public async Task DisposeAsync()
    {
        foreach (var target in _targets.Values) await target.DisposeAsync();
    }
}

/// <summary>
/// A normal client calling the attacked server's health check in a loop (one call at a time, 10 s deadline, its own
/// HTTP/2 connection) from before an attack starts until it is stopped, with at least one call after the stop was
/// asked for, so there is always a call that overlapped the attack's end.
/// </summary>
public sealed class HealthMonitor
{
    private readonly List<string> _failures = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _calls;
    private int _serving;

    public HealthMonitor(ServiceProcess target)
    {
        _loop = Task.Run(async () =>
        {
            using var channel = RpcChannel.ForAddress($"http://{target.Authority}", new RpcChannelOptions { Retry = null });
            var health = new Health.HealthClient(channel);
            while (true)
            {
                var stopAsked = _stop.IsCancellationRequested;
                try
                {
                    var response = await health.CheckAsync(new HealthCheckRequest { Service = "readiness" }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
                    if (response.Status == HealthCheckResponse.Types.ServingStatus.Serving) _serving++;
                    else lock (_failures) _failures.Add(response.Status.ToString());
                }
                catch (RpcException e)
                {
                    lock (_failures) _failures.Add($"{e.StatusCode} {e.Status.Detail}");
                }
                _calls++;
                if (stopAsked) return;
                await Task.Delay(50);
            }
        });
    }

    public int Calls => _calls;
    public int Serving => _serving;

    public IReadOnlyList<string> Failures
    {
        get { lock (_failures) return [.. _failures]; }
    }

    /// <summary>Asks the loop to stop after one more call and waits for it.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
