using Google.Protobuf;
using Parks.Hosting.State;

namespace Parks.Hosting.Events;

/// <summary>
/// Handles one event type. Delivery is at least once; the dispatcher makes the effect happen at most once per
/// event id by committing <see cref="EventContext{TEvent}.Transaction"/> (the handler's state changes plus an
/// inbox marker) atomically. So a handler puts its state changes, and any events it publishes in turn
/// (<see cref="IEventOutbox.Add"/>), into that transaction and does not commit it itself. A handler that throws
/// is retried (the transaction is discarded); after <c>Parks:Events:MaxAttempts</c> failures the event is
/// dead-lettered. Handlers are resolved from a fresh DI scope per delivery.
/// </summary>
public interface IEventHandler<TEvent> where TEvent : IMessage<TEvent>
{
    Task HandleAsync(EventContext<TEvent> context, CancellationToken cancellationToken);
}

/// <summary>One delivery of an event to one handler.</summary>
public sealed class EventContext<TEvent>(TEvent @event, EventEnvelope envelope, StateTransaction transaction)
    where TEvent : IMessage<TEvent>
{
    public TEvent Event { get; } = @event;

    /// <summary>Id (the deduplication key), source app, subject, time and trace context.</summary>
    public EventEnvelope Envelope { get; } = envelope;

    /// <summary>Committed by the dispatcher together with this handler's inbox marker.</summary>
    public StateTransaction Transaction { get; } = transaction;
}
