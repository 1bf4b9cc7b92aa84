namespace Parks.Hosting.State;

/// <summary>
/// A stored value and its version. Versions start at 1 and grow by one on every write; a deleted key that is
/// written again starts again at 1.
/// </summary>
public sealed record StateEntry(string Key, ReadOnlyMemory<byte> Value, long Version);

/// <summary>A message waiting in a durable queue (the events outbox), in enqueue order.</summary>
public sealed record QueuedMessage(string Id, ReadOnlyMemory<byte> Body, long Sequence);

/// <summary>What a commit wrote: the new version of every key it put.</summary>
public sealed record CommitResult(IReadOnlyDictionary<string, long> Versions);

/// <summary>
/// The one storage primitive every Parks service uses (Redis in production, memory in the embedded run).
/// Keys are full keys (callers build them with <see cref="StateKeys"/>). A commit applies all of its
/// operations atomically or none of them, checking every expected version first: optimistic concurrency,
/// outbox and inbox all rest on that.
/// </summary>
public interface IStateStore
{
    Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Entries in the order of <paramref name="keys"/>; null where a key does not exist.</summary>
    Task<IReadOnlyList<StateEntry?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Members of a lexicographic index strictly after <paramref name="after"/> (null: from the start),
    /// ascending by ordinal comparison of their UTF-8 bytes, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<string>> ScanIndexAsync(string index, string? after, int limit, CancellationToken cancellationToken = default);

    Task<long> CountIndexAsync(string index, CancellationToken cancellationToken = default);

