using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Hosting.State;

namespace Parks.Hosting.Events;

/// <summary>
/// The receiving end shared by every transport: a CloudEvent arrived on a topic; events on this app's
/// dead-letter topic are recorded for operators, all others go to the handlers.
/// </summary>
internal sealed partial class EventDelivery(
    EventDispatcher dispatcher,
    DeadLetterStore deadLetters,
    EventHandlerRegistry registry,
    Operations.EventTap tap,
    IOptions<EventsOptions> options,
    ILogger<EventDelivery> logger)
{
    public string DeadLetterTopic { get; } = EventNames.DeadLetterTopic(options.Value.AppId);

    /// <summary>Every topic this app consumes: its handlers' topics and its dead-letter topic.</summary>
    public IReadOnlyList<string> Topics => [.. registry.Topics, DeadLetterTopic];

    public IEnumerable<string> HandledTopics => registry.Topics;

    public async Task<DeliveryStatus> DeliverAsync(string topic, ReadOnlyMemory<byte> cloudEvent, CancellationToken cancellationToken)
    {
        EventEnvelope envelope;
        try
        {
            envelope = EventEnvelope.Parse(cloudEvent);
        }
        catch (FormatException e)
        {
            LogUnreadable(logger, topic, e.Message);
            return DeliveryStatus.Drop;
        }
        if (topic != DeadLetterTopic)
        {
            var status = await dispatcher.DispatchAsync(envelope, cancellationToken);
            tap.Received(envelope, status, options.Value.AppId);
            return status;
        }
        try
        {
            await deadLetters.RecordAsync(envelope, cloudEvent, cancellationToken);
            return DeliveryStatus.Success;
        }
        catch (StateStoreUnavailableException)
        {
            return DeliveryStatus.Retry;
        }
    }

    [LoggerMessage(EventId = 3601, Level = LogLevel.Error, Message = "A message on {Topic} is not a readable CloudEvent and is dropped: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string topic, string reason);
}
