using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Parks.DaprSidecarDouble;
using Parks.Testing;

namespace Parks.Events.Tests;

/// <summary>
/// The sidecar double against the Dapr contract it stands in for (wire-contracts.md §A1, A3, A4, A6, A7, A9), seen
/// from a scripted app, so that tests which pass against the double mean something for the real daprd.
/// </summary>
[Collection(RedisServerFixture.Collection)]
public sealed class SidecarDoubleTests(RedisServerFixture redis)
{
    private const string Topic = "orders";
    private const string DeadLetters = "orders-dead";
    private const string DaprToken = "dapr-token";
    private const string AppToken = "app-token";

    private static readonly string DefaultSubscriptions = ScriptedApp.Subscriptions(
        (Topic, "/orders", DeadLetters, false), (DeadLetters, "dead", null, false));

    private static (int, string) Success(string route, JsonElement cloudEvent, int previous) => (200, """{"status":"SUCCESS"}""");

    private sealed record Rig(SidecarDouble Sidecar, ScriptedApp App) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Sidecar.DisposeAsync();
            await App.DisposeAsync();
        }
    }

    private async Task<Rig> StartAsync(
        Func<string, JsonElement, int, (int, string)>? answer = null, string? subscriptions = null, Action<DaprSidecarDoubleOptions>? configure = null,
        TimeSpan? delayFirstDelivery = null)
    {
        var app = await ScriptedApp.StartAsync(subscriptions ?? DefaultSubscriptions, answer ?? Success, delayFirstDelivery: delayFirstDelivery);
        var sidecar = await SidecarFor.StartAsync("orders-app", app.Port, redis, TestIds.New("ns") + ":", options =>
        {
            options.DaprApiToken = DaprToken;
            options.AppApiToken = AppToken;
            configure?.Invoke(options);
        });
        await Eventually.WaitUntilAsync(() => sidecar.Subscriptions is not null, "the sidecar to read the subscriptions");
        return new Rig(sidecar, app);
    }

    private static async Task<HttpResponseMessage> PublishAsync(SidecarDouble sidecar, string body, string? contentType,
        string query = "", string? token = DaprToken, string pubsub = "pubsub", string topic = Topic)
    {
        using var client = new HttpClient { BaseAddress = new Uri(sidecar.HttpEndpoint) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1.0/publish/{pubsub}/{topic}{query}")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        if (contentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (token is not null) request.Headers.Add("dapr-api-token", token);
        return await client.SendAsync(request);
    }

    private static async Task<ReceivedDelivery> DeliveredAsync(ScriptedApp app, string route = "/orders", int index = 0)
    {
        await Eventually.WaitUntilAsync(() => app.Received.Count(r => r.Route == route) > index, $"delivery {index} to {route}");
        return app.Received.Where(r => r.Route == route).ElementAt(index);
    }

    [Fact]
    public async Task Health_needs_no_token_but_every_other_call_does()
    {
        await using var rig = await StartAsync();
        var (sidecar, app) = (rig.Sidecar, rig.App);
        using var client = new HttpClient { BaseAddress = new Uri(sidecar.HttpEndpoint) };

        Assert.Equal(HttpStatusCode.NoContent, (await client.GetAsync("/v1.0/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.GetAsync("/v1.0/healthz/outbound")).StatusCode);
        var noToken = await PublishAsync(sidecar, "{}", "application/json", token: null);
        var wrongToken = await PublishAsync(sidecar, "{}", "application/json", token: "nope");
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal("invalid api token", await noToken.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await PublishAsync(sidecar, "{}", "application/json")).StatusCode);
    }

    [Fact]
    public async Task A_json_publish_reaches_the_app_as_a_cloud_event_with_data_as_a_json_value_over_h2c()
    {
        await using var rig = await StartAsync();
        var (sidecar, app) = (rig.Sidecar, rig.App);

        var response = await PublishAsync(sidecar, """{"orderId":"42"}""", "application/json",
            "?metadata.cloudevent.id=evt-1&metadata.cloudevent.type=shop.OrderPlaced&metadata.cloudevent.subject=orders/42" +
            "&metadata.cloudevent.traceparent=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01&metadata.custom=x");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        var delivery = await DeliveredAsync(app);
        Assert.Equal("HTTP/2", delivery.Protocol);
        Assert.Equal("application/cloudevents+json", delivery.ContentType);
        Assert.Equal("pubsub", delivery.Headers["pubsubname"]);
        Assert.Equal(AppToken, delivery.Headers["dapr-api-token"]);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", delivery.Headers["traceparent"]);
        var e = delivery.CloudEvent;
        Assert.Equal("evt-1", e.GetProperty("id").GetString());
        Assert.Equal("1.0", e.GetProperty("specversion").GetString());
        Assert.Equal("orders-app", e.GetProperty("source").GetString());
        Assert.Equal("shop.OrderPlaced", e.GetProperty("type").GetString());
        Assert.Equal("orders/42", e.GetProperty("subject").GetString());
        Assert.Equal("application/json", e.GetProperty("datacontenttype").GetString());
        Assert.Equal(Topic, e.GetProperty("topic").GetString());
        Assert.Equal("pubsub", e.GetProperty("pubsubname").GetString());
        Assert.Equal("42", e.GetProperty("data").GetProperty("orderId").GetString());
        Assert.Equal(e.GetProperty("traceparent").GetString(), e.GetProperty("traceid").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", e.GetProperty("time").GetString());
    }

    [Theory]
    [InlineData("text/plain", "hello", "text/plain")]
    [InlineData(null, "hello", "text/plain")]
    [InlineData("application/xml", "<a/>", "application/xml")]
    [InlineData("application/x-protobuf", "\u0001\u0002", "application/x-protobuf")]
    [InlineData("application/problem+json", """{"a":1}""", "application/problem+json")]
    [InlineData("application/json", "{not json", "application/json")]
    public async Task Anything_but_parseable_json_or_octet_stream_is_embedded_as_a_string(string? contentType, string body, string expectedType)
    {
        await using var rig = await StartAsync();
        var (sidecar, app) = (rig.Sidecar, rig.App);

        await PublishAsync(sidecar, body, contentType);

        var e = (await DeliveredAsync(app)).CloudEvent;
        Assert.Equal(expectedType, e.GetProperty("datacontenttype").GetString());
        Assert.Equal(JsonValueKind.String, e.GetProperty("data").ValueKind);
        Assert.Equal(body, e.GetProperty("data").GetString());
        Assert.Equal("com.dapr.event.sent", e.GetProperty("type").GetString());
        Assert.True(Guid.TryParse(e.GetProperty("id").GetString(), out _));
    }

    [Fact]
    public async Task Json_with_parameters_is_still_json_and_octet_stream_is_base64()
    {
        await using var rig = await StartAsync();
        var (sidecar, app) = (rig.Sidecar, rig.App);

        await PublishAsync(sidecar, """{"a":1}""", "application/json; charset=utf-8");
        await PublishAsync(sidecar, "bytes", "application/octet-stream");

        var json = (await DeliveredAsync(app, index: 0)).CloudEvent;
        var binary = (await DeliveredAsync(app, index: 1)).CloudEvent;
        var (jsonEvent, binaryEvent) = json.TryGetProperty("data_base64", out _) ? (binary, json) : (json, binary);
        Assert.Equal(1, jsonEvent.GetProperty("data").GetProperty("a").GetInt32());
        Assert.Equal(Convert.ToBase64String("bytes"u8.ToArray()), binaryEvent.GetProperty("data_base64").GetString());
        Assert.False(binaryEvent.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task An_apps_own_cloud_event_is_kept_with_topic_and_pubsubname_overwritten_and_no_overrides()
    {
        await using var rig = await StartAsync();
        var (sidecar, app) = (rig.Sidecar, rig.App);

        await PublishAsync(sidecar, """{"id":"mine","specversion":"1.0","source":"me","type":"t","topic":"elsewhere","pubsubname":"x","data":{"k":"v"}}""",
            "application/cloudevents+json", "?metadata.cloudevent.id=override");

        var e = (await DeliveredAsync(app)).CloudEvent;
        Assert.Equal("mine", e.GetProperty("id").GetString());
        Assert.Equal("me", e.GetProperty("source").GetString());
        Assert.Equal(Topic, e.GetProperty("topic").GetString());
        Assert.Equal("pubsub", e.GetProperty("pubsubname").GetString());
        Assert.Equal("v", e.GetProperty("data").GetProperty("k").GetString());
        Assert.True(e.TryGetProperty("time", out _));
        Assert.True(e.TryGetProperty("traceparent", out _));
    }

    [Fact]
    public async Task Bad_metadata_and_unknown_components_are_refused_with_daprs_error_codes()
    {
        await using var rig = await StartAsync();
        var (sidecar, app) = (rig.Sidecar, rig.App);

        var badRaw = await PublishAsync(sidecar, "{}", "application/json", "?metadata.rawPayload=abc");
        var unknown = await PublishAsync(sidecar, "{}", "application/json", pubsub: "nosuch");

        Assert.Equal(HttpStatusCode.BadRequest, badRaw.StatusCode);
        Assert.Equal("ERR_PUBSUB_REQUEST_METADATA", JsonDocument.Parse(await badRaw.Content.ReadAsStringAsync()).RootElement.GetProperty("errorCode").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("ERR_PUBSUB_NOT_FOUND", JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task A_raw_payload_reaches_a_raw_subscription_as_base64_in_a_dapr_made_cloud_event()
    {
        var subscriptions = ScriptedApp.Subscriptions(("raw", "/raw", null, true));
        await using var rig = await StartAsync(subscriptions: subscriptions);
        var (sidecar, app) = (rig.Sidecar, rig.App);

        await PublishAsync(sidecar, "raw bytes", "text/plain", "?metadata.rawPayload=true", topic: "raw");
        await PublishAsync(sidecar, "raw bytes", "text/plain", "?metadata.rawPayload=true", topic: "raw");

        var first = (await DeliveredAsync(app, "/raw", 0)).CloudEvent;
        var second = (await DeliveredAsync(app, "/raw", 1)).CloudEvent;
        Assert.Equal("application/octet-stream", first.GetProperty("datacontenttype").GetString());
        Assert.Equal(Convert.ToBase64String("raw bytes"u8.ToArray()), first.GetProperty("data_base64").GetString());
        Assert.Equal("com.dapr.event.sent", first.GetProperty("type").GetString());
        Assert.NotEqual(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_ttl_adds_an_expiration()
    {
        await using var rig = await StartAsync();
        var (sidecar, app) = (rig.Sidecar, rig.App);

        await PublishAsync(sidecar, "{}", "application/json", "?metadata.ttlInSeconds=60");

        var e = (await DeliveredAsync(app)).CloudEvent;
        Assert.True(e.GetProperty("expiration").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddSeconds(30));
    }

    [Theory]
    [InlineData(200, """{"status":"SUCCESS"}""", 1, false)]
    [InlineData(200, "", 1, false)]
    [InlineData(200, "not json", 1, false)]
    [InlineData(200, """{"other":"field"}""", 1, false)]
    [InlineData(200, """{"status":"DROP"}""", 1, true)]
    [InlineData(404, "", 1, true)]
    [InlineData(200, """{"status":"success"}""", 4, true)]
    [InlineData(200, """{"status":"RETRY"}""", 4, true)]
    [InlineData(500, """{"status":"SUCCESS"}""", 4, true)]
    [InlineData(503, "", 4, true)]
    public async Task The_apps_answer_decides_ack_retry_or_dead_letter(int status, string body, int attempts, bool deadLettered)
    {
        await using var rig = await StartAsync((route, _, _) => route == "/dead" ? (200, "") : (status, body));
        var (sidecar, app) = (rig.Sidecar, rig.App);

        await PublishAsync(sidecar, """{"n":1}""", "application/json", "?metadata.cloudevent.id=the-event");

        if (deadLettered)
        {
            var dead = await DeliveredAsync(app, "/dead");
            Assert.Equal("the-event", dead.CloudEvent.GetProperty("id").GetString());
            Assert.Equal(DeadLetters, Assert.Single(sidecar.DeadLettered).DeadLetterTopic);
        }
        else
        {
            await Eventually.WaitUntilAsync(() => sidecar.Deliveries.Any(d => d.Outcome == DeliveryOutcome.Success), "the acknowledgement");
            await Task.Delay(300); // nothing else may follow an acknowledged delivery
        }
        Assert.Equal(attempts, app.Received.Count(r => r.Route == "/orders"));
        Assert.Equal(deadLettered ? 1 : 0, app.Received.Count(r => r.Route == "/dead"));
    }

    [Fact]
    public async Task A_retry_that_later_succeeds_is_not_dead_lettered()
    {
        await using var rig = await StartAsync((route, _, previous) => previous < 2 ? (200, """{"status":"RETRY"}""") : (200, """{"status":"SUCCESS"}"""));
        var (sidecar, app) = (rig.Sidecar, rig.App);

        await PublishAsync(sidecar, "{}", "application/json");

        await Eventually.WaitUntilAsync(() => sidecar.Deliveries.Any(d => d.Outcome == DeliveryOutcome.Success), "success on the third attempt");
        Assert.Equal(3, app.Received.Count);
        Assert.Empty(sidecar.DeadLettered);
    }

    [Fact]
    public async Task Without_a_dead_letter_topic_exhausted_retries_are_acknowledged_and_lost()
    {
        await using var rig = await StartAsync((_, _, _) => (500, ""), ScriptedApp.Subscriptions((Topic, "/orders", null, false)));
        var (sidecar, app) = (rig.Sidecar, rig.App);

        await PublishAsync(sidecar, "{}", "application/json");

        await Eventually.WaitUntilAsync(() => app.Received.Count == 4, "the four attempts");
        await Task.Delay(1500); // longer than the redeliver interval: an acknowledged message is never redelivered
        Assert.Equal(4, app.Received.Count);
    }

    [Fact]
    public async Task A_delivery_slower_than_the_processing_timeout_is_redelivered()
    {
        await using var rig = await StartAsync(configure: o => o.ProcessingTimeout = TimeSpan.FromMilliseconds(500),
            delayFirstDelivery: TimeSpan.FromSeconds(2));
        var (sidecar, app) = (rig.Sidecar, rig.App);

        await PublishAsync(sidecar, "{}", "application/json", "?metadata.cloudevent.id=slow");

        await Eventually.WaitUntilAsync(() => sidecar.Deliveries.Any(d => d.EventId == "slow" && d.Outcome == DeliveryOutcome.Success), "the redelivery");
        Assert.True(app.Received.Count(r => r.CloudEvent.GetProperty("id").GetString() == "slow") >= 2);
        Assert.Empty(sidecar.DeadLettered);
    }

    [Fact]
    public async Task A_lost_acknowledgement_redelivers_the_message_until_one_is_kept()
    {
        await using var rig = await StartAsync(configure: o => o.ProcessingTimeout = TimeSpan.FromMilliseconds(500));
        var (sidecar, app) = (rig.Sidecar, rig.App);
        sidecar.LoseAcknowledgements = true;

        await PublishAsync(sidecar, "{}", "application/json", "?metadata.cloudevent.id=unacked");
        await Eventually.WaitUntilAsync(() => sidecar.Deliveries.Count(d => d.EventId == "unacked" && d.Outcome == DeliveryOutcome.Success) >= 2,
            "the answered message to be delivered again");
        sidecar.LoseAcknowledgements = false;
        var kept = 0;
        await Eventually.WaitUntilAsync(async () =>
        {
            var before = app.Received.Count;
            await Task.Delay(1500); // longer than the processing timeout and the redeliver interval
            kept = app.Received.Count;
            return kept == before;
        }, "the redeliveries to stop once an acknowledgement is kept");

        Assert.True(kept >= 2);
        Assert.All(app.Received, r => Assert.Equal("unacked", r.CloudEvent.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Subscriptions_are_read_once_after_the_app_port_opens()
    {
        var appPort = FreeTcpPort.Next();
        await using var sidecar = await SidecarFor.StartAsync("late-app", appPort, redis, TestIds.New("ns") + ":");
        await Task.Delay(300);
        Assert.Equal(0, sidecar.SubscribeCalls);
        using var notReady = await new HttpClient().GetAsync($"{sidecar.HttpEndpoint}/v1.0/healthz");
        Assert.Equal(HttpStatusCode.InternalServerError, notReady.StatusCode);

        await using var app = await ScriptedApp.StartAsync(DefaultSubscriptions, Success, appPort);
        await Eventually.WaitUntilAsync(() => sidecar.Subscriptions is not null, "the subscriptions");
        await PublishAsync(sidecar, "{}", "application/json", token: null);
        await DeliveredAsync(app);

        Assert.Equal(1, app.SubscribeCalls);
        using var ready = await new HttpClient().GetAsync($"{sidecar.HttpEndpoint}/v1.0/healthz");
        Assert.Equal(HttpStatusCode.NoContent, ready.StatusCode);
    }

    [Fact]
    public async Task Publishing_fails_while_switched_off_and_while_the_sidecar_is_away()
    {
        await using var rig = await StartAsync();
        var (sidecar, app) = (rig.Sidecar, rig.App);

        sidecar.PublishFailureStatus = 500;
        var refused = await PublishAsync(sidecar, "{}", "application/json");
        sidecar.PublishFailureStatus = null;
        await sidecar.StopAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => PublishAsync(sidecar, "{}", "application/json"));
        await sidecar.StartAsync();
        var accepted = await PublishAsync(sidecar, "{}", "application/json");

        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        Assert.Equal("ERR_PUBSUB_PUBLISH_MESSAGE", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("errorCode").GetString());
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        await DeliveredAsync(app);
        Assert.Equal(2, app.SubscribeCalls); // read again by the restarted sidecar
    }
}
