using System.Threading.Channels;

namespace Parks.Hosting.Events;

/// <summary>
/// The broker of the embedded run: topics and consumer groups in process memory, with the same semantics as the
/// Redis path (one group per app id that replays a topic's history when it first subscribes, at-least-once,
/// redelivery on RETRY, dead-letter topic on DROP). Lost when the process exits. One instance is shared by every
/// host in the process (<see cref="Shared"/>) unless another is registered.
/// </summary>
public sealed class InMemoryEventBroker
{
    /// <summary>Messages kept per topic for groups that subscribe later.</summary>
    private const int HistoryLimit = 100_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<byte[]>> _history = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConsumerGroup> _groups = new(StringComparer.Ordinal);

    public static InMemoryEventBroker Shared { get; } = new();

    public void Publish(string topic, byte[] cloudEvent)
    {
        lock (_gate)
        {
            if (!_history.TryGetValue(topic, out var history)) _history[topic] = history = [];
            history.Add(cloudEvent);
            if (history.Count > HistoryLimit) history.RemoveRange(0, history.Count - HistoryLimit);
            foreach (var group in _groups.Values)
            {
                if (group.Topics.Contains(topic)) group.Queue.Writer.TryWrite(new InMemoryMessage(topic, cloudEvent, 1));
            }
        }
    }

    /// <summary>The group of <paramref name="appId"/>, subscribed to <paramref name="topics"/> (history replayed once per topic).</summary>
    internal ConsumerGroup Join(string appId, IEnumerable<string> topics)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(appId, out var group)) _groups[appId] = group = new ConsumerGroup();
            foreach (var topic in topics)
            {
                if (!group.Topics.Add(topic) || !_history.TryGetValue(topic, out var history)) continue;
                foreach (var message in history) group.Queue.Writer.TryWrite(new InMemoryMessage(topic, message, 1));
            }
            return group;
        }
    }

    internal sealed class ConsumerGroup
    {
        public HashSet<string> Topics { get; } = new(StringComparer.Ordinal);

        public Channel<InMemoryMessage> Queue { get; } = Channel.CreateUnbounded<InMemoryMessage>();
    }
}

internal sealed record InMemoryMessage(string Topic, byte[] CloudEvent, int Deliveries);

internal sealed class InMemoryEventTransport(InMemoryEventBroker broker) : IEventTransport
{
    public Task<IReadOnlyCollection<string>> PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        using var activities = PublishActivities.Start(events);
        foreach (var envelope in activities.Envelopes) broker.Publish(envelope.Topic, envelope.ToCloudEventJson());
        return Task.FromResult<IReadOnlyCollection<string>>([.. events.Select(e => e.Id)]);
    }
}
