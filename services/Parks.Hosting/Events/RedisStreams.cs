using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Hosting.State;
using StackExchange.Redis;

namespace Parks.Hosting.Events;

/// <summary>
/// Redis Streams as the broker of the local run without Dapr, laid out as Dapr's pubsub.redis does it
/// (wire-contracts §A8): one stream per topic holding <c>data = CloudEvent JSON</c>, one consumer group per app id
/// created at ID 0. StackExchange.Redis 1.2.6 has no stream API, so every command runs inside a Lua script
/// (XREADGROUP without BLOCK: consumers poll, woken early by a PUBLISH on <c>{stream}:wake</c>).
/// </summary>
internal sealed class RedisStreams : IAsyncDisposable
{
    private const string PublishScript = """
        local woken = {}
        for i = 1, #KEYS do
          redis.call('XADD', KEYS[i], 'MAXLEN', '~', ARGV[1], '*', 'data', ARGV[i + 1])
          if not woken[KEYS[i]] then
            woken[KEYS[i]] = true
            redis.call('PUBLISH', KEYS[i] .. ':wake', '1')
          end
        end
        return #KEYS
        """;

    private const string ReadScript = """
        local function read()
          local args = {'XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS'}
          for i = 1, #KEYS do args[#args + 1] = KEYS[i] end
          for i = 1, #KEYS do args[#args + 1] = '>' end
          return redis.pcall(unpack(args))
        end
        local result = read()
        if type(result) == 'table' and result.err then
          if not string.find(result.err, 'NOGROUP', 1, true) then return redis.error_reply(result.err) end
          for i = 1, #KEYS do redis.pcall('XGROUP', 'CREATE', KEYS[i], ARGV[1], '0', 'MKSTREAM') end
          result = read()
          if type(result) == 'table' and result.err then return redis.error_reply(result.err) end
        end
        local out = {}
        if result then
          for _, stream in ipairs(result) do
            for _, entry in ipairs(stream[2]) do
              local data = false
              local fields = entry[2]
              if fields then
                for j = 1, #fields, 2 do
                  if fields[j] == 'data' then data = fields[j + 1] end
                end
              end
              out[#out + 1] = stream[1]
              out[#out + 1] = entry[1]
              out[#out + 1] = data
              out[#out + 1] = 1
            end
          end
        end
        return out
        """;

    private const string CreateGroupsScript = """
        for i = 1, #KEYS do redis.pcall('XGROUP', 'CREATE', KEYS[i], ARGV[1], '0', 'MKSTREAM') end
        return #KEYS
        """;

    private const string ReclaimScript = """
        local out = {}
        for i = 1, #KEYS do
          local pending = redis.pcall('XPENDING', KEYS[i], ARGV[1], 'IDLE', ARGV[3], '-', '+', ARGV[4])
          if type(pending) == 'table' and not pending.err then
            for _, p in ipairs(pending) do
              local claimed = redis.call('XCLAIM', KEYS[i], ARGV[1], ARGV[2], ARGV[3], p[1])
              local entry = claimed[1]
              if entry then
                local data = false
                local fields = entry[2]
                if fields then
                  for j = 1, #fields, 2 do
                    if fields[j] == 'data' then data = fields[j + 1] end
                  end
                end
                out[#out + 1] = KEYS[i]
                out[#out + 1] = entry[1]
                out[#out + 1] = data
                out[#out + 1] = p[4] + 1
              end
            end
          end
        end
        return out
        """;

    // KEYS[1] is the dead-letter stream; ARGV: group, max length, then (stream index, id, drop flag, data) per message.
    private const string SettleScript = """
        local dropped = false
        for a = 3, #ARGV, 4 do
          local stream = KEYS[tonumber(ARGV[a])]
          if ARGV[a + 2] == '1' then
            redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'data', ARGV[a + 3])
            dropped = true
          end
          redis.call('XACK', stream, ARGV[1], ARGV[a + 1])
        end
        if dropped then redis.call('PUBLISH', KEYS[1] .. ':wake', '1') end
        return 1
        """;

    private readonly RedisConnection _connection;
    private readonly EventsOptions _options;

    public RedisStreams(IOptions<EventsOptions> options, ILogger<RedisStreams> logger)
    {
        _options = options.Value;
        _connection = new RedisConnection(_options.Redis.ConnectionString!, _options.Redis.OperationTimeout,
            $"parks-events-{_options.AppId}", logger);
    }

