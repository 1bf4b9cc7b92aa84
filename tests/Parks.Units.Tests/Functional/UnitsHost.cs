using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.BranchParks;
using Parks.District;
using Parks.Domain;
using Parks.Hosting;
using Parks.Hosting.Events;
using Parks.Hosting.Security;
using Parks.Hosting.State;
using Parks.Rpc;
using Parks.Testing;

namespace Parks.Units.Tests.Functional;

/// <summary>
/// What the processes of one test share: the state store (one Redis for the zone in production) and the event
/// broker. Each test makes its own, so tests never see each other's data or events.
/// </summary>
internal sealed class Zone(IStateStore? store = null)
{
    public const string InternalKey = "units-functional-tests-internal-key-0123456789";

    public IStateStore Store { get; } = store ?? new InMemoryStateStore();
    public InMemoryEventBroker Broker { get; } = new();
    public string RunId { get; } = TestIds.New("u");

    public static CallerSigner Signer { get; } = new(Options.Create(new SecurityOptions { InternalKey = InternalKey }));

    /// <summary>Call options carrying a signed caller identity, as the gateway forwards it.</summary>
    public static CallOptions As(Caller caller)
    {
        var headers = new Metadata();
        caller.WriteTo(headers, Signer);
        return new CallOptions(headers, DateTime.UtcNow.AddSeconds(30));
    }

    public static CallOptions Operator => As(new Caller("operator", CallerRole.Operator, null));

    public static CallOptions Dashboard => As(new Caller("dashboard", CallerRole.Dashboard, null));

    public static CallOptions UnitSystem(string unit) => As(new Caller($"system-{unit.Replace('/', '-')}", CallerRole.UnitSystem, UnitRef.Parse(unit, "unit")));
}

/// <summary>
/// A District or Branch Parks service started in process with the same registrations as its Program.cs, on
/// loopback ports, called over real gRPC (HTTP/2) with the generated clients. Collects error logs so a test can
/// check that the server logged nothing unexpected.
/// </summary>
internal sealed class UnitsHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private UnitsHost(WebApplication app, int grpcPort, ErrorLog errors)
    {
        _app = app;
        Channel = RpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Errors = errors;
    }

    public RpcChannel Channel { get; }
    public ErrorLog Errors { get; }
    public IServiceProvider Services => _app.Services;

    public static Task<UnitsHost> DistrictAsync(Zone zone, string districtId, bool demo = false) =>
        StartAsync(zone, "district", districtId, demo);

    public static Task<UnitsHost> BranchParksAsync(Zone zone, bool demo = false) =>
        StartAsync(zone, "branchparks", null, demo);

    private static Task<UnitsHost> StartAsync(Zone zone, string service, string? districtId, bool demo) =>
        FreeTcpPort.StartWithRetryAsync(() => StartOnceAsync(zone, service, districtId, demo));

    private static async Task<UnitsHost> StartOnceAsync(Zone zone, string service, string? districtId, bool demo)
    {
        var grpcPort = FreeTcpPort.Next();
        var httpPort = FreeTcpPort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        var settings = new Dictionary<string, string?>
        {
            ["Parks:Endpoints:GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:BindAddress"] = "127.0.0.1",
            ["Parks:Hosting:LogFormat"] = "simple",
            ["Parks:Security:InternalKey"] = Zone.InternalKey,
            ["Parks:State:Provider"] = "InMemory",
            ["Parks:Events:Provider"] = "InMemory",
            ["Parks:Events:AppId"] = $"{zone.RunId}-{service}{(districtId is null ? "" : "-" + districtId)}",
            ["Parks:Units:DemoData"] = demo ? "true" : "false",
            ["Parks:Units:DemoEnterprisesPerUnit"] = "30",
        };
        if (districtId is not null) settings["Parks:District:Id"] = districtId;
        builder.Configuration.AddInMemoryCollection(settings);
        // The zone's shared store and broker, registered before the defaults so these are the ones used.
        builder.Services.AddSingleton(zone.Store);
        builder.Services.AddSingleton(zone.Broker);
        var errors = new ErrorLog();
        builder.Logging.AddProvider(errors);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        var rpc = builder.AddParksDefaults(service);
        if (service == "district") rpc.AddDistrict(builder);
        else rpc.AddBranchParks(builder);

        var app = builder.Build();
        app.MapParksDefaults();
        app.MapParksEvents();
        await Parks.Testing.FreeTcpPort.StartOrDisposeAsync(app);
        return new UnitsHost(app, grpcPort, errors);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Collects error-level log entries (a functional test fails when the server logged an unexpected error).</summary>
internal sealed class ErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(ErrorLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner._entries.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
