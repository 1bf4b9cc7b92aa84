using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Parks.DaprSidecarDouble;

/// <summary>
/// The subscriber half of daprd: waits for the app port, reads the subscriptions once, then delivers each
/// topic's messages from the app's consumer group (wire-contracts §A4, §A6, §A7, §C6).
/// </summary>
internal sealed partial class Subscriber : IAsyncDisposable
{
    private readonly DaprSidecarDoubleOptions _options;
    private readonly StreamStore _streams;
    private readonly SidecarDouble _owner;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _app;
    private readonly Channel<(Subscription Subscription, string Id, byte[]? Data)> _work;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private Task _running = Task.CompletedTask;
    private int _subscribeCalls;

    public Subscriber(DaprSidecarDoubleOptions options, StreamStore streams,  SidecarDouble owner, ILogger<Subscriber> logger)
    {
        _options = options;
        _streams = streams;
        _owner = owner;
        _logger = logger;
        // h2c with prior knowledge, as daprd's app channel for app-protocol h2c (wire-contracts §C2).
        _app = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{options.AppPort}"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _work = Channel.CreateBounded<(Subscription, string, byte[]?)>(options.QueueDepth);
    }

    public IReadOnlyList<Subscription>? Subscriptions { get; private set; }

    public int SubscribeCalls => _subscribeCalls;

    public void Start() => _running = Task.Run(() => RunAsync(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _streams.UnsubscribeAllAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _app.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        // daprd dials the app port every 100 ms until a TCP connect succeeds, then reads /dapr/subscribe once.
        while (!await AcceptsTcpAsync(stop)) await Task.Delay(100, stop);
        var subscriptions = await ReadSubscriptionsAsync(stop);
        foreach (var subscription in subscriptions)
        {
            await _streams.CreateGroupAsync(subscription.Topic, _options.AppId);
            await _streams.SubscribeWakeAsync(subscription.Topic, Wake);
        }
        Subscriptions = subscriptions;
        if (subscriptions.Count == 0) return;

        var tasks = new List<Task> { Task.Run(() => ReadLoopAsync(subscriptions, stop), stop), Task.Run(() => RedeliverLoopAsync(subscriptions, stop), stop) };
        tasks.AddRange(Enumerable.Range(0, _options.Concurrency).Select(_ => Task.Run(() => WorkAsync(stop), stop)));
        await Task.WhenAll(tasks).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // already awake
        }
    }