    public string StreamKey(string topic) => _options.Redis.StreamKeyPrefix + topic;

    public async Task PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        var keys = events.Select(e => (RedisKey)StreamKey(e.Topic)).ToArray();
        RedisValue[] args = [_options.Redis.MaxStreamLength, .. events.Select(e => (RedisValue)e.ToCloudEventJson())];
        await _connection.RunAsync(db => db.ScriptEvaluateAsync(PublishScript, keys, args), cancellationToken);
    }

    public Task CreateGroupsAsync(IReadOnlyList<string> streams, CancellationToken cancellationToken) =>
        _connection.RunAsync(db => db.ScriptEvaluateAsync(CreateGroupsScript, Keys(streams), [_options.AppId]), cancellationToken);

    public async Task<IReadOnlyList<StreamMessage>> ReadAsync(IReadOnlyList<string> streams, string consumer, int count,
        CancellationToken cancellationToken) =>
        Messages(await _connection.RunAsync(
            db => db.ScriptEvaluateAsync(ReadScript, Keys(streams), [_options.AppId, consumer, count]), cancellationToken));

    /// <summary>Claims messages pending longer than <paramref name="minIdle"/> (their consumer died or answered RETRY).</summary>
    public async Task<IReadOnlyList<StreamMessage>> ReclaimAsync(IReadOnlyList<string> streams, string consumer, TimeSpan minIdle,
        int count, CancellationToken cancellationToken) =>
        Messages(await _connection.RunAsync(db => db.ScriptEvaluateAsync(ReclaimScript, Keys(streams),
            [_options.AppId, consumer, (long)minIdle.TotalMilliseconds, count]), cancellationToken));

    /// <summary>Acknowledges messages; dropped ones are first appended to the dead-letter stream (atomically).</summary>
    public Task SettleAsync(string deadLetterStream, IReadOnlyList<(StreamMessage Message, bool Drop)> outcomes, CancellationToken cancellationToken)
    {
        var keys = new List<RedisKey> { deadLetterStream };
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        var args = new List<RedisValue> { _options.AppId, _options.Redis.MaxStreamLength };
        foreach (var (message, drop) in outcomes)
        {
            if (!indexes.TryGetValue(message.Stream, out var index))
            {
                keys.Add(message.Stream);
                indexes[message.Stream] = index = keys.Count;
            }
            args.Add(index);
            args.Add(message.Id);
            args.Add(drop ? "1" : "0");
            args.Add(drop && message.Data is { } data ? data : RedisValue.EmptyString);
        }
        return _connection.RunAsync(db => db.ScriptEvaluateAsync(SettleScript, [.. keys], [.. args]), cancellationToken);
    }

    /// <summary>Calls <paramref name="onPublish"/> when something is published to one of the streams.</summary>
    public async Task SubscribeWakeAsync(IEnumerable<string> streams, Action onPublish, CancellationToken cancellationToken)
    {
        var multiplexer = await _connection.GetMultiplexerAsync(cancellationToken);
        var subscriber = multiplexer.GetSubscriber();
        foreach (var stream in streams)
        {
            await subscriber.SubscribeAsync(new RedisChannel(stream + ":wake", RedisChannel.PatternMode.Literal), (_, _) => onPublish())
                .WaitAsync(_options.Redis.OperationTimeout, cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static RedisKey[] Keys(IReadOnlyList<string> streams) => [.. streams.Select(s => (RedisKey)s)];

    private static List<StreamMessage> Messages(RedisResult result)
    {
        var flat = (RedisResult[])result!;
        var messages = new List<StreamMessage>(flat.Length / 4);
        for (var i = 0; i < flat.Length; i += 4)
        {
            messages.Add(new StreamMessage((string)flat[i]!, (string)flat[i + 1]!,
                flat[i + 2].IsNull ? null : (byte[])flat[i + 2]!, (int)(long)flat[i + 3]));
        }
        return messages;
    }
}

/// <summary>One stream entry; <see cref="Data"/> is null when the entry was trimmed while it was pending.</summary>
internal sealed record StreamMessage(string Stream, string Id, byte[]? Data, int Deliveries);

internal sealed class RedisStreamsTransport(RedisStreams streams) : IEventTransport
{
    public async Task<IReadOnlyCollection<string>> PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0) return [];
        using var activities = PublishActivities.Start(events);
        await streams.PublishAsync(activities.Envelopes, cancellationToken);
        return [.. events.Select(e => e.Id)];
    }
}
