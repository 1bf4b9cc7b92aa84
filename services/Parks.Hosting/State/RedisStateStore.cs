using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Parks.Hosting.State;

/// <summary>
/// <see cref="IStateStore"/> on Redis (StackExchange.Redis 1.2.6). Layout:
/// <list type="bullet">
/// <item>a value is a hash <c>{v: version, d: bytes}</c> at its key;</item>
/// <item>an index is a sorted set with every score 0, read with ZRANGEBYLEX (byte order);</item>
/// <item>a ranking is a sorted set of negated scores, so ZRANGE gives highest first and ties by member ascending;</item>
/// <item>a queue is a sorted set <c>{queue}</c> of ids scored by sequence, a hash <c>{queue}:body</c> of bodies
/// and a counter <c>{queue}:seq</c>.</item>
/// </list>
/// A commit is one Lua script, so Redis runs it atomically: it checks every expected version, then applies.
/// All keys of one commit must live on one node (no Redis Cluster).
/// </summary>
public sealed class RedisStateStore : IStateStore, IAsyncDisposable, IDisposable
{
    private const string CommitScript = """
        local a = 1
        local checks = tonumber(ARGV[a]); a = a + 1
        for i = 1, checks do
          local index = tonumber(ARGV[a])
          local expected = tonumber(ARGV[a + 1])
          a = a + 2
          local current = redis.call('HGET', KEYS[index], 'v')
          if current then current = tonumber(current) else current = 0 end
          if current ~= expected then return {0, i, current} end
        end
        local result = {1}
        local ops = tonumber(ARGV[a]); a = a + 1
        for i = 1, ops do
          local op = ARGV[a]
          if op == 'P' then
            local k = KEYS[tonumber(ARGV[a + 1])]
            local v = redis.call('HINCRBY', k, 'v', 1)
            redis.call('HSET', k, 'd', ARGV[a + 2])
            local ttl = tonumber(ARGV[a + 3])
            if ttl > 0 then redis.call('PEXPIRE', k, ttl) else redis.call('PERSIST', k) end
            result[#result + 1] = v
            a = a + 4
          elseif op == 'D' then
            redis.call('DEL', KEYS[tonumber(ARGV[a + 1])])
            a = a + 2
          elseif op == 'IA' then
            redis.call('ZADD', KEYS[tonumber(ARGV[a + 1])], 0, ARGV[a + 2])
            a = a + 3
          elseif op == 'SS' then
            redis.call('ZADD', KEYS[tonumber(ARGV[a + 1])], ARGV[a + 3], ARGV[a + 2])
            a = a + 4
          elseif op == 'ZR' then
            redis.call('ZREM', KEYS[tonumber(ARGV[a + 1])], ARGV[a + 2])
            a = a + 3
          elseif op == 'Q' then
            local queue = KEYS[tonumber(ARGV[a + 1])]
            local id = ARGV[a + 4]
            if not redis.call('ZSCORE', queue, id) then
              local seq = redis.call('INCR', KEYS[tonumber(ARGV[a + 3])])
              redis.call('ZADD', queue, seq, id)
              redis.call('HSET', KEYS[tonumber(ARGV[a + 2])], id, ARGV[a + 5])
            end
            a = a + 6
          else
            return redis.error_reply('parks commit: unknown operation ' .. tostring(op))
          end
        end
        return result
        """;

    private const string GetManyScript = """
        local out = {}
        for i, k in ipairs(KEYS) do
          local r = redis.call('HMGET', k, 'v', 'd')
          out[2 * i - 1] = r[1]
          out[2 * i] = r[2]
        end
        return out
        """;

    private const string ScanScript = "return redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], '+', 'LIMIT', 0, ARGV[2])";

    private const string PeekScript = """
        local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
        local out = {}
        for i = 1, #ids, 2 do
          out[#out + 1] = ids[i]
          out[#out + 1] = ids[i + 1]
          out[#out + 1] = redis.call('HGET', KEYS[2], ids[i])
        end
        return out
        """;

    private const string RemoveScript = """
        for i = 1, #ARGV do
          redis.call('ZREM', KEYS[1], ARGV[i])
          redis.call('HDEL', KEYS[2], ARGV[i])
        end
        return #ARGV
        """;

    private static readonly RedisValue[] ValueFields = ["v", "d"];

