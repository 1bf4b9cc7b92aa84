using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Parks.Domain;
using Parks.Hosting.Events;
using Parks.Testing;
using Parks.Testing.V1;

namespace Parks.Events.Tests;

/// <summary>
/// The app side of Dapr pub/sub, called the way daprd calls it (HTTP/2 prior knowledge on the app's h2c port):
/// the subscription list, token checks, the exact SUCCESS/RETRY/DROP answers, the inbox under duplicate and
/// concurrent deliveries, and the dead-letter records operators work with.
/// </summary>
[Collection(RedisServerFixture.Collection)]
public sealed class DaprAppEndpointTests(RedisServerFixture redis) : IAsyncLifetime
{
    private const string AppToken = "app-token-for-tests";
    private const string Topic = "parks.testing.v1.WorkItemSubmitted";
    private readonly string _appId = TestIds.New("app");
    private AppHost _app = null!;
    private HttpClient _client = null!;

    private string DeadLetterTopic => $"parks.deadletter.{_appId}";

    public async Task InitializeAsync()
    {
        // No sidecar is running: these tests only exercise what daprd calls on the app.
        _app = await AppHost.StartAsync(Settings.Dapr(_appId, TestIds.New("s"), FreeTcpPort.Next(), redis.ConnectionString,
            "http://127.0.0.1:1", appToken: AppToken));
        _client = _app.H2cClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private static EventEnvelope WorkItem(string item, bool poison = false) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Type = WorkItemSubmitted.Descriptor.FullName,
        Source = "parks-producer",
        Time = DateTimeOffset.UtcNow,
        Topic = Topic,
        DataJson = Google.Protobuf.JsonFormatter.Default.Format(new WorkItemSubmitted { Item = item, Poison = poison }),
    };

