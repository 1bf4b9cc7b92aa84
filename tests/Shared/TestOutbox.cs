using System.Text.Json;
using Google.Protobuf;
using Parks.Hosting.Events;
using Parks.Hosting.State;

// Linked into the Science City, Talent and Finance test projects.
namespace Parks.Testing.Shared;

/// <summary>
/// An outbox for store tests: puts each event into the same transaction as the state change (like the real
/// outbox) on a queue of its own, so a test sees exactly the events whose commit succeeded.
/// </summary>
internal sealed class TestOutbox(IStateStore store) : IEventOutbox
{
    private readonly string _queue = TestIds.New("outbox");

    public EventEnvelope Add(StateTransaction transaction, IMessage @event, string? subject = null)
    {
        var envelope = new EventEnvelope
        {
            Id = Guid.NewGuid().ToString(),
            Type = @event.Descriptor.FullName,
            Source = "test",
            Subject = subject,
            Time = DateTimeOffset.UtcNow,
            Topic = @event.Descriptor.FullName,
            DataJson = JsonFormatter.Default.Format(@event),
        };
        transaction.Enqueue(_queue, envelope.Id, envelope.ToCloudEventJson());
        return envelope;
    }

    public async Task<EventEnvelope> PublishAsync(IMessage @event, string? subject = null, CancellationToken cancellationToken = default)
    {
        var tx = new StateTransaction();
        var envelope = Add(tx, @event, subject);
        await store.CommitAsync(tx, cancellationToken);
        return envelope;
    }

    /// <summary>The committed events, oldest first: their type and their data parsed into <typeparamref name="T"/>.</summary>
    public async Task<IReadOnlyList<T>> PublishedAsync<T>() where T : IMessage<T>, new()
    {
        var parser = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
        var type = new T().Descriptor.FullName;
        var result = new List<T>();
        foreach (var message in await store.PeekQueueAsync(_queue, 1000))
        {
            using var doc = JsonDocument.Parse(message.Body);
            if (doc.RootElement.GetProperty("type").GetString() != type) continue;
            result.Add(parser.Parse<T>(doc.RootElement.GetProperty("data").GetRawText()));
        }
        return result;
    }

    public async Task<long> CountAsync() => await store.CountQueueAsync(_queue);
}
