using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Parks.Hosting.State;

namespace Parks.Hosting.Events;

/// <summary>One handler of one event type, as registered with <see cref="IParksEventsBuilder.AddHandler{TEvent, THandler}"/>.</summary>
internal sealed class HandlerRegistration(
    string eventType,
    string handlerName,
    MessageDescriptor descriptor,
    Func<IServiceProvider, IMessage, EventEnvelope, StateTransaction, CancellationToken, Task> invoke)
{
    public string EventType { get; } = eventType;

    /// <summary>Part of the inbox marker key: renaming a handler makes it see old events as new.</summary>
    public string HandlerName { get; } = handlerName;

    public MessageDescriptor Descriptor { get; } = descriptor;

    public Task InvokeAsync(IServiceProvider services, IMessage message, EventEnvelope envelope, StateTransaction transaction,
        CancellationToken cancellationToken) => invoke(services, message, envelope, transaction, cancellationToken);

    public static HandlerRegistration Create<TEvent, THandler>(string handlerName)
        where TEvent : IMessage<TEvent>, new()
        where THandler : class, IEventHandler<TEvent>
    {
        var descriptor = new TEvent().Descriptor;
        return new HandlerRegistration(descriptor.FullName, handlerName, descriptor,
            (services, message, envelope, transaction, ct) => services.GetRequiredService<THandler>()
                .HandleAsync(new EventContext<TEvent>((TEvent)message, envelope, transaction), ct));
    }
}

/// <summary>The handlers of this app, by topic.</summary>
internal sealed class EventHandlerRegistry(IEnumerable<HandlerRegistration> registrations)
{
    private readonly Dictionary<string, HandlerRegistration[]> _byType = registrations
        .GroupBy(r => r.EventType, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    public IReadOnlyCollection<string> EventTypes => _byType.Keys;

    /// <summary>The topics this app subscribes to (one per handled event type).</summary>
    public IEnumerable<string> Topics => _byType.Keys.Select(EventNames.Topic);

    public IReadOnlyList<HandlerRegistration> For(string eventType) =>
        _byType.TryGetValue(eventType, out var handlers) ? handlers : [];
}
