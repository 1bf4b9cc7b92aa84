using System.Globalization;
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
    private readonly Dictionary<string, AbuseTarget> _targets = new(StringComparer.Ordinal);

    public AbuseTarget this[string name] => _targets[name];

    public async Task InitializeAsync()
    {
        var (districtGrpc, districtHttp) = (FreeTcpPort.Next(), FreeTcpPort.Next());
        _targets["district"] = await AbuseTarget.StartAsync("district", ProcessZone.ServiceDll("District"), districtGrpc, districtHttp, new()
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
        _targets["gateway"] = await AbuseTarget.StartAsync("gateway", GatewayDll(), FreeTcpPort.Next(), FreeTcpPort.Next(), gatewaySettings);
    }

    /// <summary>The gateway's assembly, built with this project (ProjectReference), in the same configuration.</summary>
    private static string GatewayDll()
    {
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(RepoRoot.Path, "gateway", "Parks.Gateway", "bin", tfmDir.Parent!.Name, tfmDir.Name, "Parks.Gateway.dll");
    }

    public async Task DisposeAsync()
    {
        foreach (var target in _targets.Values) await target.DisposeAsync();
    }
}

/// <summary>One attacked server process: its gRPC port, its CPU time, and a normal client's view of its health.</summary>
public sealed class AbuseTarget : IAsyncDisposable
{
    /// <summary>USER_HZ, the unit of utime/stime in /proc/&lt;pid&gt;/stat: 100 on Linux x64 and arm64 (<c>getconf CLK_TCK</c>).</summary>
    private const double ClockTicksPerSecond = 100;

    private AbuseTarget(string name, ChildProcess process, int grpcPort)
    {
        Name = name;
        Process = process;
        GrpcPort = grpcPort;
    }

    public string Name { get; }
    public ChildProcess Process { get; }
    public int GrpcPort { get; }
    public string Authority => $"127.0.0.1:{GrpcPort}";

    public static async Task<AbuseTarget> StartAsync(string name, string dll, int grpc, int http, Dictionary<string, string?> settings)
    {
        settings["ASPNETCORE_ENVIRONMENT"] = "Production";
        settings["Parks__Endpoints__GrpcPort"] = grpc.ToString(CultureInfo.InvariantCulture);
        settings["Parks__Endpoints__HttpPort"] = http.ToString(CultureInfo.InvariantCulture);
        settings["Parks__Endpoints__BindAddress"] = "127.0.0.1";
        settings["Parks__Hosting__LogFormat"] = "simple";
        settings["Parks__Hosting__ShutdownTimeoutSeconds"] = "5";
        settings["Parks__Security__InternalKey"] = RealZone.InternalKey;
        var target = new AbuseTarget(name, ChildProcess.StartDotnet(dll, settings), grpc);
        try
        {
            await Eventually.WaitUntilAsync(async () =>
            {
                if (target.Process.HasExited) throw new InvalidOperationException($"{name} exited at start:\n{target.Process.Output}");
                return await target.ReadinessAsync(TimeSpan.FromSeconds(2)) == HealthCheckResponse.Types.ServingStatus.Serving;
            }, $"{name} to be ready", TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(100));
            return target;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    /// <summary>CPU time the process has used so far (user + system), from /proc/&lt;pid&gt;/stat fields 14 and 15.</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{Process.Id}/stat");
        // The command name (field 2) is in parentheses and may contain spaces: count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
    }

    /// <summary>Lines the server logged at error or critical level (simple console format: "fail:" / "crit:"), from the kept tail of its output.</summary>
    public string[] ErrorLines() => Process.Output.Split('\n').Where(l => l.Contains("fail: ", StringComparison.Ordinal) || l.Contains("crit: ", StringComparison.Ordinal)).ToArray();

    /// <summary>Error lines logged since <paramref name="before"/> was taken (each line names its connection, so lines repeat only when logged again).</summary>
    public string[] ErrorLinesSince(IReadOnlyCollection<string> before) => ErrorLines().Except(before, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The readiness a normal client reads over its own, new connection (the repo's RPC client, no retries so a
    /// failure shows); Unknown with the failure when the call failed.
    /// </summary>
    public async Task<HealthCheckResponse.Types.ServingStatus> ReadinessAsync(TimeSpan deadline) => (await CheckAsync(deadline)).Status;

    public async Task<(HealthCheckResponse.Types.ServingStatus Status, string? Failure)> CheckAsync(TimeSpan deadline)
    {
        using var channel = RpcChannel.ForAddress($"http://{Authority}", new RpcChannelOptions { Retry = null });
        try
        {
            var response = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "readiness" }, new CallOptions(deadline: DateTime.UtcNow + deadline));
            return (response.Status, null);
        }
        catch (RpcException e)
        {
            return (HealthCheckResponse.Types.ServingStatus.Unknown, $"{e.StatusCode} {e.Status.Detail}");
        }
    }

    /// <summary>Starts a normal client checking readiness over and over on its own connection while an attack runs.</summary>
    public HealthMonitor StartMonitor() => new(this);

    public ValueTask DisposeAsync() => Process.DisposeAsync();
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

    public HealthMonitor(AbuseTarget target)
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
