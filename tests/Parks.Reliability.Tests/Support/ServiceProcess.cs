using System.Globalization;
using Grpc.Health.V1;
using Parks.Rpc;
using Parks.Testing;

namespace Parks.Reliability.Tests.Support;

/// <summary>
/// A Parks service as a <c>dotnet</c> process from its build output (its own Program.cs, as in production) on its own
/// loopback ports: started and awaited until ready, its CPU time and logged errors, and a normal client's view of its
/// health. The reliability tests' process zone, HTTP/2 abuse and connection flood run their servers this way.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    /// <summary>USER_HZ, the unit of utime/stime in /proc/&lt;pid&gt;/stat: 100 on Linux x64 and arm64 (<c>getconf CLK_TCK</c>).</summary>
    private const double ClockTicksPerSecond = 100;

    private ServiceProcess(string name, ChildProcess process, int grpcPort)
    {
        Name = name;
        Process = process;
        GrpcPort = grpcPort;
    }

    public string Name { get; }
    public ChildProcess Process { get; }
    public int GrpcPort { get; }
    public string Authority => $"127.0.0.1:{GrpcPort}";

    /// <summary>
    /// Starts the service with the given settings (environment variables, <c>A__B=value</c>) on top of the common
    /// ones — production environment, the ports on loopback, simple log lines, the tests' internal key, a 5 s shutdown
    /// timeout, each unless given — and waits until its readiness is SERVING.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string name, string dll, int grpc, int http, Dictionary<string, string?> settings)
    {
        settings["ASPNETCORE_ENVIRONMENT"] = "Production";
        settings["Parks__Endpoints__GrpcPort"] = grpc.ToString(CultureInfo.InvariantCulture);
        settings["Parks__Endpoints__HttpPort"] = http.ToString(CultureInfo.InvariantCulture);
        settings["Parks__Endpoints__BindAddress"] = "127.0.0.1";
        settings["Parks__Hosting__LogFormat"] = "simple";
        settings.TryAdd("Parks__Hosting__ShutdownTimeoutSeconds", "5");
        settings["Parks__Security__InternalKey"] = RealZone.InternalKey;
        var target = new ServiceProcess(name, ChildProcess.StartDotnet(dll, settings), grpc);
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
