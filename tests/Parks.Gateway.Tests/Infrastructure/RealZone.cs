using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.BranchParks;
using Parks.District;
using Parks.Domain;
using Parks.Finance;
using Parks.Hosting;
using Parks.Hosting.Events;
using Parks.Hosting.Security;
using Parks.Hosting.State;
using Parks.Rpc;
using Parks.ScienceCity;
using Parks.Talent;

namespace Parks.Gateway.Tests.Infrastructure;

/// <summary>
/// The product's own services in process — the Science City, six District instances, Branch Parks, Talent and
/// Finance, each built by its <see cref="IParksService"/> class exactly as its Program.cs builds it — on loopback
/// ports, sharing one in-memory state store and one event broker (as they share one Redis and one pub/sub in
/// production), with the gateway in front. Each zone has its own store and broker, so its figures are its own.
/// </summary>
public sealed class RealZone : IAsyncDisposable
{
    private readonly InMemoryStateStore _store = new();
    private readonly InMemoryEventBroker _broker = new();
    private readonly Dictionary<string, WebApplication> _apps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RpcChannel> _channels = new(StringComparer.Ordinal);
    private static readonly CallerSigner Signer = new(Options.Create(new SecurityOptions { InternalKey = TestSettings.InternalKey }));

    private RealZone()
    {
    }

    public GatewayHost Gateway { get; private set; } = null!;

    public ErrorLog Errors { get; } = new();

    /// <summary>Backends by gateway name (<c>district-lingshui</c>, <c>branchparks</c>, …), as <c>Parks:Services</c> names them.</summary>
    public IReadOnlyDictionary<string, RpcChannel> Channels => _channels;

    public static async Task<RealZone> StartAsync()
    {
        var zone = new RealZone();
        var starts = new List<Task>
        {
            zone.StartAsync<ScienceCityApp>("sciencecity", []),
            zone.StartAsync<BranchParksApp>("branchparks", []),
            zone.StartAsync<TalentApp>("talent", []),
            zone.StartAsync<FinanceApp>("finance", []),
        };
        foreach (var district in Parks.Domain.Zone.Districts)
            starts.Add(zone.StartAsync<DistrictApp>("district-" + district.Id, new() { ["Parks:District:Id"] = district.Id }));
        await Task.WhenAll(starts);
        var addresses = zone._channels.ToDictionary(c => c.Key, c => c.Value.Address.ToString(), StringComparer.Ordinal);
        zone.Gateway = await GatewayHost.StartAsync(new Dictionary<string, BackendServer>(), settings =>
        {
            foreach (var (name, address) in addresses) settings[$"Parks:Services:{name}"] = address;
        });
        return zone;
    }

    private Task StartAsync<TService>(string name, Dictionary<string, string?> own) where TService : IParksService =>
        Parks.Testing.FreeTcpPort.StartWithRetryAsync(async () =>
        {
            await StartOnceAsync<TService>(name, own);
            return name;
        });

    private async Task StartOnceAsync<TService>(string name, Dictionary<string, string?> own) where TService : IParksService
    {
        var grpcPort = Repo.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        var settings = new Dictionary<string, string?>
        {
            ["Parks:Endpoints:GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:HttpPort"] = Repo.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:BindAddress"] = "127.0.0.1",
            ["Parks:Hosting:LogFormat"] = "simple",
            ["Parks:Hosting:ShutdownTimeoutSeconds"] = "1",
            ["Parks:Security:InternalKey"] = TestSettings.InternalKey,
            ["Parks:State:Provider"] = "InMemory",
            ["Parks:Events:Provider"] = "InMemory",
            // One consumer group per app, as each Dapr app id is one (six district instances are six apps).
            ["Parks:Events:AppId"] = "parks-" + name,
            ["Parks:Units:DemoData"] = "false",
        };
        foreach (var (key, value) in own) settings[key] = value;
        builder.Configuration.AddInMemoryCollection(settings);
        // Registered before the service's own wiring, so the zone's store and broker win over the process-wide ones.
        builder.Services.AddSingleton(_store);
        builder.Services.AddSingleton(_broker);
        builder.Logging.AddProvider(Errors);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = ParksServiceHost.Build<TService>(builder);
        await Parks.Testing.FreeTcpPort.StartOrDisposeAsync(app);
        lock (_apps)
        {
            _apps[name] = app;
            _channels[name] = RpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        }
    }

    /// <summary>Stops one backend, as a crashed unit would be (its address stays configured in the gateway).</summary>
    public async Task StopAsync(string name)
    {
        var app = _apps[name];
        _apps.Remove(name);
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>Call options carrying a caller identity signed as the gateway signs it (for writing straight to a service).</summary>
    public static CallOptions As(Caller caller)
    {
        var headers = new Metadata();
        caller.WriteTo(headers, Signer);
        return new CallOptions(headers, DateTime.UtcNow.AddSeconds(30));
    }

    public static CallOptions UnitSystem(UnitRef unit) => As(new Caller(unit.Kind == UnitKind.District ? "district-" + unit.Id : "branchpark-" + unit.Id, CallerRole.UnitSystem, unit));

    public static CallOptions Operator => As(new Caller("operator", CallerRole.Operator, null));

    public async ValueTask DisposeAsync()
    {
        if (Gateway is not null) await Gateway.DisposeAsync();
        foreach (var channel in _channels.Values) channel.Dispose();
        foreach (var app in _apps.Values)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
