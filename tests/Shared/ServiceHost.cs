using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Domain;
using Parks.Hosting.Events;
using Parks.Hosting.Security;
using Parks.Hosting.State;
using Parks.Rpc;

// Linked into the Science City, Talent and Finance test projects.
namespace Parks.Testing.Shared;

/// <summary>
/// One of the services, started in-process with its own wiring (the same Add/Map extensions its Program calls)
/// on real loopback ports, called over the real gRPC protocol with the generated clients. Each host gets its own
/// in-memory state store and event broker unless a test asks for Redis; errors logged by the server are collected
/// so tests can assert none were unexpected.
/// </summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    public const string InternalKey = "shared-services-tests-internal-key-0123456789";

    private readonly WebApplication _app;

    private ServiceHost(WebApplication app, int grpcPort, ErrorLog errors)
    {
        _app = app;
        Errors = errors;
        Channel = RpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
    }

    public RpcChannel Channel { get; }

    public ErrorLog Errors { get; }

    public IServiceProvider Services => _app.Services;

    public static Task<ServiceHost> StartAsync(Action<WebApplicationBuilder> add, Action<WebApplication> map,
        string? redisConnection = null, Action<IServiceCollection>? configureServices = null, IDictionary<string, string?>? settings = null) =>
        Parks.Testing.FreeTcpPort.StartWithRetryAsync(() => StartOnceAsync(add, map, redisConnection, configureServices, settings));

    private static async Task<ServiceHost> StartOnceAsync(Action<WebApplicationBuilder> add, Action<WebApplication> map,
        string? redisConnection, Action<IServiceCollection>? configureServices, IDictionary<string, string?>? settings)
    {
        var grpcPort = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        var config = new Dictionary<string, string?>
        {
            ["Parks:Endpoints:GrpcPort"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Parks:Endpoints:HttpPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Parks:Endpoints:BindAddress"] = "127.0.0.1",
            ["Parks:Hosting:LogFormat"] = "simple",
            ["Parks:Security:InternalKey"] = InternalKey,
            ["Parks:State:Provider"] = redisConnection is null ? "InMemory" : "Redis",
            ["Parks:State:Redis"] = redisConnection,
            ["Parks:Events:Provider"] = "InMemory",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) config[k] = v;
        builder.Configuration.AddInMemoryCollection(config);
        // Registered before the service's own wiring, so these win over the process-wide shared defaults.
        builder.Services.AddSingleton(new InMemoryStateStore());
        builder.Services.AddSingleton(new InMemoryEventBroker());
        configureServices?.Invoke(builder.Services);
        add(builder);
        var errors = new ErrorLog();
        builder.Logging.AddProvider(errors);
        var app = builder.Build();
        map(app);
        await Parks.Testing.FreeTcpPort.StartOrDisposeAsync(app);
        return new ServiceHost(app, grpcPort, errors);
    }

    /// <summary>Call options carrying a caller identity signed as the gateway signs it.</summary>
    public static CallOptions As(Caller caller)
    {
        var headers = new Metadata();
        caller.WriteTo(headers, new CallerSigner(Options.Create(new SecurityOptions { InternalKey = InternalKey })));
        return new CallOptions(headers, DateTime.UtcNow.AddSeconds(30));
    }

    public static CallOptions Operator => As(new Caller("operator", CallerRole.Operator, null));

    public static CallOptions Dashboard => As(new Caller("dashboard", CallerRole.Dashboard, null));

    public static CallOptions Unit(UnitRef unit) => As(new Caller(unit.Kind == UnitKind.District ? $"district-{unit.Id}" : $"unit-{unit.Id}", CallerRole.UnitSystem, unit));

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static int FreePort() => Parks.Testing.FreeTcpPort.Next();
}

/// <summary>Collects error-level log entries (grpc-dotnet's VerifyNoErrorsScope, simplified).</summary>
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
