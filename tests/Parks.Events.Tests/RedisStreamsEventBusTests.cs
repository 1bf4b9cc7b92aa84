using Parks.Testing;

namespace Parks.Events.Tests;

/// <summary>The Redis Streams path of the local run (no Dapr), in process, on a real redis-server.</summary>
[Collection(RedisServerFixture.Collection)]
public sealed class RedisStreamsEventBusTests(RedisServerFixture redis)
{
    private readonly string _streams = TestIds.New("streams") + ":";
    private readonly string _scope = TestIds.New("s");

    private Task<AppHost> StartAsync(string appId, bool consume = true) =>
        AppHost.StartAsync(Settings.With(Settings.Redis(appId, _scope, FreeTcpPort.Next(), redis.ConnectionString, _streams),
            new() { ["TestApp:Consume"] = consume ? "true" : "false" }));

    [Fact]
    public async Task Committed_events_reach_the_consumer_once_each()
    {
        await using var producer = await StartAsync("producer", consume: false);
        await using var consumer = await StartAsync("consumer");
        var items = Enumerable.Range(0, 50).Select(i => $"item-{i}").ToList();

        await Task.WhenAll(items.Select(item => producer.Items.SubmitAsync(item)));

        await Eventually.WaitUntilAsync(async () => await consumer.Items.ItemsWithEffectAsync() == items.Count, "all effects");
        foreach (var item in items) Assert.Equal(1, await consumer.Items.EffectCountAsync(item));
    }

    [Fact]
    public async Task Replicas_of_one_app_share_the_work_and_apply_each_event_once()
    {
        await using var producer = await StartAsync("producer", consume: false);
        await using var first = await StartAsync("consumer");
        await using var second = await StartAsync("consumer");
        var items = Enumerable.Range(0, 100).Select(i => $"item-{i}").ToList();

        foreach (var item in items) await producer.Items.SubmitAsync(item);

        await Eventually.WaitUntilAsync(async () => await first.Items.ItemsWithEffectAsync() == items.Count, "all effects");
        foreach (var item in items) Assert.Equal(1, await first.Items.EffectCountAsync(item));
    }

    [Fact]
    public async Task A_consumer_that_joins_later_gets_what_was_published_before()
    {
        await using var producer = await StartAsync("producer", consume: false);
        // The consumer group is created at stream ID 0, as Dapr does: history is delivered.
        foreach (var i in Enumerable.Range(0, 10)) await producer.Items.SubmitAsync($"early-{i}");
        await Eventually.WaitUntilAsync(async () => await producer.Store.CountQueueAsync("parks:events:producer:outbox:queue") == 0, "publish");

        await using var consumer = await StartAsync("late-consumer");

        await Eventually.WaitUntilAsync(async () => await consumer.Items.ItemsWithEffectAsync() == 10, "the earlier events");
    }

    [Fact]
    public async Task A_poison_event_is_dead_lettered_and_does_not_block_later_events()
    {
        await using var producer = await StartAsync("producer", consume: false);
        await using var consumer = await StartAsync("consumer");

        var poison = await producer.Items.SubmitAsync("bad", poison: true);
        foreach (var i in Enumerable.Range(0, 10)) await producer.Items.SubmitAsync($"good-{i}");

        await Eventually.WaitUntilAsync(async () => await consumer.Items.ItemsWithEffectAsync() == 10, "the later events");
        await Eventually.WaitUntilAsync(async () => await consumer.DeadLetters.GetAsync(poison.Id) is not null, "the dead letter");
        var letter = (await consumer.DeadLetters.GetAsync(poison.Id))!;
        Assert.Equal(3, letter.Attempts);
        Assert.Contains("poison", letter.Reason, StringComparison.Ordinal);
    }
}
