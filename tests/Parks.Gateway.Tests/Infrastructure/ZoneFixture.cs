using Parks.Domain;
using Parks.Gateway.Tests.Fakes;
using Parks.Rpc;

namespace Parks.Gateway.Tests.Infrastructure;

/// <summary>
/// The whole zone as fakes behind one gateway: the Science City, six district instances, the branch-parks service
/// (one WidgetService each, saying who served a call), a ledger (acting for enterprises like talent and finance), and
/// talent and finance (health only). Shared by the test classes that only read it or write through it.
/// </summary>
public sealed class ZoneFixture : IAsyncLifetime
{
    public static readonly IReadOnlyList<string> UnitBackends =
        ["sciencecity", .. Parks.Domain.Zone.Districts.Select(d => "district-" + d.Id), "branchparks"];

    public Dictionary<string, BackendServer> Backends { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, CallLog> Logs { get; } = new(StringComparer.Ordinal);
    public GatewayHost Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Every backend also serves the product's exposed services (whatever the allow-list routes to it).
        var api = TestSettings.Api;
        void AddProductServices(IRpcServerBuilder rpc, CallLog log)
        {
            foreach (var service in AnyMethodBackend.ProductServices(api.AllowList))
                rpc.AddService(_ => AnyMethodBackend.Build(api.AllowList, api.Catalog, service, log));
        }

        var starts = new List<Task<BackendServer>>();
        foreach (var name in UnitBackends)
        {
            var log = Logs[name] = new CallLog();
            starts.Add(BackendServer.StartAsync(name, rpc =>
            {
                rpc.AddService(_ => new WidgetBackend(name, log).BindService());
                if (name == "sciencecity") rpc.AddService(_ => new LabBackend(log).BindService());
                AddProductServices(rpc, log);
            }));
        }
        var ledgerLog = Logs["ledger"] = new CallLog();
        starts.Add(BackendServer.StartAsync("ledger", rpc => rpc.AddService(_ => new LedgerBackend(ledgerLog).BindService())));
        foreach (var name in new[] { "talent", "finance" })
        {
            var log = Logs[name] = new CallLog();
            starts.Add(BackendServer.StartAsync(name, rpc => AddProductServices(rpc, log)));
        }
        foreach (var server in await Task.WhenAll(starts)) Backends[server.Name] = server;
        Gateway = await GatewayHost.StartAsync(Backends);
    }

    public async Task DisposeAsync()
    {
        var errors = Gateway.Errors.Entries.Concat(Backends.Values.SelectMany(b => b.Errors.Entries)).ToArray();
        await Gateway.DisposeAsync();
        await Task.WhenAll(Backends.Values.Select(b => b.DisposeAsync().AsTask()));
        // A functional test fails when a server logged an unexpected error (grpc-dotnet's VerifyNoErrorsScope).
        if (errors.Length > 0) throw new InvalidOperationException("The gateway or a backend logged errors:\n" + string.Join("\n", errors));
    }

    public static UnitRef UnitOf(string backend) => backend switch
    {
        "sciencecity" => UnitRef.ScienceCity,
        "branchparks" => UnitRef.Park("jinpu"),
        _ => UnitRef.District(backend["district-".Length..]),
    };

    /// <summary>Every unit a test can address: the Science City, the six districts, the five seed branch parks.</summary>
    public static IReadOnlyList<UnitRef> Units { get; } =
        [UnitRef.ScienceCity, .. Parks.Domain.Zone.Districts.Select(d => UnitRef.District(d.Id)), .. Parks.Domain.Zone.SeedBranchParkIds.Select(UnitRef.Park)];

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}

[CollectionDefinition(Name)]
public sealed class ZoneCollection : ICollectionFixture<ZoneFixture>
{
    public const string Name = "zone";
}
