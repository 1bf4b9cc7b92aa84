using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Parks.Common.V1;
using Parks.Events.V1;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Testing;

namespace Parks.Events.Tests;

/// <summary>
/// An event of the real catalogue (parks.events.v1, compiled by Parks.Contracts) through a plain host, set up the
/// way a service does it: AddParksState, AddParksEvents().AddHandler, publish through the outbox.
/// </summary>
public sealed class CatalogueEventTests
{
    [Fact]
    public async Task A_catalogue_event_arrives_field_for_field()
    {
        var received = new ReceivedEvents();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Parks:Events:AppId"] = "parks-finance" });
        builder.Services.AddSingleton(received);
        builder.Services.AddSingleton(new InMemoryStateStore());
        builder.Services.AddSingleton(new InMemoryEventBroker());
        builder.Services.AddParksState(builder.Configuration);
        builder.AddParksEvents().AddHandler<EnterpriseTierCertified, TierCertifiedHandler>();
        using var host = builder.Build();
        await host.StartAsync();
        var sent = new EnterpriseTierCertified
        {
            Uscc = "91210200MA0XXXXXX1",
            Unit = "districts/lingshui",
            Certification = "districts/lingshui/enterprises/91210200MA0XXXXXX1/certifications/1",
            Tier = EnterpriseTier.HighTech,
            PreviousTier = EnterpriseTier.TechSme,
            Authority = "Liaoning",
            Batch = "2024-1",
            ValidFrom = new Google.Type.Date { Year = 2024, Month = 11, Day = 1 },
            ValidTo = new Google.Type.Date { Year = 2027, Month = 10, Day = 31 },
        };

        var envelope = await host.Services.GetRequiredService<IEventOutbox>().PublishAsync(sent, sent.Certification);

        var (message, context) = await Eventually.ResultAsync(() => Task.FromResult(received.First), "the event");
        Assert.Equal(sent, message);
        Assert.Equal(envelope.Id, context.Id);
        Assert.Equal("parks.events.v1.EnterpriseTierCertified", context.Type);
        Assert.Equal(sent.Certification, context.Subject);
        await host.StopAsync();
    }

    private sealed class ReceivedEvents
    {
        private volatile Tuple<EnterpriseTierCertified, EventEnvelope>? _first;

        public Tuple<EnterpriseTierCertified, EventEnvelope>? First => _first;

        public void Add(EnterpriseTierCertified message, EventEnvelope envelope) =>
            Interlocked.CompareExchange(ref _first, Tuple.Create(message, envelope), null);
    }

    private sealed class TierCertifiedHandler(ReceivedEvents received) : IEventHandler<EnterpriseTierCertified>
    {
        public Task HandleAsync(EventContext<EnterpriseTierCertified> context, CancellationToken cancellationToken)
        {
            received.Add(context.Event, context.Envelope);
            return Task.CompletedTask;
        }
    }
}
