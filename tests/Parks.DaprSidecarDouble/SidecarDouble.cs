using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Parks.DaprSidecarDouble;

/// <summary>
/// Stands in for daprd next to one app, for the pub/sub subset Parks uses, faithful to wire-contracts.md §A:
/// health endpoints, API token checks, publish with the CloudEvent envelope (data rule, metadata, cloudevent.*
/// overrides, rawPayload, ttl), and the subscriber side: once the app port accepts TCP it reads
/// <c>GET /dapr/subscribe</c> once, then delivers from Redis Streams over h2c and applies the A6 response table,
/// the retry policy, dead-letter topics and at-least-once redelivery. Fault switches let tests make publishing fail,
/// deliver every message twice, or take the whole sidecar away and bring it back.
/// </summary>
public sealed class SidecarDouble : IAsyncDisposable
{
    private readonly DaprSidecarDoubleOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private ConnectionMultiplexer? _redis;
    private WebApplication? _api;
    private Subscriber? _subscriber;

    public SidecarDouble(DaprSidecarDoubleOptions options, ILoggerFactory? loggerFactory = null)
    {
        if (string.IsNullOrEmpty(options.AppId)) throw new ArgumentException("AppId is required", nameof(options));
        if (string.IsNullOrEmpty(options.Redis)) throw new ArgumentException("Redis is required", nameof(options));
        _options = options;
        _loggerFactory = loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
    }

    /// <summary>The Dapr HTTP API base address (what the app gets as DAPR_HTTP_PORT).</summary>
    public string HttpEndpoint => $"http://127.0.0.1:{HttpPort}";

    public int HttpPort { get; private set; }

    /// <summary>When set, publish calls fail with this status (500 is what daprd answers for a broker error).</summary>
    public int? PublishFailureStatus { get; set; }

    /// <summary>When set, every message is delivered twice, concurrently (at-least-once at its worst).</summary>
    public bool DeliverTwice { get; set; }

    /// <summary>
    /// When set, a message the app answered SUCCESS is not acknowledged, as when daprd stops between the app's answer and
    /// the XACK: it stays pending and is redelivered after the processing timeout, already applied.
    /// </summary>
    public bool LoseAcknowledgements { get; set; }

    /// <summary>Successful publish calls.</summary>
    public long PublishedCount => Interlocked.Read(ref _published);

    private long _published;

    /// <summary>Publish calls refused because of <see cref="PublishFailureStatus"/>.</summary>
    public long RefusedCount => Interlocked.Read(ref _refused);

    private long _refused;

    /// <summary>Every delivery attempt, in order.</summary>
    public IReadOnlyList<DeliveryAttempt> Deliveries => [.. _deliveries];

    private readonly ConcurrentQueue<DeliveryAttempt> _deliveries = new();

    /// <summary>The subscriptions read from the app (null until read).</summary>
    public IReadOnlyList<Subscription>? Subscriptions => _subscriber?.Subscriptions;

    /// <summary>Times the app's <c>/dapr/subscribe</c> was called.</summary>
    public int SubscribeCalls => _subscriber?.SubscribeCalls ?? 0;

    /// <summary>Messages sent to a dead-letter topic: (subscription topic, dead-letter topic, CloudEvent id).</summary>
    public IReadOnlyList<(string Topic, string DeadLetterTopic, string? EventId)> DeadLettered => [.. _deadLettered];

    private readonly ConcurrentQueue<(string, string, string?)> _deadLettered = new();

    public static async Task< SidecarDouble> StartNewAsync(DaprSidecarDoubleOptions options, ILoggerFactory? loggerFactory = null)
    {
        var sidecar = new SidecarDouble(options, loggerFactory);
        await sidecar.StartAsync();
        return sidecar;
    }

