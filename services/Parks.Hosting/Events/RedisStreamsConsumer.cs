using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Parks.Hosting.Events;

/// <summary>
/// Consumes this app's topics from Redis Streams with Dapr's pubsub.redis semantics: the app's consumer group
/// shares the work among replicas; a message is acknowledged (XACK) after SUCCESS; after DROP it is appended to
/// the app's dead-letter stream and acknowledged in the same script; after RETRY, or when a consumer dies before
/// answering, it stays pending and another (or the restarted) consumer claims it (XPENDING + XCLAIM) once it
/// has been idle for <see cref="EventsOptions.ProcessingTimeout"/>. A message delivered
/// <see cref="EventsOptions.RedisStreamsOptions.MaxDeliveries"/> times without an answer (it crashes its consumer)
/// is dead-lettered without another attempt.
/// </summary>
internal sealed partial class RedisStreamsConsumer(
    RedisStreams streams,
    EventDelivery delivery,
    IOptions<EventsOptions> options,
    ILogger<RedisStreamsConsumer> logger) : BackgroundService
{
    private readonly EventsOptions _options = options.Value;
    private readonly string _consumer = $"{options.Value.AppId}-{Environment.MachineName}-{Environment.ProcessId}";
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var topics = delivery.Topics;
        var streamKeys = topics.Select(streams.StreamKey).ToList();
        var deadLetterStream = streams.StreamKey(delivery.DeadLetterTopic);
        var topicOf = topics.ToDictionary(streams.StreamKey, t => t, StringComparer.Ordinal);

        await RetryUntilDoneAsync(() => streams.SubscribeWakeAsync(streamKeys, Wake, stoppingToken), stoppingToken);
        await RetryUntilDoneAsync(() => streams.CreateGroupsAsync(streamKeys, stoppingToken), stoppingToken);

        var work = Channel.CreateBounded<StreamMessage>(new BoundedChannelOptions(_options.Redis.ReadBatchSize * 2)
        {
            SingleWriter = false,
        });
        var settled = Channel.CreateUnbounded<(StreamMessage, bool)>(new UnboundedChannelOptions { SingleReader = true });

        var workers = Enumerable.Range(0, _options.Redis.Concurrency)
            .Select(_ => Task.Run(() => WorkAsync(work.Reader, settled.Writer, topicOf, deadLetterStream, stoppingToken), stoppingToken))
            .ToList();
        var settler = Task.Run(() => SettleAsync(settled.Reader, deadLetterStream, stoppingToken), stoppingToken);
        var reclaimer = Task.Run(() => ReclaimAsync(streamKeys, deadLetterStream, work.Writer, settled.Writer, stoppingToken), stoppingToken);

        await ReadAsync(streamKeys, work.Writer, stoppingToken);

        work.Writer.TryComplete();
        await Task.WhenAll(workers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        settled.Writer.TryComplete();
        await Task.WhenAll(settler, reclaimer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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

    private async Task ReadAsync(IReadOnlyList<string> streamKeys, ChannelWriter<StreamMessage> work, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var messages = await streams.ReadAsync(streamKeys, _consumer, _options.Redis.ReadBatchSize, stoppingToken);
                backoff = TimeSpan.FromMilliseconds(100);
                if (messages.Count == 0)
                {
                    await _wake.WaitAsync(_options.Redis.PollInterval, stoppingToken);
                    continue;
                }
                foreach (var message in messages) await work.WriteAsync(message, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogReadFailed(logger, e);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private async Task WorkAsync(ChannelReader<StreamMessage> work, ChannelWriter<(StreamMessage, bool)> settled,
        Dictionary<string, string> topicOf, string deadLetterStream, CancellationToken stoppingToken)
    {
        await foreach (var message in work.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            if (message.Data is null)
            {
                // Trimmed from the stream while pending: nothing left to deliver.
                settled.TryWrite((message, false));
                continue;
            }
            DeliveryStatus status;
            try
            {
                status = await delivery.DeliverAsync(topicOf[message.Stream], message.Data, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogDeliveryFailed(logger, message.Id, e);
                status = DeliveryStatus.Retry;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            switch (status)
            {
                case DeliveryStatus.Success:
                    settled.TryWrite((message, false));
                    break;
                case DeliveryStatus.Drop:
                    // A dead letter that cannot even be recorded is acknowledged, not dead-lettered again.
                    settled.TryWrite((message, message.Stream != deadLetterStream));
                    break;
                case DeliveryStatus.Retry:
                    break; // stays pending; claimed again after the processing timeout
            }
        }
    }

    private async Task SettleAsync(ChannelReader<(StreamMessage, bool)> settled, string deadLetterStream, CancellationToken stoppingToken)
    {
        var batch = new List<(StreamMessage Message, bool Drop)>();
        while (await settled.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < 500 && settled.TryRead(out var outcome)) batch.Add(outcome);
            var backoff = TimeSpan.FromMilliseconds(50);
            while (true)
            {
                try
                {
                    await streams.SettleAsync(deadLetterStream, batch, CancellationToken.None);
                    break;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogSettleFailed(logger, batch.Count, e);
                    await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                }
                catch (Exception)
                {
                    // Stopping: the messages stay pending and are delivered again after a restart (inbox-safe).
                    break;
                }
            }
            batch.Clear();
        }
    }

    private async Task ReclaimAsync(IReadOnlyList<string> streamKeys, string deadLetterStream, ChannelWriter<StreamMessage> work,
        ChannelWriter<(StreamMessage, bool)> settled, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.Redis.ReclaimInterval, stoppingToken);
                var claimed = await streams.ReclaimAsync(streamKeys, _consumer, _options.ProcessingTimeout,
                    _options.Redis.ReadBatchSize, stoppingToken);
                foreach (var message in claimed)
                {
                    if (message.Deliveries > _options.Redis.MaxDeliveries)
                    {
                        LogTooManyDeliveries(logger, message.Id, message.Stream, message.Deliveries);
                        settled.TryWrite((message, message.Stream != deadLetterStream));
                    }
                    else
                    {
                        await work.WriteAsync(message, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogReclaimFailed(logger, e);
            }
        }
    }

    private async Task RetryUntilDoneAsync(Func<Task> action, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await action();
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogReadFailed(logger, e);
                await Task.Delay(backoff, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    [LoggerMessage(EventId = 3705, Level = LogLevel.Error, Message = "Delivering message {Id} failed unexpectedly; it will be retried")]
    private static partial void LogDeliveryFailed(ILogger logger, string id, Exception exception);

    [LoggerMessage(EventId = 3701, Level = LogLevel.Warning, Message = "Reading the event streams failed; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3702, Level = LogLevel.Warning, Message = "Acknowledging {Count} events failed; retrying")]
    private static partial void LogSettleFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 3703, Level = LogLevel.Warning, Message = "Reclaiming pending events failed")]
    private static partial void LogReclaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3704, Level = LogLevel.Error,
        Message = "Message {Id} on {Stream} was delivered {Deliveries} times without an answer; dead-lettered")]
    private static partial void LogTooManyDeliveries(ILogger logger, string id, string stream, int deliveries);
}
