namespace Parks.Hosting.Events;

/// <summary>The publish side of a broker. Used only by the outbox relay.</summary>
internal interface IEventTransport
{
    /// <summary>
    /// Publishes the events and returns the ids the broker acknowledged (possibly fewer than given: the rest stay
    /// in the outbox and are retried). Throws when the broker cannot be reached at all.
    /// </summary>
    Task<IReadOnlyCollection<string>> PublishAsync(IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken);
}

/// <summary>An event from the outbox: its envelope, and the CloudEvent JSON it was stored as (sent as is when it fits).</summary>
internal sealed record OutgoingEvent(EventEnvelope Envelope, ReadOnlyMemory<byte> CloudEvent)
{
    public static OutgoingEvent Of(EventEnvelope envelope) => new(envelope, envelope.ToCloudEventJson());
}
