using Parks.DaprSidecarDouble;
using Parks.Events.TestApp;
using Parks.Hosting.State;
using Parks.Testing;

namespace Parks.Events.Tests;

/// <summary>
/// Issue 5's reliability cases on a real redis-server: consumer processes killed between effect and
/// acknowledgement, the sidecar refusing publishes and going away, duplicate deliveries, poison messages,
/// and 10,000 events under load. Every case asserts on the effects: each exactly once, none lost.
/// </summary>
[Collection(RedisServerFixture.Collection)]
public sealed class ReliabilityTests(RedisServerFixture redis)
{
    private readonly string _streams = TestIds.New("streams") + ":";
    private readonly string _scope = TestIds.New("s");

    private static async Task AssertEachAppliedOnceAsync(IStateStore store, string scope, IReadOnlyList<string> items)
    {
        foreach (var chunk in items.Chunk(500))
        {
            var entries = await store.GetManyAsync([.. chunk.Select(item => WorkItems.EffectKey(scope, item))]);
            for (var i = 0; i < chunk.Length; i++)
            {
                Assert.True(entries[i] is not null, $"the effect of {chunk[i]} is missing");
                Assert.Equal(1L, BitConverter.ToInt64(entries[i]!.Value.Span));
            }
        }
        Assert.Equal(items.Count, await store.CountIndexAsync(WorkItems.EffectIndex(scope)));
    }

    [Fact]
    public async Task A_consumer_killed_after_applying_but_before_acknowledging_applies_the_effect_once_after_restart_dapr()
    {
        const string appId = "parks-crashing-consumer";
        var appPort = FreeTcpPort.Next();
        // A retry window longer than a process restart, as a resiliency policy would give in production.
        await using var sidecar = await SidecarFor.StartAsync(appId, appPort, redis, _streams, o =>
        {
            o.MaxRetries = 200;
            o.RetryInterval = TimeSpan.FromMilliseconds(100);
        });
        await using var producer = await DaprRig.StartAsync(redis, "parks-producer", _scope, _streams, consume: false);
        var settings = Settings.Dapr(appId, _scope, appPort, redis.ConnectionString, sidecar.HttpEndpoint);
        var items = Enumerable.Range(0, 6).Select(i => $"item-{i}").ToList();

        await using (var doomed = TestAppProcess.Start(Settings.With(new(settings), new() { ["TestApp:CrashOnItem"] = "item-3" })))
        {
            foreach (var item in items) await producer.App.Items.SubmitAsync(item);
            await doomed.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.Contains("crashing after committing", doomed.Output, StringComparison.Ordinal);
        }
        Assert.Equal(1, await producer.App.Items.EffectCountAsync("item-3")); // applied, never acknowledged

        await using var restarted = TestAppProcess.Start(settings);
        await Eventually.WaitUntilAsync(async () => await producer.App.Store.CountIndexAsync(WorkItems.EffectIndex(_scope)) == items.Count,
            "every effect after the restart", TimeSpan.FromSeconds(60));
        var crashed = await producer.App.Store.GetAsync(WorkItems.ProducedKey(_scope, "item-3"));
        Assert.NotNull(crashed);
        await Eventually.WaitUntilAsync(() => sidecar.Deliveries.Count(d => d.Outcome == DeliveryOutcome.Success) >= items.Count,
            "every delivery acknowledged");
        await AssertEachAppliedOnceAsync(producer.App.Store, _scope, items);
    }

