using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Parks.Events.V1;
using Parks.Hosting;
using Parks.Hosting.Embedded;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Testing;

namespace Parks.Tools.Tests.Support;

/// <summary>
/// A Parks process with an event bus, in this test process: the shared hosting defaults (so it serves
/// parks.ops.v1.EventAdminService), a private in-memory store and broker, and a handler of
/// EnterpriseRegistered that fails for enterprises named "poison" while <see cref="PoisonFails"/> is set.
/// </summary>
internal sealed class BusHost : IAsyncDisposable
{
    public const string InternalKey = "tools-tests-internal-key-0123456789abcdef";

    private readonly WebApplication _app;
    private int _disposed;

    private BusHost(WebApplication app, string appId, int grpcPort)
    {
        _app = app;
        AppId = appId;
        GrpcAddress = $"http://127.0.0.1:{grpcPort}";
    }

    public string AppId { get; }

    public string GrpcAddress { get; }

    public bool PoisonFails { get; set; } = true;

    public static async Task<BusHost> StartAsync(string appId)
    {
        var grpcPort = FreeTcpPort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Parks:Endpoints:GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:HttpPort"] = FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture),
            ["Parks:Endpoints:BindAddress"] = "127.0.0.1",
            ["Parks:Hosting:LogFormat"] = "simple",
            ["Parks:Security:InternalKey"] = InternalKey,
            ["Parks:Events:AppId"] = appId,
            ["Parks:Events:MaxAttempts"] = "2",
            ["Parks:Events:Outbox:PollInterval"] = "00:00:00.100",
            ["Logging:LogLevel:Default"] = "Critical",
        });
        builder.AddParksDefaults("bus-test");
        builder.Services.AddSingleton(new InMemoryEventBroker());
        builder.Services.AddSingleton(new InMemoryStateStore());
        builder.Services.AddParksState(builder.Configuration);
        builder.AddParksEvents().AddHandler<EnterpriseRegistered, RegisteredHandler>();
        BusHost? host = null;
        builder.Services.AddSingleton(_ => host!);
        var app = builder.Build();
        app.MapParksDefaults();
        host = new BusHost(app, appId, grpcPort);
        await app.StartAsync();
        return host;
    }

    /// <summary>Commits an EnterpriseRegistered event (subject: the enterprise) through the outbox.</summary>
    public Task<EventEnvelope> PublishAsync(string district, string name) =>
        _app.Services.GetRequiredService<IEventOutbox>().PublishAsync(
            new EnterpriseRegistered { Uscc = "91210200MA0TEST" + name.Length, Unit = $"districts/{district}", DisplayName = name, Enterprise = $"districts/{district}/enterprises/{name}" },
            subject: $"districts/{district}/enterprises/{name}");

    public IDeadLetters DeadLetters => _app.Services.GetRequiredService<IDeadLetters>();

    /// <summary>A run file naming this host as the only service, so parksctl finds it as it finds a local run's.</summary>
    public string WriteRunFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"parks-tools-tests-{Guid.NewGuid():N}.json");
        new LocalRunFile
        {
            ProcessId = Environment.ProcessId,
            Mode = "test",
            Storage = "in-memory",
            InternalKey = InternalKey,
            Services = [new LocalRunService(AppId, GrpcAddress, "")],
        }.Save(path);
        return path;
    }

    /// <summary>Stops the host (once: a test may stop it early and dispose it again at the end).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class RegisteredHandler(BusHost host) : IEventHandler<EnterpriseRegistered>
    {
        public Task HandleAsync(EventContext<EnterpriseRegistered> context, CancellationToken cancellationToken)
        {
            if (context.Event.DisplayName == "poison" && host.PoisonFails) throw new InvalidOperationException("poison enterprise");
            context.Transaction.Put($"parks:bus-test:zone:handled:{context.Envelope.Id}", new byte[] { 1 }, null);
            return Task.CompletedTask;
        }
    }
}
