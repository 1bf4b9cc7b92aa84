using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parks.Domain;
using Parks.Events.TestApp;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Testing;
using Parks.Testing.V1;

namespace Parks.Events.Tests;

/// <summary>The whole bus in one process: outbox, relay, in-memory broker, inbox, dead letters.</summary>
public sealed class InMemoryEventBusTests
{
    private readonly InMemoryWorld _world = new();

    private Task<AppHost> StartAsync(string appId, string scope, bool consume = true) =>
        AppHost.StartAsync(Settings.With(Settings.InMemory(appId, scope, FreeTcpPort.Next()),
            new() { ["TestApp:Consume"] = consume ? "true" : "false" }), _world.Register);

    [Fact]
    public async Task A_committed_event_reaches_the_consumer_once()
    {
        var scope = TestIds.New("s");
        await using var producer = await StartAsync("producer", scope, consume: false);
        await using var consumer = await StartAsync("consumer", scope);
        var items = Enumerable.Range(0, 20).Select(i => $"item-{i}").ToList();

        foreach (var item in items) await producer.Items.SubmitAsync(item);

        await Eventually.WaitUntilAsync(async () => await consumer.Items.ItemsWithEffectAsync() == items.Count, "all effects");
        foreach (var item in items) Assert.Equal(1, await consumer.Items.EffectCountAsync(item));
        Assert.Equal(0, await producer.Store.CountQueueAsync("parks:events:producer:outbox:queue"));
    }

    [Fact]
    public async Task The_outbox_entry_is_written_only_with_its_state_change()
    {
        var scope = TestIds.New("s");
        await using var producer = await StartAsync("producer-atomic", scope, consume: false);
        await producer.Items.SubmitAsync("once");

        // Submitting the same item again fails its create-only check: neither the state nor the event is written.
        await Assert.ThrowsAsync<ConcurrencyException>(() => producer.Items.SubmitAsync("once"));

        await Eventually.WaitUntilAsync(async () => await producer.Store.CountQueueAsync("parks:events:producer-atomic:outbox:queue") == 0,
            "the outbox to drain");
        // The event went out exactly once: a consumer that joins now replays the topic and applies one effect.
        await using var consumer = await StartAsync("consumer-atomic", scope);
        await Eventually.WaitUntilAsync(async () => await consumer.Items.EffectCountAsync("once") == 1, "the effect");
        Assert.Equal(1, await consumer.Items.ItemsWithEffectAsync());
    }

    [Fact]
    public async Task The_envelope_names_type_source_subject_and_carries_proto_json()
    {
        var scope = TestIds.New("s");
        await using var producer = await StartAsync("producer-env", scope, consume: false);
        var outbox = producer.Services.GetRequiredService<IEventOutbox>();
        var transaction = new StateTransaction();

        var envelope = outbox.Add(transaction, new WorkItemSubmitted { Item = "x", Payload = "p" }, "testapp/items/x");

        Assert.Equal("parks.testing.v1.WorkItemSubmitted", envelope.Type);
        Assert.Equal("parks.testing.v1.WorkItemSubmitted", envelope.Topic);
        Assert.Equal("producer-env", envelope.Source);
        Assert.Equal("testapp/items/x", envelope.Subject);
        Assert.True(Guid.TryParse(envelope.Id, out _));
        Assert.Equal("x", JsonDocument.Parse(envelope.DataJson!).RootElement.GetProperty("item").GetString());
        var queued = Assert.IsType<StateOperation.QueueAppend>(Assert.Single(transaction.Operations));
        Assert.Equal(envelope.Id, queued.Id);
        Assert.Equal(envelope with { DataJson = null }, EventEnvelope.Parse(queued.Body.Span) with { DataJson = null });
    }

