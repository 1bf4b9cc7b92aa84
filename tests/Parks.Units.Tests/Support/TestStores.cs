using System.Collections.Concurrent;
using Parks.Hosting.State;
using Parks.Testing;

namespace Parks.Units.Tests.Support;

/// <summary>
/// Wraps a store and remembers which keys and index members the successful commits left behind, so tests can
/// check that a refused operation wrote nothing and that a reload changed nothing, on any store.
/// </summary>
internal sealed class ObservedStore(IStateStore inner) : IStateStore
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _indexes = new(StringComparer.Ordinal);

    public int Commits { get; private set; }

    public IReadOnlyList<string> Keys()
    {
        lock (_gate) return [.. _keys.Order(StringComparer.Ordinal)];
    }

    public IReadOnlyList<string> IndexNames()
    {
        lock (_gate) return [.. _indexes.Where(i => i.Value.Count > 0).Select(i => i.Key).Order(StringComparer.Ordinal)];
    }

    public async Task<CommitResult> CommitAsync(StateTransaction transaction, CancellationToken cancellationToken = default)
    {
        var result = await inner.CommitAsync(transaction, cancellationToken);
        lock (_gate)
        {
            Commits++;
            foreach (var op in transaction.Operations)
            {
                switch (op)
                {
                    case StateOperation.Put p: _keys.Add(p.Key); break;
                    case StateOperation.Delete d: _keys.Remove(d.Key); break;
                    case StateOperation.IndexAdd a: (_indexes.TryGetValue(a.Index, out var set) ? set : _indexes[a.Index] = new(StringComparer.Ordinal)).Add(a.Member); break;
                    case StateOperation.IndexRemove r: if (_indexes.TryGetValue(r.Index, out var existing)) existing.Remove(r.Member); break;
                }
            }
        }
        return result;
    }

    public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);
    public Task<IReadOnlyList<StateEntry?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) => inner.GetManyAsync(keys, cancellationToken);
    public Task<IReadOnlyList<string>> ScanIndexAsync(string index, string? after, int limit, CancellationToken cancellationToken = default) => inner.ScanIndexAsync(index, after, limit, cancellationToken);
    public Task<long> CountIndexAsync(string index, CancellationToken cancellationToken = default) => inner.CountIndexAsync(index, cancellationToken);
    public Task<IReadOnlyList<RankedMember>> RankAsync(string ranking, int offset, int count, CancellationToken cancellationToken = default) => inner.RankAsync(ranking, offset, count, cancellationToken);
    public Task<IReadOnlyList<QueuedMessage>> PeekQueueAsync(string queue, int max, CancellationToken cancellationToken = default) => inner.PeekQueueAsync(queue, max, cancellationToken);
    public Task RemoveFromQueueAsync(string queue, IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => inner.RemoveFromQueueAsync(queue, ids, cancellationToken);
    public Task<long> CountQueueAsync(string queue, CancellationToken cancellationToken = default) => inner.CountQueueAsync(queue, cancellationToken);
    public Task<bool> PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);
}

/// <summary>
/// Puts every key, index, ranking and queue of one test under its own prefix on a shared Redis, so tests that
/// use the same unit key spaces (districts/lingshui…) never see each other's data.
/// </summary>
internal sealed class PrefixedStore(IStateStore inner, string prefix) : IStateStore
{
    private string P(string key) => prefix + key;

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        await inner.GetAsync(P(key), cancellationToken) is { } e ? e with { Key = key } : null;