    private async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> DeliverAsync(
        string topic, byte[] cloudEvent, string? token = AppToken)
    {
        using var request = AppHost.H2cRequest(HttpMethod.Post, $"/events/{topic}");
        request.Content = new ByteArrayContent(cloudEvent);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        request.Headers.Add("pubsubname", "pubsub");
        if (token is not null) request.Headers.Add("dapr-api-token", token);
        var response = await _client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> DeliverAsync(EventEnvelope envelope) =>
        DeliverAsync(Topic, envelope.ToCloudEventJson("pubsub"));

    [Fact]
    public async Task The_subscription_list_names_each_topic_its_route_and_the_dead_letter_topic()
    {
        using var request = AppHost.H2cRequest(HttpMethod.Get, "/dapr/subscribe");
        request.Headers.Add("dapr-api-token", AppToken);
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(2, 0), response.Version);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var subscriptions = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .Select(s => (
                PubSub: s.GetProperty("pubsubname").GetString(),
                Topic: s.GetProperty("topic").GetString(),
                Route: s.GetProperty("route").GetString(),
                DeadLetter: s.TryGetProperty("deadLetterTopic", out var d) ? d.GetString() : null))
            .OrderBy(s => s.Topic, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(
            [
                ("pubsub", DeadLetterTopic, $"/events/{DeadLetterTopic}", null),
                ("pubsub", "parks.testing.v1.PingRecorded", "/events/parks.testing.v1.PingRecorded", DeadLetterTopic),
                ("pubsub", Topic, $"/events/{Topic}", DeadLetterTopic),
            ],
            subscriptions);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task A_missing_or_wrong_app_token_is_401_never_404(string? token)
    {
        using var request = AppHost.H2cRequest(HttpMethod.Get, "/dapr/subscribe");
        if (token is not null) request.Headers.Add("dapr-api-token", token);
        using var subscribe = await _client.SendAsync(request);
        var item = TestIds.New("item");
        var (status, _, _) = await DeliverAsync(Topic, WorkItem(item).ToCloudEventJson(), token);

        Assert.Equal(HttpStatusCode.Unauthorized, subscribe.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(0, await _app.Items.EffectCountAsync(item));
    }

    [Fact]
    public async Task A_delivery_is_answered_with_exactly_SUCCESS_and_applied_once_however_often_it_comes()
    {
        var envelope = WorkItem(TestIds.New("item"));

        var first = await DeliverAsync(envelope);
        var again = await DeliverAsync(envelope);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("""{"status":"SUCCESS"}""", first.Body);
        Assert.Equal("application/json", first.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"status":"SUCCESS"}""", again.Body);
        Assert.Equal(1, await _app.Items.EffectCountAsync(envelope.DataJson!.Split('"')[3]));
    }

    [Fact]
    public async Task Copies_of_one_event_delivered_at_once_apply_one_effect()
    {
        var item = TestIds.New("item");
        var envelope = WorkItem(item);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => DeliverAsync(envelope)));

        Assert.All(answers, a => Assert.Equal("""{"status":"SUCCESS"}""", a.Body));
        Assert.Equal(1, await _app.Items.EffectCountAsync(item));
    }

    [Fact]
    public async Task Different_events_for_the_same_item_each_apply()
    {
        var item = TestIds.New("item");

        await DeliverAsync(WorkItem(item));
        await DeliverAsync(WorkItem(item));

        Assert.Equal(2, await _app.Items.EffectCountAsync(item));
    }

    [Fact]
    public async Task A_failing_handler_is_retried_then_dropped_after_the_attempt_limit()
    {
        var envelope = WorkItem(TestIds.New("poison"), poison: true);

        var answers = new List<string>();
        for (var i = 0; i < 3; i++) answers.Add((await DeliverAsync(envelope)).Body);

        Assert.Equal(["""{"status":"RETRY"}""", """{"status":"RETRY"}""", """{"status":"DROP"}"""], answers);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"id":"x","type":"parks.testing.v1.WorkItemSubmitted","source":"s","data":{"item":7}}""")]
    [InlineData("""{"id":"x","type":"parks.testing.v1.Unknown","source":"s","data":{}}""")]
    public async Task An_unreadable_event_is_dropped_at_once(string body)
    {
        var (status, answer, _) = await DeliverAsync(Topic, Encoding.UTF8.GetBytes(body));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"status":"DROP"}""", answer);
    }

    [Fact]
    public async Task A_topic_the_app_does_not_subscribe_to_is_dropped()
    {
        var (_, answer, _) = await DeliverAsync("parks.other.v1.Something", WorkItem("x").ToCloudEventJson());
        Assert.Equal("""{"status":"DROP"}""", answer);
    }

    [Fact]
    public async Task A_dead_letter_is_recorded_with_its_reason_and_can_be_listed()
    {
        var envelope = WorkItem(TestIds.New("poison"), poison: true);
        for (var i = 0; i < 3; i++) await DeliverAsync(envelope);

        // daprd forwards the dropped message to the dead-letter topic; delivering it twice records it once.
        var (_, first, _) = await DeliverAsync(DeadLetterTopic, envelope.ToCloudEventJson("pubsub"));
        var (_, second, _) = await DeliverAsync(DeadLetterTopic, envelope.ToCloudEventJson("pubsub"));

        Assert.Equal("""{"status":"SUCCESS"}""", first);
        Assert.Equal("""{"status":"SUCCESS"}""", second);
        var letter = await _app.DeadLetters.GetAsync(envelope.Id);
        Assert.NotNull(letter);
        Assert.Equal(3, letter.Attempts);
        Assert.Contains("is poison", letter.Reason, StringComparison.Ordinal);
        Assert.Equal(Topic, letter.Topic);
        var page = await _app.DeadLetters.ListAsync(100, null);
        Assert.Equal([envelope.Id], page.Items.Select(l => l.EventId));
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Dead_letters_page_oldest_first()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var envelope = WorkItem(TestIds.New("dl"));
            ids.Add(envelope.Id);
            await DeliverAsync(DeadLetterTopic, envelope.ToCloudEventJson());
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _app.DeadLetters.ListAsync(2, cursor);
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(l => l.EventId));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(ids, seen);
        Assert.Equal(5, await _app.DeadLetters.CountAsync());
    }

    [Fact]
    public async Task Replaying_a_dead_letter_applies_it_through_the_inbox_and_removes_it()
    {
        // An event the broker dead-lettered though it would succeed now (e.g. after an outage).
        var item = TestIds.New("item");
        var envelope = WorkItem(item);
        await DeliverAsync(DeadLetterTopic, envelope.ToCloudEventJson());

        Assert.Equal(DeliveryStatus.Success, await _app.DeadLetters.ReplayAsync(envelope.Id));

        Assert.Equal(1, await _app.Items.EffectCountAsync(item));
        Assert.Null(await _app.DeadLetters.GetAsync(envelope.Id));
        Assert.Equal(0, await _app.DeadLetters.CountAsync());
    }

    [Fact]
    public async Task Replaying_a_poison_dead_letter_keeps_it_with_the_new_reason()
    {
        var envelope = WorkItem(TestIds.New("poison"), poison: true);
        await DeliverAsync(DeadLetterTopic, envelope.ToCloudEventJson());

        Assert.Equal(DeliveryStatus.Retry, await _app.DeadLetters.ReplayAsync(envelope.Id));

        var letter = await _app.DeadLetters.GetAsync(envelope.Id);
        Assert.NotNull(letter);
        Assert.Equal(1, letter.Attempts);
        Assert.Contains("is poison", letter.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_discarded_dead_letter_is_gone_and_unknown_ids_are_not_found()
    {
        var envelope = WorkItem(TestIds.New("dl"));
        await DeliverAsync(DeadLetterTopic, envelope.ToCloudEventJson());

        await _app.DeadLetters.DiscardAsync(envelope.Id);

        Assert.Null(await _app.DeadLetters.GetAsync(envelope.Id));
        Assert.Empty((await _app.DeadLetters.ListAsync(10, null)).Items);
        await Assert.ThrowsAsync<NotFoundException>(() => _app.DeadLetters.DiscardAsync(envelope.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => _app.DeadLetters.ReplayAsync("no-such-event"));
    }
}