    private async Task<bool> AcceptsTcpAsync(CancellationToken stop)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, _options.AppPort, stop);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task<IReadOnlyList<Subscription>> ReadSubscriptionsAsync(CancellationToken stop)
    {
        // DaprBuiltInInitializationRetries: 3 tries, exponential backoff from 500 ms.
        var delay = TimeSpan.FromMilliseconds(500);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Interlocked.Increment(ref _subscribeCalls);
                using var request = AppRequest(HttpMethod.Get, "/dapr/subscribe");
                request.Headers.Add("dapr-app-id", _options.AppId);
                if (!string.IsNullOrEmpty(_options.AppApiToken)) request.Headers.Add("dapr-api-token", _options.AppApiToken);
                using var response = await _app.SendAsync(request, stop);
                if (response.StatusCode == HttpStatusCode.NotFound) return [];
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    LogSubscribeFailed(_logger, (int)response.StatusCode);
                    return [];
                }
                return ParseSubscriptions(await response.Content.ReadAsByteArrayAsync(stop));
            }
            catch (HttpRequestException) when (attempt < 3)
            {
                await Task.Delay(delay, stop);
                delay *= 2;
            }
        }
    }

    private List<Subscription> ParseSubscriptions(byte[] json)
    {
        var subscriptions = new List<Subscription>();
        using var document = JsonDocument.Parse(json);
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var pubsub = Text(entry, "pubsubname") ?? "";
            var topic = Text(entry, "topic") ?? "";
            // routes.default wins over the v1 route; CEL rules are not evaluated by this double.
            var route = entry.TryGetProperty("routes", out var routes) && Text(routes, "default") is { } fallback ? fallback : Text(entry, "route");
            if (string.IsNullOrEmpty(route)) continue; // daprd silently drops a subscription without a route
            var raw = entry.TryGetProperty("metadata", out var metadata) && Text(metadata, "rawPayload") is { } rawText
                && CloudEventBuilder.ParseGoBool(rawText) == true;
            if (!_options.PubSubNames.Contains(pubsub))
            {
                LogUnknownPubSub(_logger, pubsub, topic);
                continue;
            }
            subscriptions.Add(new Subscription(pubsub, topic, route.StartsWith('/') ? route : "/" + route, Text(entry, "deadLetterTopic"), raw));
        }
        return subscriptions;
    }

    private async Task ReadLoopAsync(IReadOnlyList<Subscription> subscriptions, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var any = false;
            try
            {
                foreach (var subscription in subscriptions)
                {
                    var entries = await _streams.ReadAsync(subscription.Topic, _options.AppId, _options.QueueDepth);
                    foreach (var (id, data) in entries) await _work.Writer.WriteAsync((subscription, id, data), stop);
                    any |= entries.Count > 0;
                }
                if (!any) await _wake.WaitAsync(TimeSpan.FromMilliseconds(250), stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogReadFailed(_logger, e);
                await Task.Delay(200, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Redelivers messages left pending longer than the processing timeout (pubsub.redis reclaim loop).</summary>
    private async Task RedeliverLoopAsync(IReadOnlyList<Subscription> subscriptions, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.RedeliverInterval, stop);
                foreach (var subscription in subscriptions)
                {
                    var entries = await _streams.ClaimIdleAsync(subscription.Topic, _options.AppId, _options.ProcessingTimeout, _options.QueueDepth);
                    foreach (var (id, data) in entries) await _work.Writer.WriteAsync((subscription, id, data), stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogReadFailed(_logger, e);
            }
        }
    }

    private async Task WorkAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var (subscription, id, data) in _work.Reader.ReadAllAsync(stop))
            {
                if (data is null)
                {
                    await _streams.AckAsync(subscription.Topic, _options.AppId, id);
                    continue;
                }
                if (_owner.DeliverTwice)
                    await Task.WhenAll(ProcessAsync(subscription, id, data, stop), ProcessAsync(subscription, id, data, stop));
                else
                    await ProcessAsync(subscription, id, data, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the sidecar goes away; unacknowledged messages stay pending
        }
    }

    /// <summary>Delivers one message with the retry policy, then acknowledges, dead-letters or leaves it pending.</summary>
    private async Task ProcessAsync(Subscription subscription, string id, byte[] data, CancellationToken stop)
    {
        var now = DateTimeOffset.UtcNow;
        var cloudEvent = subscription.RawPayload ? CloudEventBuilder.FromRawPayload(data, subscription.Topic, subscription.PubSubName, now) : data;
        var header = ReadHeader(cloudEvent);
        if (header is null)
        {
            LogNotACloudEvent(_logger, subscription.Topic, id);
            await SettleAsync(subscription, id, data, header, DeliveryOutcome.Drop);
            return;
        }
        if (header.Expiration is { } expiration && expiration < now)
        {
            await SettleAsync(subscription, id, data, header, DeliveryOutcome.Drop);
            return;
        }
        var outcome = DeliveryOutcome.Retry;
        for (var attempt = 0; attempt <= _options.MaxRetries; attempt++)
        {
            if (attempt > 0) await Task.Delay(_options.RetryInterval, stop);
            var (status, timedOut) = await DeliverAsync(subscription, cloudEvent, header, stop);
            outcome = timedOut ? DeliveryOutcome.Retry : AppResponse.Interpret(status.Code, status.Body);
            _owner.Record(new DeliveryAttempt(subscription.Topic, header.Id, status.Code, outcome, DateTimeOffset.UtcNow));
            // A handler slower than processingTimeout is cancelled and the message is not acknowledged: redelivered later.
            if (timedOut) return;
            if (outcome != DeliveryOutcome.Retry) break;
        }
        await SettleAsync(subscription, id, data, header, outcome);
    }

    private async Task<((int? Code, byte[] Body) Status, bool TimedOut)> DeliverAsync(Subscription subscription, byte[] cloudEvent,
        CloudEventHeader header, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.ProcessingTimeout);
        using var request = AppRequest(HttpMethod.Post, subscription.Route);
        request.Content = new ByteArrayContent(cloudEvent);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEventBuilder.CloudEventContentType);
        request.Headers.Add("pubsubname", subscription.PubSubName);
        if (!string.IsNullOrEmpty(header.TraceParent)) request.Headers.TryAddWithoutValidation("traceparent", header.TraceParent);
        if (!string.IsNullOrEmpty(header.TraceState)) request.Headers.TryAddWithoutValidation("tracestate", header.TraceState);
        if (!string.IsNullOrEmpty(_options.AppApiToken)) request.Headers.Add("dapr-api-token", _options.AppApiToken);
        try
        {
            using var response = await _app.SendAsync(request, timeout.Token);
            return (((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(timeout.Token)), false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return ((null, []), true);
        }
        catch (HttpRequestException)
        {
            return ((null, []), false);
        }
    }

    private async Task SettleAsync(Subscription subscription, string id, byte[] data, CloudEventHeader? header, DeliveryOutcome outcome)
    {
        if (outcome == DeliveryOutcome.Success && _owner.LoseAcknowledgements) return; // stays pending: redelivered
        var exhausted = outcome == DeliveryOutcome.Retry;
        if (outcome == DeliveryOutcome.Drop || exhausted)
        {
            if (subscription.DeadLetterTopic is { } deadLetterTopic)
            {
                // The original message bytes go to the dead-letter topic, as daprd's sendToDeadLetter does.
                await _streams.AddAsync(deadLetterTopic, data);
                _owner.RecordDeadLetter(subscription.Topic, deadLetterTopic, header?.Id);
            }
            else if (exhausted && !_options.AckWhenRetriesExhausted)
            {
                return; // stays pending: redelivered after the processing timeout
            }
            else if (exhausted)
            {
                LogLost(_logger, subscription.Topic, header?.Id);
            }
        }
        await _streams.AckAsync(subscription.Topic, _options.AppId, id);
    }

    // HttpClient's default version applies only to the requests it creates itself, not to these.
    private static HttpRequestMessage AppRequest(HttpMethod method, string path) => new(method, path)
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private static CloudEventHeader? ReadHeader(byte[] cloudEvent)
    {
        try
        {
            using var document = JsonDocument.Parse(cloudEvent);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            DateTimeOffset? expiration = Text("expiration") is { } e ? DateTimeOffset.Parse(e, System.Globalization.CultureInfo.InvariantCulture) : null;
            return new CloudEventHeader(Text("id"), Text("traceparent"), Text("tracestate"), expiration);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record CloudEventHeader(string? Id, string? TraceParent, string? TraceState, DateTimeOffset? Expiration);

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "GET /dapr/subscribe answered {Status}: no subscriptions")]
    private static partial void LogSubscribeFailed(ILogger logger, int status);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Subscription to {Topic} names unknown pub/sub {PubSub}; ignored")]
    private static partial void LogUnknownPubSub(ILogger logger, string pubSub, string topic);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Reading streams failed")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Message {Id} on {Topic} is not a CloudEvent; dropped")]
    private static partial void LogNotACloudEvent(ILogger logger, string topic, string id);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Event {Id} on {Topic}: retries exhausted and no dead-letter topic; acknowledged and lost")]
    private static partial void LogLost(ILogger logger, string topic, string? id);
}