    private readonly RedisConnection _connection;
    private readonly IReadOnlyList<IStateCommitListener> _listeners;

    public RedisStateStore(string connectionString, TimeSpan operationTimeout, ILogger<RedisStateStore>? logger = null,
        IEnumerable<IStateCommitListener>? listeners = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        _connection = new RedisConnection(connectionString, operationTimeout, "parks-state",
            (ILogger?)logger ?? NullLogger.Instance);
        _listeners = [.. listeners ?? []];
    }

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var fields = await _connection.RunAsync(db => db.HashGetAsync(key, ValueFields), cancellationToken);
        return ToEntry(key, fields[0], fields[1]);
    }

    public async Task<IReadOnlyList<StateEntry?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0) return [];
        var redisKeys = new RedisKey[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            ArgumentException.ThrowIfNullOrEmpty(keys[i]);
            redisKeys[i] = keys[i];
        }
        var result = await _connection.RunAsync(db => db.ScriptEvaluateAsync(GetManyScript, redisKeys), cancellationToken);
        var flat = (RedisResult[])result!;
        var entries = new StateEntry?[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            entries[i] = ToEntry(keys[i], (RedisValue)flat[2 * i], (RedisValue)flat[2 * i + 1]);
        }
        return entries;
    }

    public async Task<IReadOnlyList<string>> ScanIndexAsync(string index, string? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (limit == 0) return [];
        RedisValue start = after is null ? "-" : "(" + after;
        var result = await _connection.RunAsync(
            db => db.ScriptEvaluateAsync(ScanScript, [index], [start, limit]), cancellationToken);
        return [.. ((RedisResult[])result!).Select(r => (string)r!)];
    }

    public Task<long> CountIndexAsync(string index, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        return _connection.RunAsync(db => db.SortedSetLengthAsync(index), cancellationToken);
    }

    public async Task<IReadOnlyList<RankedMember>> RankAsync(string ranking, int offset, int count, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(ranking);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) return [];
        var entries = await _connection.RunAsync(
            db => db.SortedSetRangeByRankWithScoresAsync(ranking, offset, (long)offset + count - 1), cancellationToken);
        // Stored negated (see the class remarks); 0 - x keeps 0 from turning into -0.
        return [.. entries.Select(e => new RankedMember((string)e.Element!, 0 - e.Score))];
    }

    public async Task<CommitResult> CommitAsync(StateTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (transaction.IsEmpty) return new CommitResult(new Dictionary<string, long>());
        var script = CommitArguments.Build(transaction);
        var result = await _connection.RunAsync(
            db => db.ScriptEvaluateAsync(CommitScript, script.Keys, script.Arguments), cancellationToken);
        var reply = (RedisResult[])result!;
        if ((long)reply[0] == 0)
        {
            var (key, expected) = script.CheckAt((int)(long)reply[1]);
            throw StateConflict.Exception(key, expected, (long)reply[2]);
        }
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        var next = 1;
        foreach (var operation in transaction.Operations)
        {
            if (operation is StateOperation.Put put) versions[put.Key] = (long)reply[next++];
            else if (operation is StateOperation.Delete delete) versions.Remove(delete.Key);
        }
        foreach (var listener in _listeners) listener.Committed(transaction);
        return new CommitResult(versions);
    }

    public async Task<IReadOnlyList<QueuedMessage>> PeekQueueAsync(string queue, int max, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (max == 0) return [];
        var result = await _connection.RunAsync(
            db => db.ScriptEvaluateAsync(PeekScript, [queue, QueueKeys.Bodies(queue)], [max]), cancellationToken);
        var flat = (RedisResult[])result!;
        var messages = new List<QueuedMessage>(flat.Length / 3);
        for (var i = 0; i < flat.Length; i += 3)
        {
            if (flat[i + 2].IsNull) continue;
            messages.Add(new QueuedMessage((string)flat[i]!,
                (byte[])flat[i + 2]!, long.Parse((string)flat[i + 1]!, CultureInfo.InvariantCulture)));
        }
        return messages;
    }

    public async Task RemoveFromQueueAsync(string queue, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) return;
        var values = ids.Select(id => (RedisValue)id).ToArray();
        await _connection.RunAsync(
            db => db.ScriptEvaluateAsync(RemoveScript, [queue, QueueKeys.Bodies(queue)], values), cancellationToken);
    }

    public Task<long> CountQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        return _connection.RunAsync(db => db.SortedSetLengthAsync(queue), cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _connection.RunAsync(db => db.PingAsync(), cancellationToken);
            return true;
        }
        catch (StateStoreUnavailableException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    public void Dispose() => _connection.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static StateEntry? ToEntry(string key, RedisValue version, RedisValue data) =>
        version.IsNull ? null : new StateEntry(key, data.IsNull ? Array.Empty<byte>() : (byte[])data!, (long)version);

    private static class QueueKeys
    {
        public static string Bodies(string queue) => queue + ":body";
        public static string Sequence(string queue) => queue + ":seq";
    }

    /// <summary>The KEYS and ARGV of the commit script: checks first, then the operations in order.</summary>
    private sealed class CommitArguments
    {
        private readonly Dictionary<string, int> _keyIndexes = new(StringComparer.Ordinal);
        private readonly List<RedisKey> _keys = [];
        private readonly List<RedisValue> _checks = [];
        private readonly List<RedisValue> _operations = [];
        private readonly List<(string Key, long Expected)> _checkList = [];

        public RedisKey[] Keys { get; private set; } = [];

        public RedisValue[] Arguments { get; private set; } = [];

        /// <summary>The key and expected version of the n-th check (1-based, as the script reports it).</summary>
        public (string Key, long Expected) CheckAt(int ordinal) => _checkList[ordinal - 1];

        public static CommitArguments Build(StateTransaction transaction)
        {
            var args = new CommitArguments();
            var checkCount = 0;
            var operationCount = 0;
            foreach (var operation in transaction.Operations)
            {
                switch (operation)
                {
                    case StateOperation.Put put:
                        checkCount += args.Check(put.Key, put.ExpectedVersion);
                        var ttl = put.TimeToLive is { } t ? (long)Math.Ceiling(t.TotalMilliseconds) : 0;
                        args.Add("P", args.Key(put.Key), put.Value.ToArray(), ttl);
                        break;
                    case StateOperation.Delete delete:
                        checkCount += args.Check(delete.Key, delete.ExpectedVersion);
                        args.Add("D", args.Key(delete.Key));
                        break;
                    case StateOperation.Require require:
                        checkCount += args.Check(require.Key, require.ExpectedVersion);
                        operationCount--;
                        break;
                    case StateOperation.IndexAdd add:
                        args.Add("IA", args.Key(add.Index), add.Member);
                        break;
                    case StateOperation.IndexRemove remove:
                        args.Add("ZR", args.Key(remove.Index), remove.Member);
                        break;
                    case StateOperation.ScoreSet set:
                        args.Add("SS", args.Key(set.Ranking), set.Member, FormatNegatedScore(set.Score));
                        break;
                    case StateOperation.ScoreRemove unset:
                        args.Add("ZR", args.Key(unset.Ranking), unset.Member);
                        break;
                    case StateOperation.QueueAppend append:
                        args.Add("Q", args.Key(append.Queue), args.Key(QueueKeys.Bodies(append.Queue)),
                            args.Key(QueueKeys.Sequence(append.Queue)), append.Id, append.Body.ToArray());
                        break;
                    default:
                        throw new NotSupportedException($"unknown state operation {operation.GetType().Name}");
                }
                operationCount++;
            }
            args.Keys = [.. args._keys];
            args.Arguments = [checkCount, .. args._checks, operationCount, .. args._operations];
            return args;
        }

        private int Check(string key, long? expected)
        {
            if (expected is not { } version) return 0;
            _checks.Add(Key(key));
            _checks.Add(version);
            _checkList.Add((key, version));
            return 1;
        }

        private int Key(string key)
        {
            if (!_keyIndexes.TryGetValue(key, out var index))
            {
                _keys.Add(key);
                index = _keys.Count; // Lua arrays are 1-based
                _keyIndexes[key] = index;
            }
            return index;
        }

        private void Add(params RedisValue[] values) => _operations.AddRange(values);

        private static string FormatNegatedScore(double score) => score switch
        {
            double.PositiveInfinity => "-inf",
            double.NegativeInfinity => "+inf",
            _ => (0 - score).ToString("R", CultureInfo.InvariantCulture),
        };
    }
}