    /// <summary>A ranking's members by score, highest first (ties by member, ascending).</summary>
    Task<IReadOnlyList<RankedMember>> RankAsync(string ranking, int offset, int count, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically applies the transaction; throws Parks.Domain.ConcurrencyException naming the first stale key
    /// (in operation order), having written nothing. An empty transaction is a no-op.
    /// </summary>
    Task<CommitResult> CommitAsync(StateTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>The oldest messages of a queue, without removing them.</summary>
    Task<IReadOnlyList<QueuedMessage>> PeekQueueAsync(string queue, int max, CancellationToken cancellationToken = default);

    /// <summary>Removes messages by id (ids already gone are ignored, so concurrent relays are safe).</summary>
    Task RemoveFromQueueAsync(string queue, IReadOnlyList<string> ids, CancellationToken cancellationToken = default);

    Task<long> CountQueueAsync(string queue, CancellationToken cancellationToken = default);

    /// <summary>True when the store answers (readiness).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken = default);
}

public readonly record struct RankedMember(string Member, double Score);

/// <summary>
/// The operations of one atomic commit. Expected versions: null writes unconditionally, 0 requires that the
/// key does not exist, n requires that the key is at version n. Every expected version is checked against the
/// state before the commit, then the operations apply in order.
/// </summary>
/// <remarks>
/// Stores may throw <see cref="StateStoreUnavailableException"/> from any call when the backing store cannot be
/// reached in time; for a commit the outcome is then unknown (it may still apply), so callers retry with the
/// same expected versions, which makes a retry of an applied commit fail as a conflict instead of writing twice.
/// </remarks>
public sealed class StateTransaction
{
    private readonly List<StateOperation> _operations = [];

    public IReadOnlyList<StateOperation> Operations => _operations;

    public bool IsEmpty => _operations.Count == 0;

    public StateTransaction Put(string key, ReadOnlyMemory<byte> value, long? expectedVersion)
    {
        CheckKey(key);
        CheckExpectedVersion(expectedVersion);
        _operations.Add(new StateOperation.Put(key, value, expectedVersion));
        return this;
    }

    /// <summary>
    /// Puts a value that the store removes after <paramref name="timeToLive"/> (inbox markers, attempt counters).
    /// A later put without a time to live makes the key permanent again.
    /// </summary>
    public StateTransaction Put(string key, ReadOnlyMemory<byte> value, long? expectedVersion, TimeSpan timeToLive)
    {
        CheckKey(key);
        CheckExpectedVersion(expectedVersion);
        if (timeToLive < TimeSpan.FromMilliseconds(1))
            throw new ArgumentOutOfRangeException(nameof(timeToLive), timeToLive, "must be at least 1 ms");
        _operations.Add(new StateOperation.Put(key, value, expectedVersion) { TimeToLive = timeToLive });
        return this;
    }

    public StateTransaction Delete(string key, long? expectedVersion)
    {
        CheckKey(key);
        CheckExpectedVersion(expectedVersion);
        _operations.Add(new StateOperation.Delete(key, expectedVersion));
        return this;
    }

    /// <summary>Fails the commit unless the key is at the expected version (0: absent), writing nothing.</summary>
    public StateTransaction Require(string key, long expectedVersion)
    {
        CheckKey(key);
        CheckExpectedVersion(expectedVersion);
        _operations.Add(new StateOperation.Require(key, expectedVersion));
        return this;
    }

    public StateTransaction AddToIndex(string index, string member)
    {
        CheckKey(index);
        ArgumentNullException.ThrowIfNull(member);
        _operations.Add(new StateOperation.IndexAdd(index, member));
        return this;
    }

    public StateTransaction RemoveFromIndex(string index, string member)
    {
        CheckKey(index);
        ArgumentNullException.ThrowIfNull(member);
        _operations.Add(new StateOperation.IndexRemove(index, member));
        return this;
    }

    public StateTransaction SetScore(string ranking, string member, double score)
    {
        CheckKey(ranking);
        ArgumentNullException.ThrowIfNull(member);
        if (double.IsNaN(score)) throw new ArgumentOutOfRangeException(nameof(score), score, "must be a number");
        _operations.Add(new StateOperation.ScoreSet(ranking, member, score));
        return this;
    }

    public StateTransaction RemoveScore(string ranking, string member)
    {
        CheckKey(ranking);
        ArgumentNullException.ThrowIfNull(member);
        _operations.Add(new StateOperation.ScoreRemove(ranking, member));
        return this;
    }

    /// <summary>
    /// Appends a message to a durable queue (the outbox) in the same commit as the state change. An id that is
    /// already in the queue is left as it is (enqueueing is idempotent per id).
    /// </summary>
    public StateTransaction Enqueue(string queue, string id, ReadOnlyMemory<byte> body)
    {
        CheckKey(queue);
        ArgumentException.ThrowIfNullOrEmpty(id);
        _operations.Add(new StateOperation.QueueAppend(queue, id, body));
        return this;
    }

    private static void CheckKey(string key) => ArgumentException.ThrowIfNullOrEmpty(key);

    private static void CheckExpectedVersion(long? expectedVersion)
    {
        if (expectedVersion < 0)
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "must be null, 0 (absent) or a version");
    }
}

public abstract record StateOperation
{
    private StateOperation() { }

    public sealed record Put(string Key, ReadOnlyMemory<byte> Value, long? ExpectedVersion) : StateOperation
    {
        /// <summary>Null: the key is permanent.</summary>
        public TimeSpan? TimeToLive { get; init; }
    }

    public sealed record Delete(string Key, long? ExpectedVersion) : StateOperation;
    public sealed record Require(string Key, long ExpectedVersion) : StateOperation;
    public sealed record IndexAdd(string Index, string Member) : StateOperation;
    public sealed record IndexRemove(string Index, string Member) : StateOperation;
    public sealed record ScoreSet(string Ranking, string Member, double Score) : StateOperation;
    public sealed record ScoreRemove(string Ranking, string Member) : StateOperation;
    public sealed record QueueAppend(string Queue, string Id, ReadOnlyMemory<byte> Body) : StateOperation;
}

/// <summary>
/// Key naming: <c>parks:{service}:{scope}:{aggregate}:{id}</c>, e.g. <c>parks:district:lingshui:enterprise:9121…</c>.
/// Keys shared zone-wide (the enterprise registry) use the scope <c>zone</c>.
/// </summary>
public static class StateKeys
{
    public const string Root = "parks";

    public static string For(string service, string scope, string aggregate, string id) =>
        $"{Root}:{service}:{scope}:{aggregate}:{id}";

    public static string Index(string service, string scope, string name) =>
        $"{Root}:{service}:{scope}:idx:{name}";
}