    [Fact]
    public async Task A_consumer_killed_after_applying_but_before_acknowledging_applies_the_effect_once_after_restart_redis_streams()
    {
        const string appId = "parks-crashing-consumer";
        await using var producer = await AppHost.StartAsync(Settings.With(
            Settings.Redis("parks-producer", _scope, FreeTcpPort.Next(), redis.ConnectionString, _streams), new() { ["TestApp:Consume"] = "false" }));
        var settings = Settings.Redis(appId, _scope, FreeTcpPort.Next(), redis.ConnectionString, _streams);
        var items = Enumerable.Range(0, 6).Select(i => $"item-{i}").ToList();

        await using (var doomed = TestAppProcess.Start(Settings.With(new(settings), new() { ["TestApp:CrashOnItem"] = "item-2" })))
        {
            foreach (var item in items) await producer.Items.SubmitAsync(item);
            await doomed.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
        Assert.Equal(1, await producer.Items.EffectCountAsync("item-2"));

        // The restarted consumer (a new consumer name) claims what the dead one left pending.
        await using var restarted = TestAppProcess.Start(settings);
        await Eventually.WaitUntilAsync(async () => await producer.Store.CountIndexAsync(WorkItems.EffectIndex(_scope)) == items.Count,
            "every effect after the restart", TimeSpan.FromSeconds(60));
        await AssertEachAppliedOnceAsync(producer.Store, _scope, items);
    }

    [Fact]
    public async Task Events_wait_in_the_outbox_while_the_sidecar_refuses_or_is_gone_and_all_arrive_after()
    {
        await using var producer = await DaprRig.StartAsync(redis, "parks-producer", _scope, _streams, consume: false);
        await using var consumer = await DaprRig.StartAsync(redis, "parks-consumer", _scope, _streams, consume: true);
        var outbox = "parks:events:parks-producer:outbox:queue";
        var items = Enumerable.Range(0, 40).Select(i => $"item-{i}").ToList();

        producer.Sidecar.PublishFailureStatus = 500;
        foreach (var item in items.Take(20)) await producer.App.Items.SubmitAsync(item);
        await Eventually.WaitUntilAsync(() => producer.Sidecar.RefusedCount >= 20, "the relay to try every event and be refused");
        Assert.Equal(20, await producer.App.Store.CountQueueAsync(outbox));
        await producer.Sidecar.StopAsync();
        foreach (var item in items.Skip(20)) await producer.App.Items.SubmitAsync(item);
        Assert.Equal(40, await producer.App.Store.CountQueueAsync(outbox));
        Assert.Equal(0, await consumer.App.Items.ItemsWithEffectAsync());

        producer.Sidecar.PublishFailureStatus = null;
        await producer.Sidecar.StartAsync();

        await Eventually.WaitUntilAsync(async () => await consumer.App.Items.ItemsWithEffectAsync() == items.Count, "every event after the sidecar returns");
        await Eventually.WaitUntilAsync(async () => await producer.App.Store.CountQueueAsync(outbox) == 0, "the outbox to drain");
        await AssertEachAppliedOnceAsync(consumer.App.Store, _scope, items);
    }

    [Fact]
    public async Task Every_event_delivered_twice_at_once_applies_once()
    {
        await using var producer = await DaprRig.StartAsync(redis, "parks-producer", _scope, _streams, consume: false);
        await using var consumer = await DaprRig.StartAsync(redis, "parks-consumer", _scope, _streams, consume: true,
            sidecar: o => o.Concurrency = 4);
        consumer.Sidecar.DeliverTwice = true;
        var items = Enumerable.Range(0, 200).Select(i => $"item-{i}").ToList();

        await Task.WhenAll(items.Select(item => producer.App.Items.SubmitAsync(item)));

        await Eventually.WaitUntilAsync(() => consumer.Sidecar.Deliveries.Count(d => d.Outcome == DeliveryOutcome.Success) == 2 * items.Count,
            "both copies of every event to be answered");
        await AssertEachAppliedOnceAsync(consumer.App.Store, _scope, items);
    }

    [Fact]
    public async Task A_poison_event_lands_in_the_dead_letter_topic_and_later_events_still_flow()
    {
        await using var producer = await DaprRig.StartAsync(redis, "parks-producer", _scope, _streams, consume: false);
        await using var consumer = await DaprRig.StartAsync(redis, "parks-consumer", _scope, _streams, consume: true,
            sidecar: o => o.Concurrency = 1);
        var good = Enumerable.Range(0, 20).Select(i => $"good-{i}").ToList();

        var poison = await producer.App.Items.SubmitAsync("poison", poison: true);
        foreach (var item in good) await producer.App.Items.SubmitAsync(item);

        await Eventually.WaitUntilAsync(async () => await consumer.App.DeadLetters.GetAsync(poison.Id) is not null, "the dead letter");
        await Eventually.WaitUntilAsync(async () => await consumer.App.Items.ItemsWithEffectAsync() == good.Count, "the later events");
        var (topic, deadLetterTopic, eventId) = Assert.Single(consumer.Sidecar.DeadLettered);
        Assert.Equal(("parks.testing.v1.WorkItemSubmitted", "parks.deadletter.parks-consumer", poison.Id), (topic, deadLetterTopic, eventId));
        Assert.Equal(3, (await consumer.App.DeadLetters.GetAsync(poison.Id))!.Attempts);
        Assert.Equal(0, await consumer.App.Items.EffectCountAsync("poison"));
        await AssertEachAppliedOnceAsync(consumer.App.Store, _scope, good);
    }

    [Fact]
    public async Task Ten_thousand_events_under_load_give_ten_thousand_effects_without_duplicates_or_losses()
    {
        const int count = 10_000;
        await using var producer = await DaprRig.StartAsync(redis, "parks-producer", _scope, _streams, consume: false);
        await using var consumer = await DaprRig.StartAsync(redis, "parks-consumer", _scope, _streams, consume: true,
            sidecar: o => o.Concurrency = 16);
        var items = Enumerable.Range(0, count).Select(i => $"item-{i:D5}").ToList();

        // Sixteen concurrent writers commit state + event while the relay publishes and the consumer handles.
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (item, ct) => await producer.App.Items.SubmitAsync(item, cancellationToken: ct));

        await Eventually.WaitUntilAsync(async () => await consumer.App.Items.ItemsWithEffectAsync() == count,
            "ten thousand effects", TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(250));
        await AssertEachAppliedOnceAsync(consumer.App.Store, _scope, items);
        Assert.Equal(count, producer.Sidecar.PublishedCount);
    }

