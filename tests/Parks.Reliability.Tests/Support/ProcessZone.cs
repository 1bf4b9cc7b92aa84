using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parks.Gateway;
using Parks.Hosting;
using Parks.Hosting.State;
using Parks.Rpc;
using Parks.Talent;
using Parks.Testing;
using StackExchange.Redis;

namespace Parks.Reliability.Tests.Support;

/// <summary>
/// Two districts, branch parks, the Science City and finance as separate processes (their own Program.cs, from their
/// build output) on a real redis-server (state and Redis Streams events, append-only file fsynced at every write), the
/// talent service consuming their events, and the gateway in front: the set-up of the crash and rolling-restart
/// tests. A service process can be killed (SIGKILL), stopped gracefully (SIGTERM) and started again on the same ports.
/// </summary>
public sealed class ProcessZone : IAsyncDisposable
{
    public static readonly string[] Districts = ["lingshui", "qixianling"];

    /// <summary>The other services run as processes: one instance each, named as the gateway routes to them.</summary>
    public static readonly string[] Services = ["branchparks", "sciencecity", "finance"];

    /// <summary>Every process of the zone: the districts (by id) and the other services (by name).</summary>
    public static readonly string[] Processes = [.. Districts, .. Services];

    /// <summary>The branch park whose system writes in the load.</summary>
    public const string Park = "changxingdao";

    private readonly Dictionary<string, (int Grpc, int Http)> _ports = [];
    private readonly Dictionary<string, ServiceProcess> _children = [];
    private (int Grpc, int Http) _talentPorts;
    private (int Grpc, int Http) _gatewayPorts;
    private WebApplication? _talent;
    private WebApplication? _gateway;

    private ProcessZone(RedisServer redis) => Redis = redis;

    public RedisServer Redis { get; }
    public ErrorLog Errors { get; } = new();
    public RpcChannel GatewayChannel { get; private set; } = null!;
    public IReadOnlyDictionary<string, string> Keys { get; private set; } = null!;

    /// <summary>A service's assembly, built with this project (ProjectReference): <c>services/{folder}/Parks.{folder}</c>.</summary>
    public static string ServiceDll(string folder) => RepoRoot.BuildOutput($"services/{folder}/Parks.{folder}", $"Parks.{folder}.dll");

    /// <summary>The name the gateway routes a process's calls to (<c>Parks:Services:&lt;route&gt;</c>).</summary>
    public static string RouteOf(string process) => Districts.Contains(process) ? "district-" + process : process;

    public static async Task<ProcessZone> StartAsync()
    {
        var redis = await RedisServer.StartNewAsync(new RedisServerOptions { AppendOnly = true, AppendFsync = "always" });
        var zone = new ProcessZone(redis);
        try
        {
            foreach (var process in Processes) _ = zone._ports[process] = (FreeTcpPort.Next(), FreeTcpPort.Next());
            zone._talentPorts = (FreeTcpPort.Next(), FreeTcpPort.Next());
            zone._gatewayPorts = (FreeTcpPort.Next(), FreeTcpPort.Next());
            zone.Keys = new[] { "district-lingshui", "district-qixianling", "branchpark-" + Park, "sciencecity", "dashboard", "operator" }
                .ToDictionary(c => c, c => $"reliability-{c}-{Guid.NewGuid():N}");
            zone.GatewayChannel = RpcChannel.ForAddress($"http://127.0.0.1:{zone._gatewayPorts.Grpc}");
            await Task.WhenAll(Processes.Select(zone.StartProcessAsync));
            await zone.StartTalentAsync();
            await zone.StartGatewayAsync();
            return zone;
        }
        catch
        {
            await zone.DisposeAsync();
            throw;
        }
    }

    public string AddressOf(string process) => $"http://127.0.0.1:{_ports[process].Grpc}";

    public ChildProcess Process(string process) => _children[process].Process;

    /// <summary>Starts a district (by id) or another service (by name) as a process on its ports and waits until it is ready.</summary>
    public async Task StartProcessAsync(string process)
    {
        var (grpc, http) = _ports[process];
        var isDistrict = Districts.Contains(process);
        var folder = isDistrict ? "District" : process switch
        {
            "branchparks" => "BranchParks",
            "sciencecity" => "ScienceCity",
            "finance" => "Finance",
            _ => throw new ArgumentException($"no service process '{process}'", nameof(process)),
        };
        var settings = new Dictionary<string, string?>
        {
            ["Parks__Hosting__DrainDelaySeconds"] = "2",
            ["Parks__Hosting__ShutdownTimeoutSeconds"] = "10",
            ["Parks__State__Provider"] = "Redis",
            ["Parks__State__Redis"] = Redis.ConnectionString,
            ["Parks__Events__Provider"] = "Redis",
        };
        if (isDistrict) settings["Parks__District__Id"] = process;
        if (_children.Remove(process, out var previous)) await previous.DisposeAsync();
        _children[process] = await ServiceProcess.StartAsync(process, ServiceDll(folder), grpc, http, settings);
    }

