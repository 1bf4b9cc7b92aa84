using Google.Protobuf;
using Microsoft.Extensions.Options;
using Parks.Hosting.State;

namespace Parks.Hosting.Events;

/// <summary>
/// How services publish: an event is added to the <see cref="StateTransaction"/> that makes the state change it
/// reports, so both commit atomically; the outbox relay publishes it afterwards and retries until the transport
/// acknowledged it. A crash between commit and publish therefore loses nothing (the relay finds it on restart),
/// and consumers deduplicate the redeliveries this can cause by the event id.
/// </summary>
public interface IEventOutbox
{
    /// <summary>Adds the event to <paramref name="transaction"/> and returns its envelope (with its id).</summary>
    /// <param name="subject">The resource the event is about, e.g. <c>districts/lingshui/enterprises/…</c>.</param>
    EventEnvelope Add(StateTransaction transaction, IMessage @event, string? subject = null);

    /// <summary>Publishes an event that goes with no state change (commits a transaction holding only it).</summary>
    Task<EventEnvelope> PublishAsync(IMessage @event, string? subject = null, CancellationToken cancellationToken = default);
}

internal sealed class EventOutbox(IStateStore store, IOptions<EventsOptions> options, TimeProvider time) : IEventOutbox
{
    private readonly string _appId = options.Value.AppId;
    private readonly string _queue = EventNames.OutboxQueue(options.Value.AppId);

    public string Queue => _queue;

    public EventEnvelope Add(StateTransaction transaction, IMessage @event, string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(@event);
        var type = @event.Descriptor.FullName;
        var (traceParent, traceState) = EventsTelemetry.Current();
        var envelope = new EventEnvelope
        {
            Id = Guid.CreateVersion7().ToString(),
            Type = type,
            Source = _appId,
            Subject = subject,
            Time = time.GetUtcNow(),
            Topic = EventNames.Topic(type),
            TraceParent = traceParent,
            TraceState = traceState,
            DataJson = JsonFormatter.Default.Format(@event),
        };
        transaction.Enqueue(_queue, envelope.Id, envelope.ToCloudEventJson());
        return envelope;
    }

    public async Task<EventEnvelope> PublishAsync(IMessage @event, string? subject = null, CancellationToken cancellationToken = default)
    {
        var transaction = new StateTransaction();
        var envelope = Add(transaction, @event, subject);
        await store.CommitAsync(transaction, cancellationToken);
        return envelope;
    }
}

/// <summary>Wakes the relay when a commit put something into this app's outbox.</summary>
internal sealed class OutboxSignal(IOptions<EventsOptions> options) : IStateCommitListener
{
    private readonly string _queue = EventNames.OutboxQueue(options.Value.AppId);
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Committed(StateTransaction transaction)
    {
        foreach (var operation in transaction.Operations)
        {
            if (operation is StateOperation.QueueAppend append && append.Queue == _queue)
            {
                Set();
                return;
            }
        }
    }

    public void Set()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // already signalled
        }
    }

    /// <summary>Waits for a signal or the timeout, whichever comes first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
