using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Embedded.V1;
using Parks.Hosting.Events;
using Parks.Rpc;

namespace Parks.Hosting.Embedded;

/// <summary>Publishes to the AppHost's one in-memory broker, so events cross service processes.</summary>
internal sealed class EmbeddedEventTransport(EmbeddedBackplaneClient backplane) : IEventTransport
{
    private readonly EventBrokerService.EventBrokerServiceClient _client = new(backplane.Channel);

    public async Task<IReadOnlyCollection<string>> PublishAsync(IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken)
    {
        using var activities = PublishActivities.Start(events);
        var request = new PublishRequest();
        foreach (var outgoing in activities.Events)
            request.Messages.Add(new TopicMessage { Topic = outgoing.Envelope.Topic, CloudEvent = ByteString.CopyFrom(outgoing.CloudEvent.Span) });
        // The broker takes the whole batch or, when unreachable, none of it (the relay retries).
        await _client.PublishAsync(request, backplane.Options(cancellationToken));
        return [.. events.Select(e => e.Envelope.Id)];
    }
}

/// <summary>
/// Consumes this app's topics from the AppHost's broker: one subscription stream, a few workers, every message
/// settled after its delivery (a retry goes back to the broker, a drop to this app's dead-letter topic, as the
/// in-memory consumer does). When the stream breaks it subscribes again; what was not settled is redelivered.
/// </summary>
internal sealed partial class EmbeddedEventConsumer(
    EmbeddedBackplaneClient backplane,
    EventDelivery delivery,
    IOptions<EventsOptions> options,
    ILogger<EmbeddedEventConsumer> logger) : BackgroundService
{
    private const int Workers = 4;

    private readonly EventBrokerService.EventBrokerServiceClient _client = new(backplane.Channel);
    private readonly EventsOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ConsumeAsync(stoppingToken);
                delay = TimeSpan.FromMilliseconds(100);
            }
            catch (Exception e) when (stoppingToken.IsCancellationRequested && e is OperationCanceledException or RpcException)
            {
                return;
            }
            catch (RpcException e)
            {
                LogSubscriptionLost(logger, e.StatusCode, e.Status.Detail);
            }
            await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        var request = new SubscribeRequest { AppId = _options.AppId };
        request.Topics.AddRange(delivery.Topics);
        using var call = _client.Subscribe(request, backplane.Options(stoppingToken, streaming: true));
        var work = Channel.CreateBounded<SubscribeResponse>(Workers * 4);
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(() => WorkAsync(work.Reader, stoppingToken), stoppingToken)).ToArray();
        try
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(stoppingToken))
                await work.Writer.WriteAsync(message, stoppingToken);
        }
        finally
        {
            work.Writer.TryComplete();
            await Task.WhenAll(workers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task WorkAsync(ChannelReader<SubscribeResponse> reader, CancellationToken stoppingToken)
    {
        await foreach (var message in reader.ReadAllAsync(stoppingToken))
        {
            DeliveryStatus status;
            try
            {
                status = await delivery.DeliverAsync(message.Topic, message.CloudEvent.Memory, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDeliveryFailed(logger, message.Topic, e);
                status = DeliveryStatus.Retry;
            }
            if (status == DeliveryStatus.Retry && message.Deliveries >= _options.Redis.MaxDeliveries) status = DeliveryStatus.Drop;
            try
            {
                if (status == DeliveryStatus.Drop && message.Topic != delivery.DeadLetterTopic)
                {
                    var deadLetter = new PublishRequest();
                    deadLetter.Messages.Add(new TopicMessage { Topic = delivery.DeadLetterTopic, CloudEvent = message.CloudEvent });
                    await _client.PublishAsync(deadLetter, backplane.Options(stoppingToken));
                }
                var disposition = status == DeliveryStatus.Retry ? Disposition.Retry : Disposition.Done;
                await _client.SettleAsync(new SettleRequest { DeliveryId = message.DeliveryId, Disposition = disposition }, backplane.Options(stoppingToken));
            }
            catch (RpcException e)
            {
                // Unsettled, the message goes back to the group when this subscription ends: at least once.
                LogSettleFailed(logger, message.Topic, e.StatusCode, e.Status.Detail);
            }
        }
    }

    [LoggerMessage(EventId = 3903, Level = LogLevel.Warning, Message = "Settling an event on {Topic} with the local run's broker failed ({StatusCode}: {Detail}); it will be delivered again")]
    private static partial void LogSettleFailed(ILogger logger, string topic, Parks.Rpc.StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 3901, Level = LogLevel.Warning, Message = "The subscription to the local run's event broker ended ({StatusCode}: {Detail}); subscribing again")]
    private static partial void LogSubscriptionLost(ILogger logger, Parks.Rpc.StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 3902, Level = LogLevel.Error, Message = "Delivering an event on {Topic} failed unexpectedly; it will be retried")]
    private static partial void LogDeliveryFailed(ILogger logger, string topic, Exception exception);
}