    public async Task<IReadOnlyList<StateEntry?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        var entries = await inner.GetManyAsync([.. keys.Select(P)], cancellationToken);
        return [.. entries.Select((e, i) => e is null ? null : e with { Key = keys[i] })];
    }

    public Task<IReadOnlyList<string>> ScanIndexAsync(string index, string? after, int limit, CancellationToken cancellationToken = default) => inner.ScanIndexAsync(P(index), after, limit, cancellationToken);
    public Task<long> CountIndexAsync(string index, CancellationToken cancellationToken = default) => inner.CountIndexAsync(P(index), cancellationToken);
    public Task<IReadOnlyList<RankedMember>> RankAsync(string ranking, int offset, int count, CancellationToken cancellationToken = default) => inner.RankAsync(P(ranking), offset, count, cancellationToken);
    public Task<IReadOnlyList<QueuedMessage>> PeekQueueAsync(string queue, int max, CancellationToken cancellationToken = default) => inner.PeekQueueAsync(P(queue), max, cancellationToken);
    public Task RemoveFromQueueAsync(string queue, IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => inner.RemoveFromQueueAsync(P(queue), ids, cancellationToken);
    public Task<long> CountQueueAsync(string queue, CancellationToken cancellationToken = default) => inner.CountQueueAsync(P(queue), cancellationToken);
    public Task<bool> PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);

    public async Task<CommitResult> CommitAsync(StateTransaction transaction, CancellationToken cancellationToken = default)
    {
        var prefixed = new StateTransaction();
        foreach (var op in transaction.Operations)
        {
            switch (op)
            {
                case StateOperation.Put p when p.TimeToLive is { } ttl: prefixed.Put(P(p.Key), p.Value, p.ExpectedVersion, ttl); break;
                case StateOperation.Put p: prefixed.Put(P(p.Key), p.Value, p.ExpectedVersion); break;
                case StateOperation.Delete d: prefixed.Delete(P(d.Key), d.ExpectedVersion); break;
                case StateOperation.Require r: prefixed.Require(P(r.Key), r.ExpectedVersion); break;
                case StateOperation.IndexAdd a: prefixed.AddToIndex(P(a.Index), a.Member); break;
                case StateOperation.IndexRemove r: prefixed.RemoveFromIndex(P(r.Index), r.Member); break;
                case StateOperation.ScoreSet s: prefixed.SetScore(P(s.Ranking), s.Member, s.Score); break;
                case StateOperation.ScoreRemove s: prefixed.RemoveScore(P(s.Ranking), s.Member); break;
                case StateOperation.QueueAppend q: prefixed.Enqueue(P(q.Queue), q.Id, q.Body); break;
                default: throw new NotSupportedException(op.GetType().Name);
            }
        }
        try
        {
            var result = await inner.CommitAsync(prefixed, cancellationToken);
            return new CommitResult(result.Versions.ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal));
        }
        catch (Parks.Domain.ConcurrencyException e)
        {
            var name = e.ResourceName.StartsWith(prefix, StringComparison.Ordinal) ? e.ResourceName[prefix.Length..] : e.ResourceName;
            throw new Parks.Domain.ConcurrencyException(name, e.Message.Replace(prefix, "", StringComparison.Ordinal));
        }
    }
}

/// <summary>One RedisStateStore per redis-server (connections are expensive), each test under its own prefix.</summary>
internal static class RedisStores
{
    private static readonly ConcurrentDictionary<string, RedisStateStore> Stores = new(StringComparer.Ordinal);

    public static IStateStore For(RedisServerFixture redis) =>
        new PrefixedStore(Stores.GetOrAdd(redis.ConnectionString, c => new RedisStateStore(c, TimeSpan.FromSeconds(10))), TestIds.New("units") + ":");
}

[CollectionDefinition(RedisServerFixture.Collection)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>;

/// <summary>
/// Holds every reader of a key until <paramref name="readers"/> have read it, so concurrent operations
/// interleave exactly at that point (both read "absent", then both try to commit).
/// </summary>
internal sealed class RendezvousStore(IStateStore inner, Func<string, bool> isGateKey, int readers) : IStateStore
{
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var entry = await inner.GetAsync(key, cancellationToken);
        if (isGateKey(key) && Interlocked.Increment(ref _count) <= readers)
        {
            if (Volatile.Read(ref _count) == readers) _all.TrySetResult();
            await _all.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        return entry;
    }

    public Task<IReadOnlyList<StateEntry?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) => inner.GetManyAsync(keys, cancellationToken);
    public Task<IReadOnlyList<string>> ScanIndexAsync(string index, string? after, int limit, CancellationToken cancellationToken = default) => inner.ScanIndexAsync(index, after, limit, cancellationToken);
    public Task<long> CountIndexAsync(string index, CancellationToken cancellationToken = default) => inner.CountIndexAsync(index, cancellationToken);
    public Task<IReadOnlyList<RankedMember>> RankAsync(string ranking, int offset, int count, CancellationToken cancellationToken = default) => inner.RankAsync(ranking, offset, count, cancellationToken);
    public Task<CommitResult> CommitAsync(StateTransaction transaction, CancellationToken cancellationToken = default) => inner.CommitAsync(transaction, cancellationToken);
    public Task<IReadOnlyList<QueuedMessage>> PeekQueueAsync(string queue, int max, CancellationToken cancellationToken = default) => inner.PeekQueueAsync(queue, max, cancellationToken);
    public Task RemoveFromQueueAsync(string queue, IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => inner.RemoveFromQueueAsync(queue, ids, cancellationToken);
    public Task<long> CountQueueAsync(string queue, CancellationToken cancellationToken = default) => inner.CountQueueAsync(queue, cancellationToken);
    public Task<bool> PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);
}