    [Fact]
    public async Task A_poison_event_is_dead_lettered_and_later_events_still_flow()
    {
        var scope = TestIds.New("s");
        await using var producer = await StartAsync("producer-poison", scope, consume: false);
        await using var consumer = await StartAsync("consumer-poison", scope);

        var poison = await producer.Items.SubmitAsync("bad", poison: true);
        await producer.Items.SubmitAsync("good");

        await Eventually.WaitUntilAsync(async () => await consumer.DeadLetters.GetAsync(poison.Id) is not null, "the dead letter");
        await Eventually.WaitUntilAsync(async () => await consumer.Items.EffectCountAsync("good") == 1, "the later event");
        var letter = (await consumer.DeadLetters.GetAsync(poison.Id))!;
        Assert.Equal(3, letter.Attempts);
        Assert.Contains("work item bad is poison", letter.Reason, StringComparison.Ordinal);
        Assert.Equal("parks.testing.v1.WorkItemSubmitted", letter.Type);
        Assert.Equal("producer-poison", letter.Source);
        Assert.Equal(0, await consumer.Items.EffectCountAsync("bad"));
    }

    [Fact]
    public async Task A_memory_only_handler_applies_concurrent_duplicates_once()
    {
        var scope = TestIds.New("s");
        await using var consumer = await StartAsync("consumer-memory", scope);
        var envelope = new EventEnvelope
        {
            Id = Guid.NewGuid().ToString(),
            Type = PingRecorded.Descriptor.FullName,
            Source = "test",
            Time = DateTimeOffset.UtcNow,
            Topic = PingRecorded.Descriptor.FullName,
            DataJson = """{"item":"ping-1"}""",
        };

        // The same event id published three times at once, then once more later.
        for (var i = 0; i < 3; i++) _world.Broker.Publish(envelope.Topic, envelope.ToCloudEventJson());
        var tally = consumer.Services.GetRequiredService<MemoryTally>();
        await Eventually.WaitUntilAsync(() => tally.CountOf("ping-1") > 0, "the ping");
        _world.Broker.Publish(envelope.Topic, envelope.ToCloudEventJson());
        var marker = "parks:events:consumer-memory:inbox:PingTallyHandler:" + envelope.Id;
        await Eventually.WaitUntilAsync(async () => await consumer.Store.GetAsync(marker) is not null, "the inbox marker");
        await Task.Delay(300); // let the later copies be handled; they must change nothing

        Assert.Equal(1, tally.CountOf("ping-1"));
    }

    [Fact]
    public async Task Publishing_and_handling_continue_the_producer_trace_and_count_metrics()
    {
        var scope = TestIds.New("s");
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EventsTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (activities) activities.Add(activity); },
        };
        ActivitySource.AddActivityListener(listener);
        var measurements = new List<(string Instrument, long Value)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == EventsTelemetry.Name) l.EnableMeasurementEvents(instrument); },
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, _, _) => { lock (measurements) measurements.Add((instrument.Name, value)); });
        meters.Start();

        await using var producer = await StartAsync("producer-trace", scope, consume: false);
        await using var consumer = await StartAsync("consumer-trace", scope);
        using var root = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();
        var envelope = await producer.Items.SubmitAsync("traced");
        root.Stop();

        await Eventually.WaitUntilAsync(async () => await consumer.Items.EffectCountAsync("traced") == 1, "the effect");
        await Eventually.WaitUntilAsync(() => { lock (activities) return activities.Any(a => a.OperationName.StartsWith("process", StringComparison.Ordinal)); },
            "the consumer activity");

        Assert.Equal(root.Id, envelope.TraceParent);
        lock (activities)
        {
            var process = activities.Single(a => a.OperationName == $"process {envelope.Topic}" && (string?)a.GetTagItem("messaging.message.id") == envelope.Id);
            var publish = activities.Single(a => a.OperationName == $"publish {envelope.Topic}" && (string?)a.GetTagItem("messaging.message.id") == envelope.Id);
            Assert.Equal(root.TraceId, publish.TraceId);
            Assert.Equal(root.TraceId, process.TraceId);
            Assert.Equal(publish.SpanId, process.ParentSpanId);
        }
        lock (measurements)
        {
            Assert.Contains(measurements, m => m.Instrument == "parks.events.published" && m.Value > 0);
            Assert.Contains(measurements, m => m.Instrument == "parks.events.delivered" && m.Value > 0);
        }
    }
}
