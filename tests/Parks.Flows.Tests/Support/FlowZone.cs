using Parks.Domain;
using Parks.Rpc;
using Parks.Testing;

namespace Parks.Flows.Tests.Support;

[CollectionDefinition(FlowZone.Collection)]
public sealed class FlowZoneCollection : ICollectionFixture<FlowZone>;

/// <summary>
/// The zone the flow tests run against, started once for the collection: a real redis-server (state and the Redis
/// Streams behind the pub/sub component), and the district service twice (lingshui, longtou), branch parks, the
/// Science City, talent, finance and the gateway, each its own process next to its own Dapr sidecar double. Each test
/// owns its data (fresh credit codes and ids), so the tests share the zone and run in any order.
/// </summary>
public sealed partial class FlowZone : IAsyncLifetime
{
    public const string Collection = "flows zone";

    /// <summary>How long one effect may take to appear on a shared, loaded machine (this checks that it happens, not how fast).</summary>
    public static readonly TimeSpan EffectTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);

    private readonly List<ZoneApp> _apps = [];
    private readonly Dictionary<string, string> _apiKeys = new[] { "district-lingshui", "district-longtou", "branchpark-jinpu", "sciencecity", "operator-flows", "dashboard" }
        .ToDictionary(caller => caller, caller => $"flows-{caller}-{Guid.NewGuid():N}", StringComparer.Ordinal);
    private RedisServer? _redis;
    private ZoneSettings? _settings;

    internal ZoneApp Lingshui { get; private set; } = null!;
    internal ZoneApp Longtou { get; private set; } = null!;
    internal ZoneApp BranchParks { get; private set; } = null!;
    internal ZoneApp ScienceCity { get; private set; } = null!;
    internal ZoneApp Talent { get; private set; } = null!;
    internal ZoneApp Finance { get; private set; } = null!;
    internal ZoneApp Gateway { get; private set; } = null!;

    /// <summary>The gateway's live feed as the dashboard reads it (Server-Sent Events), followed from start-up.</summary>
    internal FeedReader Feed { get; private set; } = null!;

    internal string DashboardKey => _apiKeys["dashboard"];

    /// <summary>The gateway's gRPC endpoint: the one front door the unit systems, the dashboard and operators call.</summary>
    internal RpcChannel Front => Gateway.Channel;

    internal IReadOnlyList<ZoneApp> Apps => _apps;

    /// <summary>The zone's redis-server (the services' state store), for the few checks no RPC answers yet.</summary>
    internal string RedisConnectionString => _redis!.ConnectionString;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        _settings = new ZoneSettings(_redis.ConnectionString, TestIds.New("flows") + ":", "flows-internal-key-" + Guid.NewGuid().ToString("N"),
            "flows-dapr-token-" + Guid.NewGuid().ToString("N"), "flows-app-token-" + Guid.NewGuid().ToString("N"));
        var builds = ServiceAssemblies.Load();

        async Task<ZoneApp> Start(string appId, string service, Dictionary<string, string?>? own = null)
        {
            var app = await ZoneApp.StartAsync(appId, builds.Of(service), _settings, own ?? []);
            lock (_apps) _apps.Add(app);
            return app;
        }

        var backends = await Task.WhenAll(
            Start("parks-district-lingshui", "district", new() { ["Parks:District:Id"] = "lingshui" }),
            Start("parks-district-longtou", "district", new() { ["Parks:District:Id"] = "longtou" }),
            Start("parks-branchparks", "branchparks"),
            Start("parks-sciencecity", "sciencecity"),
            Start("parks-talent", "talent"),
            Start("parks-finance", "finance"));
        (Lingshui, Longtou, BranchParks, ScienceCity, Talent, Finance) = (backends[0], backends[1], backends[2], backends[3], backends[4], backends[5]);
        var gatewaySettings = new Dictionary<string, string?>
        {
            ["Parks:Services:district-lingshui"] = Lingshui.GrpcAddress,
            ["Parks:Services:district-longtou"] = Longtou.GrpcAddress,
            ["Parks:Services:branchparks"] = BranchParks.GrpcAddress,
            ["Parks:Services:sciencecity"] = ScienceCity.GrpcAddress,
            ["Parks:Services:talent"] = Talent.GrpcAddress,
            ["Parks:Services:finance"] = Finance.GrpcAddress,
            ["Parks:Gateway:Overview:FreshMilliseconds"] = "0",
            ["Parks:Gateway:Overview:RetryFailedAfterMilliseconds"] = "0",
            ["Parks:Gateway:Overview:UnitTimeoutMilliseconds"] = "5000",
        };
        foreach (var (caller, key) in _apiKeys) gatewaySettings[$"Parks:Gateway:ApiKeys:{caller}"] = key;
        Gateway = await Start("parks-gateway", "gateway", gatewaySettings);

        await Task.WhenAll(_apps.Select(app => app.WaitReadyAsync(StartTimeout)));
        Feed = FeedReader.Start($"http://127.0.0.1:{Gateway.HttpPort}", DashboardKey);
    }

    public async Task DisposeAsync()
    {
        if (Feed is not null) await Feed.DisposeAsync();
        await Task.WhenAll(_apps.Select(app => app.DisposeAsync().AsTask()));
        if (_redis is not null) await _redis.DisposeAsync();
    }

    /// <summary>Call options with a caller's API key, for calls through the gateway (<see cref="Front"/>).</summary>
    internal CallOptions As(string caller) =>
        new(new Metadata { { "authorization", "Bearer " + _apiKeys[caller] } }, DateTime.UtcNow.AddSeconds(30));

    /// <summary>A district's, branch park's or the Science City's own system (gateway callers <c>district-{id}</c>, <c>branchpark-{id}</c>, <c>sciencecity</c>).</summary>
    internal CallOptions UnitSystem(UnitRef unit) =>
        As(unit.Kind == UnitKind.District ? $"district-{unit.Id}" : unit.Kind == UnitKind.BranchPark ? $"branchpark-{unit.Id}" : "sciencecity");

    internal CallOptions Operator => As("operator-flows");

    internal CallOptions Dashboard => As("dashboard");

    /// <summary>
    /// Fails when a service logged an error (a functional test fails when the server logged an unexpected error). The
    /// tests share the zone and run one after another, so an error is reported by the test during or after which it
    /// was logged.
    /// </summary>
    internal void AssertNoErrorsLogged()
    {
        foreach (var app in _apps)
        {
            var errors = app.Process.Output.Split('\n').Where(l => ErrorLine().IsMatch(l)).ToList();
            Assert.True(errors.Count == 0, $"{app.AppId} logged errors:\n{app.Process.Output}");
        }
    }

    /// <summary>An error or critical entry of the services' simple console log ("HH:mm:ss fail: …").</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^(\d\d:\d\d:\d\d )?(fail|crit): |^Unhandled exception")]
    private static partial System.Text.RegularExpressions.Regex ErrorLine();

    /// <summary>Every app's recent output, for failure messages.</summary>
    internal string Output() => string.Join("\n\n", _apps.Select(a => $"== {a.AppId}\n{a.Process.Output}"));
}
