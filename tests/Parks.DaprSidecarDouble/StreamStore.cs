using StackExchange.Redis;

namespace Parks.DaprSidecarDouble;

/// <summary>
/// pubsub.redis's Redis Streams layout (wire-contracts §A8): XADD topic * data &lt;bytes&gt;, a consumer group per
/// app id created at 0 with MKSTREAM, XREADGROUP, XACK, XPENDING/XCLAIM. StackExchange.Redis 1.2.6 has no stream
/// commands, so each is a small Lua script. A PUBLISH on <c>{stream}:wake</c> stands in for XREADGROUP BLOCK.
/// </summary>
internal sealed class StreamStore(ConnectionMultiplexer redis, string keyPrefix)
{
    private const string AddScript = """
        redis.call('XADD', KEYS[1], '*', 'data', ARGV[1])
        redis.call('PUBLISH', KEYS[1] .. ':wake', '1')
        return 1
        """;

    private const string GroupScript = """
        local ok = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
        if type(ok) == 'table' and ok.err and not string.find(ok.err, 'BUSYGROUP', 1, true) then
          return redis.error_reply(ok.err)
        end
        return 1
        """;

    private const string ReadScript = """
        local r = redis.pcall('XREADGROUP', 'GROUP', ARGV[1], ARGV[1], 'COUNT', ARGV[2], 'STREAMS', KEYS[1], '>')
        if type(r) == 'table' and r.err then
          if string.find(r.err, 'NOGROUP', 1, true) then
            redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
            return {}
          end
          return redis.error_reply(r.err)
        end
        if not r then return {} end
        return r[1][2]
        """;

    private const string AckScript = "return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])";

    private const string ClaimScript = """
        local pending = redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', ARGV[2], '-', '+', ARGV[3])
        local ids = {}
        for _, p in ipairs(pending) do ids[#ids + 1] = p[1] end
        if #ids == 0 then return {} end
        return redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[1], ARGV[2], unpack(ids))
        """;

    private IDatabase Db => redis.GetDatabase();

    public string StreamKey(string topic) => keyPrefix + topic;

    public Task AddAsync(string topic, byte[] data) => Db.ScriptEvaluateAsync(AddScript, [StreamKey(topic)], [data]);

    public Task CreateGroupAsync(string topic, string group) => Db.ScriptEvaluateAsync(GroupScript, [StreamKey(topic)], [group]);

    public async Task<IReadOnlyList<(string Id, byte[]? Data)>> ReadAsync(string topic, string group, int count) =>
        Entries(await Db.ScriptEvaluateAsync(ReadScript, [StreamKey(topic)], [group, count]));

    public Task AckAsync(string topic, string group, string id) => Db.ScriptEvaluateAsync(AckScript, [StreamKey(topic)], [group, id]);

    public async Task<IReadOnlyList<(string Id, byte[]? Data)>> ClaimIdleAsync(string topic, string group, TimeSpan minIdle, int count) =>
        Entries(await Db.ScriptEvaluateAsync(ClaimScript, [StreamKey(topic)], [group, (long)minIdle.TotalMilliseconds, count]));

    public async Task SubscribeWakeAsync(string topic, Action onMessage) =>
        await redis.GetSubscriber().SubscribeAsync(
            new RedisChannel(StreamKey(topic) + ":wake", RedisChannel.PatternMode.Literal), (_, _) => onMessage());

    public async Task UnsubscribeAllAsync() => await redis.GetSubscriber().UnsubscribeAllAsync();

    // Entries are [id, [field, value, ...]]; the field list is nil for an entry trimmed while pending.
    private static List<(string Id, byte[]? Data)> Entries(RedisResult result)
    {
        var entries = new List<(string, byte[]?)>();
        foreach (var entry in (RedisResult[])result!)
        {
            var parts = (RedisResult[])entry!;
            byte[]? data = null;
            if (!parts[1].IsNull)
            {
                var fields = (RedisResult[])parts[1]!;
                for (var i = 0; i + 1 < fields.Length; i += 2)
                {
                    if ((string)fields[i]! == "data") data = (byte[])fields[i + 1]!;
                }
            }
            entries.Add(((string)parts[0]!, data));
        }
        return entries;
    }
}
