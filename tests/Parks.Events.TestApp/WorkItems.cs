using System.Buffers.Binary;
using Google.Protobuf;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Testing.V1;

namespace Parks.Events.TestApp;

/// <summary>The test service's state: per item, how many times its effect was applied, plus an index of items.</summary>
public sealed class WorkItems(IStateStore store, IEventOutbox outbox, WorkItems.Settings settings)
{
    public sealed record Settings(string Scope, string? CrashOnItem);

    public static string EffectKey(string scope, string item) => StateKeys.For("testapp", scope, "effect", item);

    public static string ProducedKey(string scope, string item) => StateKeys.For("testapp", scope, "produced", item);

    public static string EffectIndex(string scope) => StateKeys.Index("testapp", scope, "effects");

    /// <summary>Commits "item produced" and its event atomically (the outbox pattern under test).</summary>
    public async Task<EventEnvelope> SubmitAsync(string item, bool poison = false, string payload = "", CancellationToken cancellationToken = default)
    {
        var transaction = new StateTransaction().Put(ProducedKey(settings.Scope, item), ByteString.CopyFromUtf8(item).ToByteArray(), 0);
        var envelope = outbox.Add(transaction, new WorkItemSubmitted { Item = item, Poison = poison, Payload = payload },
            subject: $"testapp/{settings.Scope}/items/{item}");
        await store.CommitAsync(transaction, cancellationToken);
        return envelope;
    }

    /// <summary>How many times the item's effect was applied (0: never).</summary>
    public async Task<long> EffectCountAsync(string item, CancellationToken cancellationToken = default)
    {
        var entry = await store.GetAsync(EffectKey(settings.Scope, item), cancellationToken);
        return entry is null ? 0 : BinaryPrimitives.ReadInt64LittleEndian(entry.Value.Span);
    }

    public Task<long> ItemsWithEffectAsync(CancellationToken cancellationToken = default) =>
        store.CountIndexAsync(EffectIndex(settings.Scope), cancellationToken);

    /// <summary>
    /// The effect: a read-modify-write counter (so a second application would show as 2, not hide as an overwrite).
    /// </summary>
    internal async Task AddEffectAsync(StateTransaction transaction, string item, CancellationToken cancellationToken)
    {
        var key = EffectKey(settings.Scope, item);
        var entry = await store.GetAsync(key, cancellationToken);
        var count = entry is null ? 0 : BinaryPrimitives.ReadInt64LittleEndian(entry.Value.Span);
        var value = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(value, count + 1);
        transaction.Put(key, value, entry?.Version ?? 0).AddToIndex(EffectIndex(settings.Scope), item);
    }
}

public sealed class WorkItemHandler(WorkItems items) : IEventHandler<WorkItemSubmitted>
{
    public async Task HandleAsync(EventContext<WorkItemSubmitted> context, CancellationToken cancellationToken)
    {
        if (context.Event.Poison) throw new InvalidOperationException($"work item {context.Event.Item} is poison");
        await items.AddEffectAsync(context.Transaction, context.Event.Item, cancellationToken);
    }
}

/// <summary>Counts pings in memory only: its idempotency comes from the dispatcher alone.</summary>
public sealed class MemoryTally
{
    private readonly Dictionary<string, int> _counts = [];

    public int CountOf(string item)
    {
        lock (_counts) return _counts.GetValueOrDefault(item);
    }

    internal void Add(string item)
    {
        lock (_counts) _counts[item] = _counts.GetValueOrDefault(item) + 1;
    }
}

public sealed class PingTallyHandler(MemoryTally tally) : IEventHandler<PingRecorded>
{
    public async Task HandleAsync(EventContext<PingRecorded> context, CancellationToken cancellationToken)
    {
        tally.Add(context.Event.Item);
        // Give a concurrent duplicate the chance to overlap, which the per-event lock must prevent.
        await Task.Delay(20, cancellationToken);
    }
}
