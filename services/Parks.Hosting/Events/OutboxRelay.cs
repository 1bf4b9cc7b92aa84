using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Hosting.State;

namespace Parks.Hosting.Events;

/// <summary>
/// Publishes what is in this app's outbox through the transport and removes an event only after the transport
/// acknowledged it. While the transport (or the store) is down it retries with exponential backoff; nothing
/// leaves the outbox unpublished. Several replicas may relay the same outbox: removal is idempotent, and the
/// duplicates this can publish are absorbed by the consumers' inbox.
/// </summary>
internal sealed partial class OutboxRelay(
    IStateStore store,
    IEventTransport transport,
    OutboxSignal signal,
    EventsTelemetry telemetry,
    Operations.EventTap tap,
    IOptions<EventsOptions> options,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private readonly EventsOptions.OutboxOptions _options = options.Value.Outbox;
    private readonly string _queue = EventNames.OutboxQueue(options.Value.AppId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = _options.MinRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (published, complete) = await RelayBatchAsync(stoppingToken);
                delay = _options.MinRetryDelay;
                if (!complete)
                {
                    await Task.Delay(NextDelay(ref delay), stoppingToken);
                }
                else if (published == 0)
                {
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogRelayFailed(logger, e);
                await Task.Delay(NextDelay(ref delay), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>One round; complete is false when the transport did not acknowledge everything.</summary>
    private async Task<(int Published, bool Complete)> RelayBatchAsync(CancellationToken cancellationToken)
    {
        var batch = await store.PeekQueueAsync(_queue, _options.BatchSize, cancellationToken);
        if (batch.Count == 0)
        {
            telemetry.SetOutboxDepth(0);
            return (0, true);
        }
        var envelopes = new List<OutgoingEvent>(batch.Count);
        var unreadable = new List<string>();
        foreach (var message in batch)
        {
            try
            {
                envelopes.Add(new OutgoingEvent(EventEnvelope.Parse(message.Body), message.Body));
            }
            catch (FormatException e)
            {
                // Only this process writes the outbox; an unreadable entry is a bug, not a reason to stall.
                LogUnreadableOutboxEntry(logger, message.Id, e);
                unreadable.Add(message.Id);
            }
        }
        var acknowledged = await transport.PublishAsync(envelopes, cancellationToken);
        tap.Published(envelopes.Where(e => acknowledged.Contains(e.Envelope.Id)).Select(e => e.Envelope), options.Value.AppId);
        if (acknowledged.Count > 0 || unreadable.Count > 0)
            await store.RemoveFromQueueAsync(_queue, [.. acknowledged, .. unreadable], cancellationToken);
        telemetry.Published.Add(acknowledged.Count);
        var failed = envelopes.Count - acknowledged.Count;
        if (failed > 0) telemetry.Failures.Add(failed, new KeyValuePair<string, object?>("stage", "publish"));
        // A short batch was the whole outbox; only a full one needs counting (saves a call per round).
        telemetry.SetOutboxDepth(batch.Count < _options.BatchSize ? failed : await store.CountQueueAsync(_queue, cancellationToken));
        return (acknowledged.Count, failed == 0);
    }

    private TimeSpan NextDelay(ref TimeSpan delay)
    {
        var current = delay;
        delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
        // Jitter so that replicas do not retry in lockstep.
        return current * (0.75 + Random.Shared.NextDouble() / 2);
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Outbox relay round failed; retrying with backoff")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Error, Message = "Outbox entry {Id} is not a readable CloudEvent; removed")]
    private static partial void LogUnreadableOutboxEntry(ILogger logger, string id, Exception exception);
}
