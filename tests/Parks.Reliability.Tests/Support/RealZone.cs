using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parks.BranchParks;
using Parks.District;
using Parks.Finance;
using Parks.Gateway;
using Parks.Gateway.Api;
using Parks.Hosting;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Rpc;
using Parks.ScienceCity;
using Parks.Talent;
using Parks.Testing;

namespace Parks.Reliability.Tests.Support;

/// <summary>
/// The whole suite in this process: the Science City, the six district instances, branch parks, talent, finance and
/// the gateway in front of them, each its own WebApplication on its own loopback ports with the same registrations
/// as its Program.cs, sharing one state store and one event broker (as they share one Redis in production).
/// Callers hold real gateway credentials; calls go over real HTTP/2.
/// </summary>
public sealed class RealZone : IAsyncDisposable
{
    public const string InternalKey = "reliability-tests-internal-key-0123456789abcdef";

    /// <summary>Every caller of the matrix: the Science City, six districts, five branch parks, the dashboard, an operator.</summary>
    public static readonly IReadOnlyList<string> Callers =
    [
        "sciencecity",
        .. Parks.Domain.Zone.Districts.Select(d => "district-" + d.Id),
        .. Parks.Domain.Zone.SeedBranchParkIds.Select(p => "branchpark-" + p),
        "dashboard", "operator",
    ];

    private readonly List<WebApplication> _apps = [];
    private readonly List<IDisposable> _disposables = [];

    private RealZone(IReadOnlyDictionary<string, string> keys) => Keys = keys;

    public InMemoryStateStore Store { get; } = new();
    public InMemoryEventBroker Broker { get; } = new();
    public ErrorLog Errors { get; } = new();
    public IReadOnlyDictionary<string, string> Keys { get; }
    public Dictionary<string, string> BackendAddresses { get; } = new(StringComparer.Ordinal);
    public WebApplication Gateway { get; private set; } = null!;
    public RpcChannel GatewayChannel { get; private set; } = null!;
    public HttpClient GatewayHttp { get; private set; } = null!;
    internal AllowList AllowList => Gateway.Services.GetRequiredService<AllowList>();

    public static async Task<RealZone> StartAsync(Action<IDictionary<string, string?>>? gatewaySettings = null)
    {
        var keys = Callers.ToDictionary(c => c, c => $"reliability-{c}-{Guid.NewGuid():N}", StringComparer.Ordinal);
        var zone = new RealZone(keys);
        try
        {
            var starts = new List<Task<(string, WebApplication, int)>>
            {
                zone.StartServiceAsync("sciencecity", null, b => b.AddScienceCity(), a => a.MapScienceCity()),
                zone.StartServiceAsync("branchparks", null, b => b.AddParksDefaults("branchparks").AddBranchParks(b), a => { a.MapParksDefaults(); a.MapParksEvents(); }),
                zone.StartServiceAsync("talent", null, b => b.AddTalent(), a => a.MapTalent()),
                zone.StartServiceAsync("finance", null, b => b.AddFinance(), a => a.MapFinance()),
            };
            foreach (var district in Parks.Domain.Zone.Districts)
            {
                starts.Add(zone.StartServiceAsync("district-" + district.Id, district.Id, b => b.AddParksDefaults("district").AddDistrict(b), a => { a.MapParksDefaults(); a.MapParksEvents(); }));
            }
            foreach (var (name, app, port) in await Task.WhenAll(starts))
            {
                zone._apps.Add(app);
                zone.BackendAddresses[name] = $"http://127.0.0.1:{port}";
            }
            await zone.StartGatewayAsync(gatewaySettings);
            return zone;
        }
        catch
        {
            await zone.DisposeAsync();
            throw;
        }
    }

    public string GrpcAddressOf(string backend) => BackendAddresses[backend];

    private async Task<(string, WebApplication, int)> StartServiceAsync(string name, string? districtId, Action<WebApplicationBuilder> add, Action<WebApplication> map)
    {
        var grpcPort = FreeTcpPort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        var settings = CommonSettings(grpcPort);
        settings["Parks:Events:AppId"] = "parks-" + name;
        if (districtId is not null) settings["Parks:District:Id"] = districtId;
        builder.Configuration.AddInMemoryCollection(settings);
        // The zone's shared store and broker, registered before the service's own wiring so these are the ones used.
        builder.Services.AddSingleton(Store);
        builder.Services.AddSingleton(Broker);
        add(builder);
        builder.Logging.AddProvider(new NamedErrors(Errors, name));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return (name, app, grpcPort);
    }