    /// <summary>Starts (or restarts, on the same port) the API and the subscriber.</summary>
    public async Task StartAsync()
    {
        if (_api is not null) throw new InvalidOperationException("the sidecar double is already running");
        _redis ??= await ConnectionMultiplexer.ConnectAsync(RedisConfiguration());
        var streams = new StreamStore(_redis, _options.StreamKeyPrefix);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, HttpPort, listen => listen.Protocols = HttpProtocols.Http1));
        var api = builder.Build();
        MapApi(api, streams);
        await api.StartAsync();
        HttpPort = new Uri(api.Urls.First()).Port;
        _api = api;

        _subscriber = new Subscriber(_options, streams, this, _loggerFactory.CreateLogger<Subscriber>());
        _subscriber.Start();
    }

    /// <summary>Takes the whole sidecar away: API down, deliveries cut off mid-flight (they stay pending in Redis).</summary>
    public async Task StopAsync()
    {
        if (_subscriber is not null) await _subscriber.DisposeAsync();
        _subscriber = null;
        if (_api is not null)
        {
            await _api.StopAsync();
            await _api.DisposeAsync();
        }
        _api = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_redis is not null)
        {
            await _redis.CloseAsync(allowCommandsToComplete: false);
            _redis.Dispose();
        }
    }

    internal void Record(DeliveryAttempt attempt) => _deliveries.Enqueue(attempt);

    internal void RecordDeadLetter(string topic, string deadLetterTopic, string? eventId) =>
        _deadLettered.Enqueue((topic, deadLetterTopic, eventId));

    private ConfigurationOptions RedisConfiguration()
    {
        var configuration = ConfigurationOptions.Parse(_options.Redis);
        configuration.AbortOnConnectFail = false;
        configuration.ClientName = $"daprd-double-{_options.AppId}";
        return configuration;
    }

    private void MapApi(WebApplication api, StreamStore streams)
    {
        api.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            var excluded = path is "/v1.0/healthz" or "/v1.0/healthz/outbound";
            if (!excluded && !string.IsNullOrEmpty(_options.DaprApiToken)
                && context.Request.Headers["dapr-api-token"].ToString() != _options.DaprApiToken)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync("invalid api token");
                return;
            }
            await next(context);
        });

        api.MapGet("/v1.0/healthz", () => _subscriber?.Subscriptions is not null
            ? Results.NoContent()
            : Error(500, "ERR_HEALTH_NOT_READY", "dapr is not ready"));
        api.MapGet("/v1.0/healthz/outbound", () => Results.NoContent());
        api.MapMethods("/v1.0/publish/{pubsub}/{**topic}", ["POST", "PUT"],
            (HttpContext context, string pubsub, string? topic) => PublishAsync(context, pubsub, topic, streams));
    }

    private async Task<IResult> PublishAsync(HttpContext context, string pubsub, string? topic, StreamStore streams)
    {
        if (!_options.PubSubNames.Contains(pubsub)) return Error(404, "ERR_PUBSUB_NOT_FOUND", $"pubsub {pubsub} not found");
        if (string.IsNullOrEmpty(topic)) return Error(404, "ERR_PUBSUB_TOPIC_NAME_EMPTY", $"topic is empty in pubsub {pubsub}");
        if (PublishFailureStatus is { } failure)
        {
            Interlocked.Increment(ref _refused);
            return Error(failure, "ERR_PUBSUB_PUBLISH_MESSAGE", $"error when publish to topic {topic} in pubsub {pubsub}: broker unavailable");
        }

        // metadata.* query parameters: prefix stripped, first value only, case-sensitive.
        var metadata = context.Request.Query
            .Where(q => q.Key.StartsWith("metadata.", StringComparison.Ordinal))
            .ToDictionary(q => q.Key["metadata.".Length..], q => q.Value[0] ?? "", StringComparer.Ordinal);
        var rawPayload = false;
        if (metadata.TryGetValue("rawPayload", out var rawText))
        {
            if (CloudEventBuilder.ParseGoBool(rawText) is not { } raw)
                return Error(400, "ERR_PUBSUB_REQUEST_METADATA", $"failed to parse metadata rawPayload: invalid value '{rawText}'");
            rawPayload = raw;
        }
        if (metadata.TryGetValue("ttlInSeconds", out var ttl) && !int.TryParse(ttl, out _))
            return Error(400, "ERR_PUBSUB_REQUEST_METADATA", $"failed to parse metadata ttlInSeconds: invalid value '{ttl}'");

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        byte[] stored;
        try
        {
            stored = rawPayload
                ? body.ToArray()
                : CloudEventBuilder.Build(_options.AppId, pubsub, topic, context.Request.ContentType, body.ToArray(), metadata,
                    context.Request.Headers["traceparent"].FirstOrDefault(), DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is JsonException or PublishException)
        {
            return e is PublishException p ? Error(p.Status, p.ErrorCode, p.Message) : Error(500, "ERR_PUBSUB_CLOUD_EVENTS_SER", e.Message);
        }
        try
        {
            await streams.AddAsync(topic, stored);
        }
        catch (RedisException e)
        {
            return Error(500, "ERR_PUBSUB_PUBLISH_MESSAGE", $"error when publish to topic {topic} in pubsub {pubsub}: {e.Message}");
        }
        Interlocked.Increment(ref _published);
        return Results.NoContent();
    }

    private static IResult Error(int status, string errorCode, string message) =>
        Results.Json(new Dictionary<string, string> { ["errorCode"] = errorCode, ["message"] = message }, statusCode: status);
}

/// <summary>One delivery attempt to the app: the HTTP status (null: no answer) and what daprd made of it.</summary>
public sealed record DeliveryAttempt(string Topic, string? EventId, int? StatusCode, DeliveryOutcome Outcome, DateTimeOffset At);

/// <summary>A subscription as read from the app's <c>/dapr/subscribe</c>.</summary>
public sealed record Subscription(string PubSubName, string Topic, string Route, string? DeadLetterTopic, bool RawPayload);
