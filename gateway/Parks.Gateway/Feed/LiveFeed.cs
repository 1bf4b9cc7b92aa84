using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Parks.Gateway.Feed;

/// <summary>One line of the dashboard's live feed.</summary>
internal sealed record FeedItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    // "event" (an integration event), "degraded" / "recovered" (a unit's state in the overview).
    [property: JsonPropertyName("kind")] string Kind,
    // The event type or what happened, e.g. "parks.events.v1.EnterpriseRegistered".
    [property: JsonPropertyName("type")] string Type,
    // The unit it concerns ("districts/lingshui"), or empty.
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("textZh")] string TextZh,
    [property: JsonPropertyName("textEn")] string TextEn);

/// <summary>
/// Fans feed items out to this replica's Server-Sent-Events subscribers. Each subscriber has a bounded buffer; a
/// subscriber too slow to keep up loses its oldest items rather than slowing anyone else. New subscribers first get
/// the most recent items.
/// </summary>
internal sealed class LiveFeed(ILogger<LiveFeed> logger)
{
    public const int Recent = 50;
    private const int SubscriberBuffer = 256;

    private readonly object _lock = new();
    private readonly LinkedList<FeedItem> _recent = new();
    private readonly HashSet<Subscription> _subscribers = [];

    public int SubscriberCount
    {
        get { lock (_lock) return _subscribers.Count; }
    }

    public void Publish(FeedItem item)
    {
        Subscription[] subscribers;
        lock (_lock)
        {
            _recent.AddLast(item);
            while (_recent.Count > Recent) _recent.RemoveFirst();
            subscribers = [.. _subscribers];
        }
        foreach (var subscriber in subscribers) subscriber.Offer(item, logger);
    }

    /// <summary>Subscribes; the reader yields the recent items first. Dispose to unsubscribe.</summary>
    public Subscription Subscribe()
    {
        var subscription = new Subscription(this);
        lock (_lock)
        {
            foreach (var item in _recent) subscription.Offer(item, logger);
            _subscribers.Add(subscription);
        }
        return subscription;
    }

    internal sealed class Subscription : IDisposable
    {
        private readonly LiveFeed _feed;
        private readonly Channel<FeedItem> _channel = Channel.CreateBounded<FeedItem>(new BoundedChannelOptions(SubscriberBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        private long _dropped;

        public Subscription(LiveFeed feed) => _feed = feed;

        public ChannelReader<FeedItem> Reader => _channel.Reader;

        public void Offer(FeedItem item, ILogger logger)
        {
            if (_channel.Reader.Count >= SubscriberBuffer && Interlocked.Increment(ref _dropped) % 100 == 1) GatewayLog.FeedSubscriberLagged(logger, _dropped);
            _channel.Writer.TryWrite(item);
        }

        public void Dispose()
        {
            lock (_feed._lock) _feed._subscribers.Remove(this);
            _channel.Writer.TryComplete();
        }
    }
}
