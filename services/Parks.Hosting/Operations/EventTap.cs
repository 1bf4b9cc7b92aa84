using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Parks.Hosting.Events;
using Parks.Ops.V1;

namespace Parks.Hosting.Operations;

/// <summary>
/// Copies of the events this process publishes and receives, for operators following them live
/// (<c>parksctl events tail</c>). Free when nobody listens; a slow listener loses its oldest copies rather than
/// slowing the bus down.
/// </summary>
public sealed class EventTap
{
    private const int Buffer = 1024;
    private readonly ConcurrentDictionary<Channel<EventRecord>, TailEventsRequest> _listeners = new();

    internal void Published(IEnumerable<EventEnvelope> envelopes, string appId)
    {
        if (_listeners.IsEmpty) return;
        foreach (var envelope in envelopes) Offer(Record(envelope, EventDirection.Published, appId, DeliveryOutcome.Unspecified));
    }

    internal void Received(EventEnvelope envelope, DeliveryStatus status, string appId)
    {
        if (_listeners.IsEmpty) return;
        Offer(Record(envelope, EventDirection.Received, appId, status switch
        {
            DeliveryStatus.Success => DeliveryOutcome.Success,
            DeliveryStatus.Retry => DeliveryOutcome.Retry,
            _ => DeliveryOutcome.Drop,
        }));
    }

    /// <summary>Copies of what matches <paramref name="filter"/> from now on, until the listener is disposed.</summary>
    internal Listener Listen(TailEventsRequest filter)
    {
        var channel = Channel.CreateBounded<EventRecord>(new BoundedChannelOptions(Buffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _listeners[channel] = filter;
        return new Listener(this, channel);
    }

    private void Offer(EventRecord record)
    {
        foreach (var (channel, filter) in _listeners)
        {
            if (filter.EventTypes.Count > 0 && !filter.EventTypes.Contains(record.Type)) continue;
            if (filter.SubjectPrefix.Length > 0 && !record.Subject.StartsWith(filter.SubjectPrefix, StringComparison.Ordinal)) continue;
            channel.Writer.TryWrite(record);
        }
    }

    private static EventRecord Record(EventEnvelope envelope, EventDirection direction, string appId, DeliveryOutcome outcome) => new()
    {
        Id = envelope.Id,
        Type = envelope.Type,
        Source = envelope.Source,
        Subject = envelope.Subject ?? "",
        Time = Timestamp.FromDateTimeOffset(envelope.Time),
        Topic = envelope.Topic,
        Direction = direction,
        AppId = appId,
        DataJson = envelope.DataJson ?? (envelope.DataBinary is { } bytes ? Convert.ToBase64String(bytes) : ""),
        TraceParent = envelope.TraceParent ?? "",
        Outcome = outcome,
    };

    internal sealed class Listener(EventTap tap, Channel<EventRecord> channel) : IDisposable
    {
        public ChannelReader<EventRecord> Reader => channel.Reader;

        public void Dispose() => tap._listeners.TryRemove(channel, out _);
    }
}
