namespace Parks.Hosting.State;

/// <summary>
/// <see cref="IStateStore"/> in process memory, for unit tests and the embedded local run. Same semantics as the
/// Redis store (versions, conflicts, ordering, queues, time to live); one lock makes every call atomic.
/// </summary>
public sealed class InMemoryStateStore : IStateStore
{
    private readonly Lock _gate;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<IStateCommitListener> _listeners;
    private readonly Dictionary<string, StoredValue> _values;
    private readonly Dictionary<string, SortedSet<string>> _indexes;
    private readonly Dictionary<string, Ranking> _rankings;
    private readonly Dictionary<string, MessageQueue> _queues;

    public InMemoryStateStore()
        : this(TimeProvider.System, [])
    {
    }

    public InMemoryStateStore(TimeProvider time, IEnumerable<IStateCommitListener> listeners)
    {
        _gate = new Lock();
        _time = time;
        _listeners = [.. listeners];
        _values = new(StringComparer.Ordinal);
        _indexes = new(StringComparer.Ordinal);
        _rankings = new(StringComparer.Ordinal);
        _queues = new(StringComparer.Ordinal);
    }

    private InMemoryStateStore(InMemoryStateStore data, IEnumerable<IStateCommitListener> listeners)
    {
        _gate = data._gate;
        _time = data._time;
        _listeners = [.. data._listeners, .. listeners];
        _values = data._values;
        _indexes = data._indexes;
        _rankings = data._rankings;
        _queues = data._queues;
    }

    /// <summary>The same data, with these listeners told about commits made through the returned store.</summary>
    public InMemoryStateStore WithListeners(IEnumerable<IStateCommitListener> listeners) => new(this, listeners);

