using Grpc.Health.V1;
using Parks.Reliability.Tests.Support;
using Parks.Rpc;
using Parks.Testing;
using Parks.Units.V1;

namespace Parks.Reliability.Tests;

/// <summary>
/// Case 3: the District service on a real redis-server (append-only file, fsync always) while Redis is frozen (SIGSTOP)
/// and then killed and restarted. The service reports not-ready, fails writes with UNAVAILABLE (never another status),
/// becomes ready again by itself, and every write it acknowledged is still there.
/// </summary>
public sealed class RedisFaultTests
{
    private const string District = "xiaopingdao";

    [Fact]
    public async Task A_stalled_then_restarted_redis_fails_writes_as_unavailable_and_loses_no_acknowledged_write()
    {
        await using var redis = await RedisServer.StartNewAsync(new RedisServerOptions { AppendOnly = true, AppendFsync = "always" });
        await using var host = await DistrictHost.StartAsync(District, new Dictionary<string, string?>
        {
            ["Parks:State:Provider"] = "Redis",
            ["Parks:State:Redis"] = redis.ConnectionString,
            ["Parks:State:OperationTimeout"] = "00:00:01",
        });
        var ledger = new WriteLedger();
        await Eventually.WaitUntilAsync(async () => await host.ReadinessAsync() == HealthCheckResponse.Types.ServingStatus.Serving, "the district to be ready");

        // Before: writes succeed.
        for (var i = 0; i < 20; i++) await ledger.CreateAsync(host.Channel, District);
        Assert.Equal(20, ledger.Acknowledged.Count);

        // Stall: not ready, writes UNAVAILABLE.
        redis.Pause();
        try
        {
            await Eventually.WaitUntilAsync(async () => await host.ReadinessAsync() == HealthCheckResponse.Types.ServingStatus.NotServing, "readiness to turn NOT_SERVING while Redis is frozen");
            for (var i = 0; i < 5; i++)
            {
                var status = await ledger.CreateAsync(host.Channel, District);
                Assert.Equal(StatusCode.Unavailable, status);
            }
        }
        finally
        {
            redis.Resume();
        }
        await Eventually.WaitUntilAsync(async () => await host.ReadinessAsync() == HealthCheckResponse.Types.ServingStatus.Serving, "readiness to return after Redis resumes");
        await WriteUntilAcknowledgedAsync(ledger, host);

        // Crash and restart (SIGKILL: nothing flushed on the way out; the append-only file was fsynced at every write).
        for (var i = 0; i < 20; i++) await ledger.CreateAsync(host.Channel, District);
        await redis.KillAsync();
        await Eventually.WaitUntilAsync(async () => await host.ReadinessAsync() == HealthCheckResponse.Types.ServingStatus.NotServing, "readiness to turn NOT_SERVING while Redis is down");
        for (var i = 0; i < 5; i++) Assert.Equal(StatusCode.Unavailable, await ledger.CreateAsync(host.Channel, District));
        await redis.StartAsync();
        await Eventually.WaitUntilAsync(async () => await host.ReadinessAsync() == HealthCheckResponse.Types.ServingStatus.Serving, "readiness to return after Redis restarts");
        await WriteUntilAcknowledgedAsync(ledger, host);

        // Read back every acknowledged write.
        var client = new EnterpriseService.EnterpriseServiceClient(host.Channel);
        var missing = new List<string>();
        foreach (var uscc in ledger.Acknowledged)
        {
            try { await client.GetEnterpriseAsync(new GetEnterpriseRequest { Name = $"districts/{District}/enterprises/{uscc}" }, DistrictHost.UnitSystem(District)); }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { missing.Add(uscc); }
        }
        Figures.Record("redis stall+restart: writes acknowledged", ledger.Acknowledged.Count);
        Figures.Record("redis stall+restart: writes answered UNAVAILABLE", ledger.CountOf(StatusCode.Unavailable));
        Figures.Record("redis stall+restart: writes answered another non-OK status", ledger.Other.Count);
        Figures.Record("redis stall+restart: acknowledged writes missing after recovery", missing.Count);
        Assert.Empty(missing);
        Assert.True(ledger.Other.Count == 0, "statuses other than OK/UNAVAILABLE: " + string.Join(", ", ledger.Other));
        Assert.DoesNotContain(host.Errors.Entries, e => !e.Contains("StateStoreUnavailable", StringComparison.Ordinal));
    }

    /// <summary>The service recovers by itself: the first write after readiness returns may still race the reconnect, later ones succeed.</summary>
    private static async Task WriteUntilAcknowledgedAsync(WriteLedger ledger, DistrictHost host) =>
        await Eventually.WaitUntilAsync(async () => await ledger.CreateAsync(host.Channel, District) == StatusCode.OK, "a write to succeed again");
}

/// <summary>Writes (creates of fresh enterprises) and what each was answered.</summary>
internal sealed class WriteLedger
{
    private readonly Lock _gate = new();
    private readonly List<string> _acknowledged = [];
    private readonly Dictionary<StatusCode, int> _counts = [];
    private readonly List<string> _other = [];

    public IReadOnlyList<string> Acknowledged { get { lock (_gate) return [.. _acknowledged]; } }
    public IReadOnlyList<string> Other { get { lock (_gate) return [.. _other]; } }
    public int CountOf(StatusCode code) { lock (_gate) return _counts.GetValueOrDefault(code); }
    public int Total { get { lock (_gate) return _counts.Values.Sum(); } }

    public async Task<StatusCode> CreateAsync(RpcChannel channel, string district, CallOptions? options = null, string? parent = null)
    {
        var uscc = TestUscc.New();
        var status = StatusCode.OK;
        string detail = string.Empty;
        try
        {
            await new EnterpriseService.EnterpriseServiceClient(channel).CreateEnterpriseAsync(new CreateEnterpriseRequest
            {
                Parent = parent ?? $"districts/{district}",
                Enterprise = Requests.Enterprise(uscc),
                RequestId = Guid.NewGuid().ToString("N"),
            }, options ?? DistrictHost.UnitSystem(district)).ResponseAsync;
        }
        catch (RpcException e)
        {
            status = e.StatusCode;
            detail = e.Status.Detail;
        }
        lock (_gate)
        {
            _counts[status] = _counts.GetValueOrDefault(status) + 1;
            if (status == StatusCode.OK) _acknowledged.Add(uscc);
            else if (status != StatusCode.Unavailable) _other.Add($"{status} {detail}");
        }
        return status;
    }
}
