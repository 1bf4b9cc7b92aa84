using Parks.DaprSidecarDouble;
using Parks.Testing;

namespace Parks.Events.Tests;

/// <summary>
/// The production path: producer app → its sidecar (double) → Redis Streams → the consumer's sidecar (double) →
/// the consumer app's h2c port, with API tokens both ways.
/// </summary>
[Collection(RedisServerFixture.Collection)]
public sealed class DaprEventBusTests(RedisServerFixture redis)
{
    private const string DaprToken = "dapr-api-token-value";
    private const string AppToken = "app-api-token-value";
    private readonly string _streams = TestIds.New("streams") + ":";
    private readonly string _scope = TestIds.New("s");

    [Fact]
    public async Task Events_flow_from_producer_to_consumer_through_the_sidecars()
    {
        await using var producerRig = await DaprRig.StartAsync(redis, "parks-producer", _scope, _streams, consume: false, DaprToken, AppToken);
        await using var consumerRig = await DaprRig.StartAsync(redis, "parks-consumer", _scope, _streams, consume: true, DaprToken, AppToken);
        var items = Enumerable.Range(0, 30).Select(i => $"item-{i}").ToList();

        foreach (var item in items) await producerRig.App.Items.SubmitAsync(item);

        await Eventually.WaitUntilAsync(async () => await consumerRig.App.Items.ItemsWithEffectAsync() == items.Count, "all effects");
        foreach (var item in items) Assert.Equal(1, await consumerRig.App.Items.EffectCountAsync(item));
        Assert.Equal(items.Count, producerRig.Sidecar.PublishedCount);
        Assert.All(consumerRig.Sidecar.Deliveries, d => Assert.Equal(DeliveryOutcome.Success, d.Outcome));
        var subscriptions = consumerRig.Sidecar.Subscriptions!;
        Assert.Contains(subscriptions, s => s.Topic == "parks.testing.v1.WorkItemSubmitted" && s.DeadLetterTopic == "parks.deadletter.parks-consumer");
    }

    [Fact]
    public async Task The_subscribers_cloud_event_id_is_the_producers_event_id()
    {
        await using var producerRig = await DaprRig.StartAsync(redis, "parks-producer", _scope, _streams, consume: false);
        await using var consumerRig = await DaprRig.StartAsync(redis, "parks-consumer", _scope, _streams, consume: true);

        var envelope = await producerRig.App.Items.SubmitAsync("one");

        await Eventually.WaitUntilAsync(() => consumerRig.Sidecar.Deliveries.Any(d => d.Outcome == DeliveryOutcome.Success), "the delivery");
        Assert.Equal(envelope.Id, Assert.Single(consumerRig.Sidecar.Deliveries).EventId);
    }
}

/// <summary>An in-process test app with its own sidecar double.</summary>
internal sealed class DaprRig : IAsyncDisposable
{
    private DaprRig(AppHost app, SidecarDouble sidecar)
    {
        App = app;
        Sidecar = sidecar;
    }

    public AppHost App { get; }

    public SidecarDouble Sidecar { get; }

    public static async Task<DaprRig> StartAsync(RedisServerFixture redis, string appId, string scope, string streams, bool consume,
        string? daprToken = null, string? appToken = null, Action<DaprSidecarDoubleOptions>? sidecar = null,
        Dictionary<string, string?>? settings = null)
    {
        var appPort = FreeTcpPort.Next();
        var double_ = await SidecarFor.StartAsync(appId, appPort, redis, streams, options =>
        {
            options.DaprApiToken = daprToken;
            options.AppApiToken = appToken;
            sidecar?.Invoke(options);
        });
        var all = Settings.With(Settings.Dapr(appId, scope, appPort, redis.ConnectionString, double_.HttpEndpoint, daprToken, appToken),
            new() { ["TestApp:Consume"] = consume ? "true" : "false" });
        if (settings is not null) all = Settings.With(all, settings);
        var app = await AppHost.StartAsync(all);
        await Eventually.WaitUntilAsync(() => double_.Subscriptions is not null, "the sidecar to read the subscriptions");
        return new DaprRig(app, double_);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Sidecar.DisposeAsync();
    }
}
