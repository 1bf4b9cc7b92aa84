using Parks.Domain;
using Parks.Hosting.State;

namespace Parks.Units.Tests.Support;

/// <summary>
/// A small in-memory <see cref="IStateStore"/> for these tests until the platform's InMemoryStateStore is on
/// main. Same contract: atomic commits that check every expected version first, ordinal indexes, rankings.
/// </summary>
internal sealed class TestStateStore : IStateStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (byte[] Value, long Version)> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<string>> _indexes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, double>> _rankings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<QueuedMessage>> _queues = new(StringComparer.Ordinal);
    private long _sequence;

    public int Commits { get; private set; }

    public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(_values.TryGetValue(key, out var v) ? new StateEntry(key, v.Value, v.Version) : null);
    }

    public Task<IReadOnlyList<StateEntry?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<StateEntry?>>([.. keys.Select(k => _values.TryGetValue(k, out var v) ? new StateEntry(k, v.Value, v.Version) : null)]);
        }
    }

    public Task<IReadOnlyList<string>> ScanIndexAsync(string index, string? after, int limit, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_indexes.TryGetValue(index, out var set)) return Task.FromResult<IReadOnlyList<string>>([]);
            return Task.FromResult<IReadOnlyList<string>>([.. set.Where(m => after is null || string.CompareOrdinal(m, after) > 0).Take(limit)]);
        }
    }

    public Task<long> CountIndexAsync(string index, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(_indexes.TryGetValue(index, out var set) ? (long)set.Count : 0);
    }

    public Task<IReadOnlyList<RankedMember>> RankAsync(string ranking, int offset, int count, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_rankings.TryGetValue(ranking, out var scores)) return Task.FromResult<IReadOnlyList<RankedMember>>([]);
            return Task.FromResult<IReadOnlyList<RankedMember>>([.. scores
                .OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal)
                .Skip(offset).Take(count).Select(s => new RankedMember(s.Key, s.Value))]);
        }
    }

    public Task<CommitResult> CommitAsync(StateTransaction transaction, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var op in transaction.Operations)
            {
                var (key, expected) = op switch
                {
                    StateOperation.Put p => (p.Key, p.ExpectedVersion),
                    StateOperation.Delete d => (d.Key, d.ExpectedVersion),
                    StateOperation.Require r => (r.Key, (long?)r.ExpectedVersion),
                    _ => (null, null),
                };
                if (key is null || expected is null) continue;
                var actual = _values.TryGetValue(key, out var v) ? v.Version : 0;
                if (actual != expected) throw new ConcurrencyException(key, $"{key} is at version {actual}, expected {expected}");
            }
            var versions = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var op in transaction.Operations)
            {
                switch (op)
                {
                    case StateOperation.Put p:
                        var version = (_values.TryGetValue(p.Key, out var old) ? old.Version : 0) + 1;
                        _values[p.Key] = (p.Value.ToArray(), version);
                        versions[p.Key] = version;
                        break;
                    case StateOperation.Delete d:
                        _values.Remove(d.Key);
                        break;
                    case StateOperation.IndexAdd a:
                        (_indexes.TryGetValue(a.Index, out var set) ? set : _indexes[a.Index] = new SortedSet<string>(StringComparer.Ordinal)).Add(a.Member);
                        break;
                    case StateOperation.IndexRemove r:
                        if (_indexes.TryGetValue(r.Index, out var existing)) existing.Remove(r.Member);
                        break;
                    case StateOperation.ScoreSet s:
                        (_rankings.TryGetValue(s.Ranking, out var scores) ? scores : _rankings[s.Ranking] = new(StringComparer.Ordinal))[s.Member] = s.Score;
                        break;
                    case StateOperation.ScoreRemove s:
                        if (_rankings.TryGetValue(s.Ranking, out var ranking)) ranking.Remove(s.Member);
                        break;
                    case StateOperation.QueueAppend q:
                        (_queues.TryGetValue(q.Queue, out var queue) ? queue : _queues[q.Queue] = []).Add(new QueuedMessage(q.Id, q.Body.ToArray(), ++_sequence));
                        break;
                }
            }
            Commits++;
            return Task.FromResult(new CommitResult(versions));
        }
    }

    public Task<IReadOnlyList<QueuedMessage>> PeekQueueAsync(string queue, int max, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<QueuedMessage>>(_queues.TryGetValue(queue, out var q) ? [.. q.Take(max)] : []);
    }

    public Task RemoveFromQueueAsync(string queue, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_queues.TryGetValue(queue, out var q)) q.RemoveAll(m => ids.Contains(m.Id));
        }
        return Task.CompletedTask;
    }

    public Task<long> CountQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(_queues.TryGetValue(queue, out var q) ? (long)q.Count : 0);
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);

    /// <summary>Every key (for tests that check nothing was half-written).</summary>
    public IReadOnlyList<string> Keys()
    {
        lock (_gate) return [.. _values.Keys.Order(StringComparer.Ordinal)];
    }

    public IReadOnlyList<string> IndexNames()
    {
        lock (_gate) return [.. _indexes.Where(i => i.Value.Count > 0).Select(i => i.Key).Order(StringComparer.Ordinal)];
    }
}

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
