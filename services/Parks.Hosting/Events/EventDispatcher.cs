using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Domain;
using Parks.Hosting.State;

namespace Parks.Hosting.Events;

/// <summary>What a delivery tells the broker (Dapr's SUCCESS/RETRY/DROP).</summary>
public enum DeliveryStatus
{
    /// <summary>Applied, or already applied before: acknowledge.</summary>
    Success,

    /// <summary>Failed for now: deliver again later.</summary>
    Retry,

    /// <summary>Will never succeed (unreadable, or out of attempts): send to the dead-letter topic.</summary>
    Drop,
}

/// <summary>
/// Runs the handlers of a delivered event with the inbox: per handler, an inbox marker keyed on the event id is
/// committed (expected version 0) in the same transaction as the handler's effect, so an effect is applied at most
/// once per event id across redeliveries, concurrent deliveries and restarts. Failures are counted per event id
/// in state; after <see cref="EventsOptions.MaxAttempts"/> the answer is DROP.
/// </summary>
internal sealed partial class EventDispatcher
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private readonly EventHandlerRegistry _registry;
    private readonly IStateStore _store;
    private readonly IServiceScopeFactory _scopes;
    private readonly EventsTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly ILogger<EventDispatcher> _logger;
    private readonly EventsOptions _options;
    // Serializes deliveries of one event id within the process, so duplicates that arrive together run one
    // after the other and the second sees the first's marker (this covers handlers that only touch memory).
    private readonly SemaphoreSlim[] _eventLocks = [.. Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1))];

    public EventDispatcher(EventHandlerRegistry registry, IStateStore store, IServiceScopeFactory scopes, EventsTelemetry telemetry,
        TimeProvider time, IOptions<EventsOptions> options, ILogger<EventDispatcher> logger)
    {
        _registry = registry;
        _store = store;
        _scopes = scopes;
        _telemetry = telemetry;
        _time = time;
        _logger = logger;
        _options = options.Value;
    }

    private const int MaxConflictRetries = 10;

    public async Task<DeliveryStatus> DispatchAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        using var activity = EventsTelemetry.Start($"process {envelope.Topic}", ActivityKind.Consumer,
            envelope.TraceParent, envelope.TraceState, envelope.Topic);
        activity?.SetTag("messaging.message.id", envelope.Id);
        var topicTag = new KeyValuePair<string, object?>("topic", envelope.Topic);

        var handlers = _registry.For(envelope.Type);
        if (handlers.Count == 0)
        {
            return await PoisonAsync(envelope, $"no handler for event type '{envelope.Type}' in {_options.AppId}", cancellationToken);
        }
        IMessage message;
        try
        {
            message = envelope.DataBinary is { } binary
                ? handlers[0].Descriptor.Parser.ParseFrom(binary)
                : Parser.Parse(envelope.DataJson ?? "{}", handlers[0].Descriptor);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            return await PoisonAsync(envelope, $"data is not a valid {envelope.Type}: {e.Message}", cancellationToken);
        }

        var gate = _eventLocks[(uint)StringComparer.Ordinal.GetHashCode(envelope.Id) % (uint)_eventLocks.Length];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ProcessingTimeout);
        try
        {
            await gate.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return DeliveryStatus.Retry;
        }
        try
        {
            var applied = false;
            foreach (var handler in handlers)
            {
                var handlerTag = new KeyValuePair<string, object?>("handler", handler.HandlerName);
                if (await ApplyAsync(handler, message, envelope, timeout.Token))
                {
                    applied = true;
                    _telemetry.Delivered.Add(1, topicTag, handlerTag);
                }
                else
                {
                    _telemetry.Duplicates.Add(1, topicTag, handlerTag);
                    LogDuplicate(_logger, envelope.Id, handler.HandlerName);
                }
            }
            if (applied) _telemetry.Lag.Record(Math.Max(0, (_time.GetUtcNow() - envelope.Time).TotalMilliseconds), topicTag);
            return DeliveryStatus.Success;
        }
        catch (StateStoreUnavailableException e)
        {
            // Infrastructure, not the event: retry without counting it against the event.
            LogUnavailable(_logger, envelope.Id, e.Message);
            _telemetry.Failures.Add(1, topicTag, new("stage", "unavailable"));
            return DeliveryStatus.Retry;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return DeliveryStatus.Retry;
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            _telemetry.Failures.Add(1, topicTag, new("stage", "handler"));
            var reason = e is OperationCanceledException
                ? $"timed out after {_options.ProcessingTimeout}"
                : $"{e.GetType().Name}: {e.Message}";
            return await CountFailureAsync(envelope, reason, e, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>True when applied now; false when this handler had applied it before.</summary>
    private async Task<bool> ApplyAsync(HandlerRegistration handler, IMessage message, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        var marker = EventNames.InboxMarker(_options.AppId, handler.HandlerName, envelope.Id);
        if (await _store.GetAsync(marker, cancellationToken) is not null) return false;
        var markerValue = Encoding.UTF8.GetBytes(_time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        for (var conflicts = 0; ; conflicts++)
        {
            var transaction = new StateTransaction().Put(marker, markerValue, expectedVersion: 0, _options.InboxRetention);
            await using (var scope = _scopes.CreateAsyncScope())
            {
                await handler.InvokeAsync(scope.ServiceProvider, message, envelope, transaction, cancellationToken);
            }
            try
            {
                await _store.CommitAsync(transaction, cancellationToken);
                return true;
            }
            catch (ConcurrencyException e) when (e.ResourceName == marker)
            {
                return false; // a concurrent delivery of the same event won
            }
            catch (ConcurrencyException) when (conflicts < MaxConflictRetries)
            {
                // The handler's own optimistic check lost to a concurrent writer: run it again on fresh state.
            }
        }
    }

    private async Task<DeliveryStatus> PoisonAsync(EventEnvelope envelope, string reason, CancellationToken cancellationToken)
    {
        LogPoison(_logger, envelope.Id, envelope.Type, reason);
        _telemetry.Failures.Add(1, new("topic", envelope.Topic), new("stage", "unreadable"));
        try
        {
            await SaveAttemptsAsync(envelope.Id, _ => new FailureRecord(_options.MaxAttempts, reason), cancellationToken);
        }
        catch (StateStoreUnavailableException)
        {
            return DeliveryStatus.Retry; // so that the reason is not lost; it will be just as unreadable next time
        }
        return DeliveryStatus.Drop;
    }

    private async Task<DeliveryStatus> CountFailureAsync(EventEnvelope envelope, string reason, Exception exception, CancellationToken cancellationToken)
    {
        try
        {
            var record = await SaveAttemptsAsync(envelope.Id, previous => new FailureRecord((previous?.Attempts ?? 0) + 1, reason), cancellationToken);
            LogHandlerFailed(_logger, envelope.Id, envelope.Type, record.Attempts, _options.MaxAttempts, exception);
            return record.Attempts >= _options.MaxAttempts ? DeliveryStatus.Drop : DeliveryStatus.Retry;
        }
        catch (Exception e) when (e is StateStoreUnavailableException or OperationCanceledException)
        {
            LogHandlerFailed(_logger, envelope.Id, envelope.Type, 0, _options.MaxAttempts, exception);
            return DeliveryStatus.Retry;
        }
    }

    private async Task<FailureRecord> SaveAttemptsAsync(string eventId, Func<FailureRecord?, FailureRecord> update, CancellationToken cancellationToken)
    {
        var key = EventNames.Attempts(_options.AppId, eventId);
        while (true)
        {
            var entry = await _store.GetAsync(key, cancellationToken);
            var next = update(entry is null ? null : FailureRecord.Read(entry.Value.Span));
            try
            {
                await _store.CommitAsync(new StateTransaction().Put(key, next.ToBytes(), entry?.Version ?? 0, _options.InboxRetention), cancellationToken);
                return next;
            }
            catch (ConcurrencyException)
            {
                // a concurrent failure of the same event: count again on top of it
            }
        }
    }

    /// <summary>The failure count and last reason of an event (null when it never failed here).</summary>
    public async Task<FailureRecord?> GetFailuresAsync(string eventId, CancellationToken cancellationToken)
    {
        var entry = await _store.GetAsync(EventNames.Attempts(_options.AppId, eventId), cancellationToken);
        return entry is null ? null : FailureRecord.Read(entry.Value.Span);
    }

    /// <summary>Forgets an event's failures (before an operator's replay).</summary>
    public Task ResetFailuresAsync(string eventId, CancellationToken cancellationToken) =>
        _store.CommitAsync(new StateTransaction().Delete(EventNames.Attempts(_options.AppId, eventId), null), cancellationToken);

    internal sealed record FailureRecord(int Attempts, string Reason)
    {
        public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["attempts"] = Attempts, ["reason"] = Reason });

        public static FailureRecord Read(ReadOnlySpan<byte> json)
        {
            using var document = JsonDocument.Parse(json.ToArray());
            return new FailureRecord(document.RootElement.GetProperty("attempts").GetInt32(),
                document.RootElement.GetProperty("reason").GetString() ?? "");
        }
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Debug, Message = "Event {Id} already applied by {Handler}; skipped")]
    private static partial void LogDuplicate(ILogger logger, string id, string handler);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "Handling event {Id} ({Type}) failed, attempt {Attempt} of {MaxAttempts}")]
    private static partial void LogHandlerFailed(ILogger logger, string id, string type, int attempt, int maxAttempts, Exception exception);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Error, Message = "Event {Id} ({Type}) cannot be handled and is dropped: {Reason}")]
    private static partial void LogPoison(ILogger logger, string id, string type, string reason);

    [LoggerMessage(EventId = 3404, Level = LogLevel.Warning, Message = "Event {Id} will be retried: the state store is unavailable ({Reason})")]
    private static partial void LogUnavailable(ILogger logger, string id, string reason);
}
