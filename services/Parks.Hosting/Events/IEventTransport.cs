namespace Parks.Hosting.Events;

/// <summary>The publish side of a broker. Used only by the outbox relay.</summary>
internal interface IEventTransport
{
    /// <summary>
    /// Publishes the events and returns the ids the broker acknowledged (possibly fewer than given: the rest stay
    /// in the outbox and are retried). Throws when the broker cannot be reached at all.
    /// </summary>
    Task<IReadOnlyCollection<string>> PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken);
}