    private async Task StartGatewayAsync(Action<IDictionary<string, string?>>? configure)
    {
        var (app, channel, http) = await StartGatewayAppAsync(configure);
        Gateway = app;
        GatewayChannel = channel;
        GatewayHttp = http;
    }

    /// <summary>Another gateway in front of the same services (e.g. with tight admission limits); disposed with the zone.</summary>
    public async Task<(RpcChannel Channel, HttpClient Http)> StartExtraGatewayAsync(Action<IDictionary<string, string?>> configure)
    {
        var (_, channel, http) = await StartGatewayAppAsync(configure);
        _disposables.Add(channel);
        _disposables.Add(http);
        return (channel, http);
    }

    private async Task<(WebApplication, RpcChannel, HttpClient)> StartGatewayAppAsync(Action<IDictionary<string, string?>>? configure)
    {
        var grpcPort = FreeTcpPort.Next();
        var httpPort = FreeTcpPort.Next();
        var settings = CommonSettings(grpcPort, httpPort);
        settings["Parks:Events:AppId"] = "parks-gateway";
        // The tests call thousands of times as one caller; the rate limit has its own test.
        settings["Parks:Gateway:RateLimit:TokensPerSecond"] = "100000";
        settings["Parks:Gateway:RateLimit:Burst"] = "100000";
        foreach (var (caller, key) in Keys) settings[$"Parks:Gateway:ApiKeys:{caller}"] = key;
        foreach (var (name, address) in BackendAddresses) settings[$"Parks:Services:{name}"] = address;
        configure?.Invoke(settings);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(Store);
        builder.Services.AddSingleton(Broker);
        var rpc = builder.AddParksDefaults("gateway");
        builder.AddGateway(rpc, Api.Value);
        builder.Logging.AddProvider(new NamedErrors(Errors, "gateway"));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapParksDefaults();
        app.MapGateway();
        await app.StartAsync();
        _apps.Add(app);
        return (app, RpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}"),
            new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") });
    }

    private static Dictionary<string, string?> CommonSettings(int grpcPort, int? httpPort = null) => new()
    {
        ["Parks:Endpoints:GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
        ["Parks:Endpoints:HttpPort"] = (httpPort ?? FreeTcpPort.Next()).ToString(CultureInfo.InvariantCulture),
        ["Parks:Endpoints:BindAddress"] = "127.0.0.1",
        ["Parks:Hosting:LogFormat"] = "simple",
        ["Parks:Hosting:ShutdownTimeoutSeconds"] = "2",
        ["Parks:Security:InternalKey"] = InternalKey,
        ["Parks:State:Provider"] = "InMemory",
        ["Parks:Events:Provider"] = "InMemory",
    };

    /// <summary>The gateway's API: the product's contracts and allow-list, as the gateway loads them.</summary>
    private static readonly Lazy<GatewayApi> Api = new(() => new GatewayApi());

    /// <summary>The gateway's API (loaded once: descriptors and the allow-list do not change).</summary>
    internal static GatewayApi GatewayApiForTests => Api.Value;

    /// <summary>Call options with a caller's API key.</summary>
    public CallOptions As(string caller, Metadata? extra = null)
    {
        var headers = new Metadata { { "authorization", "Bearer " + Keys[caller] } };
        foreach (var entry in extra ?? []) headers.Add(entry);
        return new CallOptions(headers, DateTime.UtcNow.AddSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        GatewayHttp?.Dispose();
        GatewayChannel?.Dispose();
        foreach (var disposable in _disposables) disposable.Dispose();
        foreach (var app in Enumerable.Reverse(_apps))
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}

/// <summary>Collects error-level log entries of every host (a functional test fails when a server logged an unexpected error).</summary>
public sealed class ErrorLog
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    public void Add(string entry) => _entries.Enqueue(entry);
}

internal sealed class NamedErrors(ErrorLog log, string host) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(log, host, categoryName);

    public void Dispose() { }

    private sealed class Logger(ErrorLog log, string host, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) log.Add($"{host} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