    [Fact]
    public async Task A_delivery_while_the_state_store_is_down_is_retried_without_counting_against_the_event()
    {
        await using var stateRedis = await RedisServer.StartNewAsync();
        await using var app = await AppHost.StartAsync(Settings.With(
            Settings.Dapr("parks-consumer", _scope, FreeTcpPort.Next(), stateRedis.ConnectionString, "http://127.0.0.1:1"),
            new() { ["Parks:State:OperationTimeout"] = "00:00:00.500" }));
        await Eventually.WaitUntilAsync(() => app.Store.PingAsync(), "the store to connect");
        using var client = app.H2cClient();
        var envelope = new Parks.Hosting.Events.EventEnvelope
        {
            Id = Guid.NewGuid().ToString(),
            Type = "parks.testing.v1.WorkItemSubmitted",
            Source = "parks-producer",
            Time = DateTimeOffset.UtcNow,
            Topic = "parks.testing.v1.WorkItemSubmitted",
            DataJson = """{"item":"during-outage"}""",
        };
        async Task<string> DeliverAsync()
        {
            using var request = AppHost.H2cRequest(HttpMethod.Post, "/events/parks.testing.v1.WorkItemSubmitted");
            request.Content = new ByteArrayContent(envelope.ToCloudEventJson());
            using var response = await client.SendAsync(request);
            return await response.Content.ReadAsStringAsync();
        }

        await stateRedis.StopAsync();
        // More outage deliveries than the attempt limit: none may count, so none may drop the event.
        var during = new List<string>();
        for (var i = 0; i < 4; i++) during.Add(await DeliverAsync());
        await stateRedis.StartAsync();
        await Eventually.WaitUntilAsync(() => app.Store.PingAsync(), "the store to reconnect");
        var after = await DeliverAsync();

        Assert.All(during, answer => Assert.Equal("""{"status":"RETRY"}""", answer));
        Assert.Equal("""{"status":"SUCCESS"}""", after);
        Assert.Equal(1, await app.Items.EffectCountAsync("during-outage"));
    }
}