    public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_gate)
        {
            return Task.FromResult(Read(key, _time.GetUtcNow()));
        }
    }

    public Task<IReadOnlyList<StateEntry?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var entries = new StateEntry?[keys.Count];
            for (var i = 0; i < keys.Count; i++) entries[i] = Read(keys[i], now);
            return Task.FromResult<IReadOnlyList<StateEntry?>>(entries);
        }
    }

    public Task<IReadOnlyList<string>> ScanIndexAsync(string index, string? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        lock (_gate)
        {
            if (limit == 0 || !_indexes.TryGetValue(index, out var members)) return Task.FromResult<IReadOnlyList<string>>([]);
            IEnumerable<string> view = members;
            if (after is not null)
            {
                // GetViewBetween needs an upper bound; the set's own maximum is one.
                view = Utf8OrdinalComparer.Instance.Compare(after, members.Max) >= 0
                    ? []
                    : members.GetViewBetween(after, members.Max!).Where(m => m != after);
            }
            return Task.FromResult<IReadOnlyList<string>>([.. view.Take(limit)]);
        }
    }

    public Task<long> CountIndexAsync(string index, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        lock (_gate)
        {
            return Task.FromResult(_indexes.TryGetValue(index, out var members) ? (long)members.Count : 0L);
        }
    }

    public Task<IReadOnlyList<RankedMember>> RankAsync(string ranking, int offset, int count, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(ranking);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            if (!_rankings.TryGetValue(ranking, out var set)) return Task.FromResult<IReadOnlyList<RankedMember>>([]);
            return Task.FromResult<IReadOnlyList<RankedMember>>([.. set.Ordered.Skip(offset).Take(count)]);
        }
    }

    public Task<CommitResult> CommitAsync(StateTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        CommitResult result;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var operation in transaction.Operations)
            {
                var (key, expected) = operation switch
                {
                    StateOperation.Put put => (put.Key, put.ExpectedVersion),
                    StateOperation.Delete delete => (delete.Key, delete.ExpectedVersion),
                    StateOperation.Require require => (require.Key, require.ExpectedVersion),
                    _ => (null, null),
                };
                if (key is null || expected is null) continue;
                var actual = Read(key, now)?.Version ?? 0;
                if (actual != expected) throw StateConflict.Exception(key, expected.Value, actual);
            }

            var versions = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var operation in transaction.Operations) Apply(operation, now, versions);
            result = new CommitResult(versions);
        }
        foreach (var listener in _listeners) listener.Committed(transaction);
        return Task.FromResult(result);
    }

    public Task<IReadOnlyList<QueuedMessage>> PeekQueueAsync(string queue, int max, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        lock (_gate)
        {
            if (!_queues.TryGetValue(queue, out var q)) return Task.FromResult<IReadOnlyList<QueuedMessage>>([]);
            return Task.FromResult<IReadOnlyList<QueuedMessage>>(
                [.. q.BySequence.Values.Take(max).Select(m => new QueuedMessage(m.Id, m.Body.ToArray(), m.Sequence))]);
        }
    }

    public Task RemoveFromQueueAsync(string queue, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentNullException.ThrowIfNull(ids);
        lock (_gate)
        {
            if (!_queues.TryGetValue(queue, out var q)) return Task.CompletedTask;
            foreach (var id in ids)
            {
                if (q.ById.Remove(id, out var sequence)) q.BySequence.Remove(sequence);
            }
        }
        return Task.CompletedTask;
    }

    public Task<long> CountQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        lock (_gate)
        {
            return Task.FromResult(_queues.TryGetValue(queue, out var q) ? (long)q.ById.Count : 0L);
        }
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);

    private StateEntry? Read(string key, DateTimeOffset now)
    {
        if (!_values.TryGetValue(key, out var stored)) return null;
        if (stored.ExpiresAt <= now)
        {
            _values.Remove(key);
            return null;
        }
        return new StateEntry(key, stored.Value.ToArray(), stored.Version);
    }

    private void Apply(StateOperation operation, DateTimeOffset now, Dictionary<string, long> versions)
    {
        switch (operation)
        {
            case StateOperation.Put put:
                var version = (Read(put.Key, now)?.Version ?? 0) + 1;
                _values[put.Key] = new StoredValue(put.Value.ToArray(), version, now + put.TimeToLive);
                versions[put.Key] = version;
                break;
            case StateOperation.Delete delete:
                _values.Remove(delete.Key);
                versions.Remove(delete.Key);
                break;
            case StateOperation.Require:
                break;
            case StateOperation.IndexAdd add:
                GetOrAdd(_indexes, add.Index, () => new SortedSet<string>(Utf8OrdinalComparer.Instance)).Add(add.Member);
                break;
            case StateOperation.IndexRemove remove:
                if (_indexes.TryGetValue(remove.Index, out var members) && members.Remove(remove.Member) && members.Count == 0)
                    _indexes.Remove(remove.Index);
                break;
            case StateOperation.ScoreSet set:
                GetOrAdd(_rankings, set.Ranking, () => new Ranking()).Set(set.Member, set.Score);
                break;
            case StateOperation.ScoreRemove unset:
                if (_rankings.TryGetValue(unset.Ranking, out var ranking) && ranking.Remove(unset.Member) && ranking.Count == 0)
                    _rankings.Remove(unset.Ranking);
                break;
            case StateOperation.QueueAppend append:
                GetOrAdd(_queues, append.Queue, () => new MessageQueue()).Append(append.Id, append.Body);
                break;
            default:
                throw new NotSupportedException($"unknown state operation {operation.GetType().Name}");
        }
    }

    private static T GetOrAdd<T>(Dictionary<string, T> map, string key, Func<T> create)
    {
        if (!map.TryGetValue(key, out var value)) map[key] = value = create();
        return value;
    }

    private sealed record StoredValue(byte[] Value, long Version, DateTimeOffset? ExpiresAt);

    private sealed class Ranking
    {
        private static readonly Comparer<RankedMember> Order = Comparer<RankedMember>.Create((a, b) =>
        {
            var byScore = b.Score.CompareTo(a.Score);
            return byScore != 0 ? byScore : Utf8OrdinalComparer.Instance.Compare(a.Member, b.Member);
        });

        private readonly Dictionary<string, double> _scores = new(StringComparer.Ordinal);

        public SortedSet<RankedMember> Ordered { get; } = new(Order);

        public int Count => _scores.Count;

        public void Set(string member, double score)
        {
            Remove(member);
            _scores[member] = score;
            Ordered.Add(new RankedMember(member, score));
        }

        public bool Remove(string member)
        {
            if (!_scores.Remove(member, out var old)) return false;
            Ordered.Remove(new RankedMember(member, old));
            return true;
        }
    }

    private sealed class MessageQueue
    {
        private long _lastSequence;

        public SortedDictionary<long, QueuedMessage> BySequence { get; } = [];

        public Dictionary<string, long> ById { get; } = new(StringComparer.Ordinal);

        public void Append(string id, ReadOnlyMemory<byte> body)
        {
            if (ById.ContainsKey(id)) return;
            var sequence = ++_lastSequence;
            ById[id] = sequence;
            BySequence[sequence] = new QueuedMessage(id, body.ToArray(), sequence);
        }
    }
}