    /// <summary>Stops the talent service gracefully (its consumer finishes the events in hand) and starts it again on its ports.</summary>
    public async Task RestartTalentAsync()
    {
        await StopAsync(_talent);
        _talent = null;
        await StartTalentAsync();
    }

    /// <summary>Stops the gateway gracefully: it stops accepting calls and finishes those in flight.</summary>
    public async Task StopGatewayAsync()
    {
        await StopAsync(_gateway);
        _gateway = null;
    }

    private static async Task StopAsync(WebApplication? app)
    {
        if (app is null) return;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task StartTalentAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(Settings(_talentPorts.Grpc, _talentPorts.Http, new()
        {
            ["Parks:State:Provider"] = "Redis",
            ["Parks:State:Redis"] = Redis.ConnectionString,
            ["Parks:Events:Provider"] = "Redis",
            ["Parks:Events:AppId"] = "parks-talent",
        }));
        builder.AddTalent();
        builder.Logging.AddProvider(new NamedErrors(Errors, "talent"));
        var app = builder.Build();
        app.MapTalent();
        await app.StartAsync();
        _talent = app;
    }

    /// <summary>Starts the gateway on its ports (the same ones after a stop), with the zone's caller keys.</summary>
    public async Task StartGatewayAsync()
    {
        var settings = Settings(_gatewayPorts.Grpc, _gatewayPorts.Http, new()
        {
            ["Parks:State:Provider"] = "InMemory",
            ["Parks:Events:Provider"] = "InMemory",
            ["Parks:Events:AppId"] = TestIds.New("rel-gateway"),
            ["Parks:Gateway:Overview:UnitTimeoutMilliseconds"] = "1000",
            ["Parks:Gateway:Overview:FreshMilliseconds"] = "0",
            ["Parks:Gateway:Overview:RetryFailedAfterMilliseconds"] = "0",
            // The operator writes in the load and reads thousands of records back afterwards; rate limits are case 4's.
            ["Parks:Gateway:CallerRateLimits:operator:TokensPerSecond"] = "100000",
            ["Parks:Gateway:CallerRateLimits:operator:Burst"] = "100000",
        });
        foreach (var (caller, key) in Keys) settings[$"Parks:Gateway:ApiKeys:{caller}"] = key;
        foreach (var process in Processes) settings[$"Parks:Services:{RouteOf(process)}"] = AddressOf(process);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(new InMemoryStateStore());
        var rpc = builder.AddParksDefaults("gateway");
        builder.AddGateway(rpc, RealZone.GatewayApiForTests);
        builder.Logging.AddProvider(new NamedErrors(Errors, "gateway"));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapParksDefaults();
        app.MapGateway();
        await app.StartAsync();
        _gateway = app;
    }

    private static Dictionary<string, string?> Settings(int grpc, int http, Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Parks:Endpoints:GrpcPort"] = grpc.ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:HttpPort"] = http.ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:BindAddress"] = "127.0.0.1",
            ["Parks:Hosting:LogFormat"] = "simple",
            ["Parks:Hosting:ShutdownTimeoutSeconds"] = "10",
            ["Parks:Security:InternalKey"] = RealZone.InternalKey,
        };
        foreach (var (k, v) in extra) settings[k] = v;
        return settings;
    }

    public CallOptions As(string caller, TimeSpan deadline)
    {
        var headers = new Metadata { { "authorization", "Bearer " + Keys[caller] } };
        return new CallOptions(headers, DateTime.UtcNow + deadline);
    }

    /// <summary>
    /// EnterpriseRegistered events in the Redis stream: per credit code, the distinct event ids and the entries
    /// (deliveries published; an outbox re-publish after a crash adds an entry with the same id).
    /// </summary>
    public async Task<Dictionary<string, (HashSet<string> Ids, int Entries)>> RegisteredEventsAsync()
    {
        using var connection = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        var result = (RedisResult[])(await connection.GetDatabase().ScriptEvaluateAsync(
            "local out = {} for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do local f = e[2] for i = 1, #f, 2 do if f[i] == 'data' then out[#out + 1] = f[i + 1] end end end return out",
            [(RedisKey)"parks.events.v1.EnterpriseRegistered"]))!;
        var events = new Dictionary<string, (HashSet<string>, int)>(StringComparer.Ordinal);
        foreach (var entry in result)
        {
            using var json = JsonDocument.Parse((string)entry!);
            var id = json.RootElement.GetProperty("id").GetString()!;
            var uscc = json.RootElement.GetProperty("data").GetProperty("uscc").GetString()!;
            var (ids, entries) = events.TryGetValue(uscc, out var seen) ? seen : ([], 0);
            ids.Add(id);
            events[uscc] = (ids, entries + 1);
        }
        return events;
    }

    /// <summary>Inbox markers of the talent service (one per event id whose effect it applied).</summary>
    public async Task<int> TalentInboxMarkersAsync()
    {
        using var connection = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString + ",allowAdmin=true");
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        return server.Keys(0, "parks:events:parks-talent:inbox:*", 1000).Count();
    }

    public async ValueTask DisposeAsync()
    {
        GatewayChannel?.Dispose();
        await StopAsync(_gateway);
        await StopAsync(_talent);
        foreach (var child in _children.Values) await child.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
