using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Parks.Hosting.Events;

/// <summary>Consumes this app's topics from the <see cref="InMemoryEventBroker"/>.</summary>
internal sealed partial class InMemoryEventConsumer(
    InMemoryEventBroker broker,
    EventDelivery delivery,
    IOptions<EventsOptions> options,
    ILogger<InMemoryEventConsumer> logger) : BackgroundService
{
    private const int Workers = 4;

    private readonly EventsOptions _options = options.Value;

    // Short in memory: there is no other consumer to hand the message to, only a moment to let things settle.
    private TimeSpan RetryDelay => TimeSpan.FromTicks(Math.Min(_options.ProcessingTimeout.Ticks, TimeSpan.FromSeconds(1).Ticks));

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var group = broker.Join(_options.AppId, delivery.Topics);
        return Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(() => WorkAsync(group, stoppingToken), stoppingToken)));
    }

    private async Task WorkAsync(InMemoryEventBroker.ConsumerGroup group, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in group.Queue.Reader.ReadAllAsync(stoppingToken))
            {
                DeliveryStatus status;
                try
                {
                    status = await delivery.DeliverAsync(message.Topic, message.CloudEvent, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogDeliveryFailed(logger, message.Topic, e);
                    status = DeliveryStatus.Retry;
                }
                if (status == DeliveryStatus.Retry && message.Deliveries >= _options.Redis.MaxDeliveries) status = DeliveryStatus.Drop;
                switch (status)
                {
                    case DeliveryStatus.Drop when message.Topic != delivery.DeadLetterTopic:
                        broker.Publish(delivery.DeadLetterTopic, message.CloudEvent);
                        break;
                    case DeliveryStatus.Retry:
                        _ = RedeliverLaterAsync(group, message with { Deliveries = message.Deliveries + 1 }, stoppingToken);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    private async Task RedeliverLaterAsync(InMemoryEventBroker.ConsumerGroup group, InMemoryMessage message, CancellationToken stoppingToken)
    {
        await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        group.Queue.Writer.TryWrite(message);
    }

    [LoggerMessage(EventId = 3801, Level = LogLevel.Error, Message = "Delivering an event on {Topic} failed unexpectedly; it will be retried")]
    private static partial void LogDeliveryFailed(ILogger logger, string topic, Exception exception);
}
