using System.Collections.Concurrent;
using System.Diagnostics;
using Parks.Gateway.V1;
using Parks.Reliability.Tests.Support;
using Parks.Rpc;
using Parks.Testing;

namespace Parks.Reliability.Tests;

/// <summary>
/// Cases 1 and 2 with districts as real processes behind the gateway, under a small write load (a few hundred calls;
/// tools/reliability runs the heavy variants): a district killed with SIGKILL and restarted, then each district stopped
/// with SIGTERM and restarted in turn. Counted: acknowledged writes (all must be readable afterwards), failed calls per
/// district and status, events in the stream per acknowledged write, and the talent service's effects.
/// </summary>
public sealed class ProcessFaultTests : IAsyncLifetime
{
    private ProcessZone _zone = null!;

    public async Task InitializeAsync() => _zone = await ProcessZone.StartAsync();

    public async Task DisposeAsync() => await _zone.DisposeAsync();

    [Fact]
    public async Task A_killed_district_fails_fast_others_keep_serving_and_nothing_acknowledged_is_lost_then_rolling_restarts_fail_no_in_flight_call()
    {
        var load = new GatewayLoad(_zone);
        using var stop = new CancellationTokenSource();
        var workers = load.Run(concurrency: 4, stop.Token);
        try
        {
            await load.WaitForAcksAsync("lingshui", 40);
            await load.WaitForAcksAsync("qixianling", 40);

            // Case 1: SIGKILL lingshui under load.
            var killedAt = load.Mark();
            await _zone.Process("lingshui").KillAsync();
            await load.WaitForFailuresAsync("lingshui", 20);
            await Eventually.WaitUntilAsync(async () => await FreshnessOfAsync("districts/lingshui") is Freshness.Degraded or Freshness.Unavailable, "the overview to mark lingshui degraded");
            var qixianlingDuringOutage = load.Acks("qixianling");
            await load.WaitForAcksAsync("qixianling", qixianlingDuringOutage + 30);
            var failuresWhileDown = load.FailuresSince(killedAt, "lingshui");
            await _zone.StartDistrictAsync("lingshui");
            var restartedAt = load.Mark();
            load.MarkOutage("lingshui", killedAt, restartedAt);
            await load.WaitForAcksAsync("lingshui", load.Acks("lingshui") + 30);
            await Eventually.WaitUntilAsync(async () => await FreshnessOfAsync("districts/lingshui") == Freshness.Current, "the overview to show lingshui current again");
            Figures.Record("crash: lingshui calls failed while it was down (by status)", string.Join(", ", failuresWhileDown.GroupBy(f => f.Status).Select(g => $"{g.Key} {g.Count()}")));
            Figures.Record("crash: lingshui calls failed after its restart", load.FailuresSince(restartedAt, "lingshui").Count);
            Figures.Record("crash: slowest failed lingshui call while it was down (ms; deadline 5000)", failuresWhileDown.Max(f => f.ElapsedMs));

            // Case 2: a rolling restart, SIGTERM to each district in turn (it turns not-ready, keeps serving for its drain
            // delay, then finishes in-flight calls and exits), restarted on the same port.
            foreach (var district in ProcessZone.Districts)
            {
                var before = load.Acks(district);
                var terminatedAt = load.Mark();
                var inFlight = load.InFlight(district);
                var stopwatch = Stopwatch.StartNew();
                _zone.Process(district).Terminate();
                await _zone.Process(district).WaitForExitAsync(TimeSpan.FromSeconds(60));
                Figures.Record($"rolling restart: {district} SIGTERM to exit (ms)", stopwatch.ElapsedMilliseconds);
                var exitedAt = load.Mark();
                Figures.Record($"rolling restart: {district} calls in flight at SIGTERM", inFlight.Count);
                var failedInFlight = load.Failures(district).Where(f => inFlight.Contains(f.Id)).ToList();
                Figures.Record($"rolling restart: {district} in-flight calls that failed", failedInFlight.Count);
                var failedDuringDrain = load.FailuresBetween(terminatedAt, exitedAt, district);
                Figures.Record($"rolling restart: {district} calls started during the drain that failed", failedDuringDrain.Count);
                Assert.True(failedInFlight.Count == 0, $"{district}: calls in flight at SIGTERM failed: {string.Join("; ", failedInFlight)}");
                await _zone.StartDistrictAsync(district);
                load.MarkOutage(district, terminatedAt, load.Mark());
                await load.WaitForAcksAsync(district, Math.Max(before, load.Acks(district)) + 20);
            }

            // Talent, the consumer of the districts' events, stopped gracefully and started again: events published
            // meanwhile wait in the stream; its effects are counted with all the others below.
            var restart = Stopwatch.StartNew();
            await _zone.RestartTalentAsync();
            Figures.Record("rolling restart: talent stop and start again (ms)", restart.ElapsedMilliseconds);

            // The gateway, every call's front door: the calls in flight when it is stopped finish; calls made while it
            // is down fail UNAVAILABLE until it is back (counted, not asserted: hiding them needs a second replica).
            var gatewayStoppedAt = load.Mark();
            var inFlightAtGateway = load.InFlightAll();
            restart.Restart();
            await _zone.StopGatewayAsync();
            Figures.Record("rolling restart: gateway stop (ms)", restart.ElapsedMilliseconds);
            await Eventually.WaitUntilAsync(() => !load.InFlightAll().Overlaps(inFlightAtGateway), "the calls in flight at the gateway's stop to end");
            var failedAtGateway = load.AllFailures.Where(f => inFlightAtGateway.Contains(f.Id)).ToList();
            Figures.Record("rolling restart: gateway calls in flight at stop", inFlightAtGateway.Count);
            Figures.Record("rolling restart: gateway in-flight calls that failed", failedAtGateway.Count);
            Assert.True(failedAtGateway.Count == 0, $"gateway: calls in flight at its stop failed: {string.Join("; ", failedAtGateway)}");
            await _zone.StartGatewayAsync();
            var gatewayBackAt = load.Mark();
            foreach (var district in ProcessZone.Districts) load.MarkOutage(district, gatewayStoppedAt, gatewayBackAt);
            Figures.Record("rolling restart: calls that failed while the gateway was stopped", load.AllFailures.Count(f => f.Id > gatewayStoppedAt && f.Id <= gatewayBackAt));
            foreach (var district in ProcessZone.Districts) await load.WaitForAcksAsync(district, load.Acks(district) + 20);
        }
        finally
        {
            stop.Cancel();
            await workers;
        }

        // Nothing acknowledged is lost; every acknowledged create's event is in the stream once (by id) and applied by
        // talent exactly once.
        var missing = new List<string>();
        foreach (var (district, uscc) in load.Acknowledged)
        {
            if (!await load.ExistsAsync(district, uscc)) missing.Add($"{district}/{uscc}");
        }
        Dictionary<string, (HashSet<string> Ids, int Entries)> events = [];
        await Eventually.WaitUntilAsync(async () =>
        {
            events = await _zone.RegisteredEventsAsync();
            return load.Acknowledged.All(a => events.ContainsKey(a.Uscc));
        }, "every acknowledged create's event to be published (the outbox drains after restarts)", TimeSpan.FromSeconds(60));
        var eventsWithTwoIds = load.Acknowledged.Count(a => events[a.Uscc].Ids.Count != 1);
        var republished = load.Acknowledged.Sum(a => events[a.Uscc].Entries - 1);
        var distinctIds = load.Acknowledged.Sum(a => events[a.Uscc].Ids.Count);
        // A write can commit while its caller sees a failure (the process killed before the reply, a deadline): its
        // event is published and applied like any other, so talent's effects are counted against every event.
        // Both sides are re-read until they settle: an outbox entry of an unacknowledged write may still be on its way.
        var allDistinctIds = 0;
        var markers = 0;
        try
        {
            await Eventually.WaitUntilAsync(async () =>
            {
                events = await _zone.RegisteredEventsAsync();
                allDistinctIds = events.Values.Sum(e => e.Ids.Count);
                markers = await _zone.TalentInboxMarkersAsync();
                return markers == allDistinctIds;
            }, "talent to apply every event exactly once", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            // Reported by the assertion below with both counts.
        }

        Figures.Record("process faults: write calls made", load.Total);
        Figures.Record("process faults: writes acknowledged", load.Acknowledged.Count);
        Figures.Record("process faults: acknowledged writes missing on read-back", missing.Count);
        Figures.Record("process faults: qixianling calls failed outside its own restart", load.FailuresOutside("qixianling", load.OwnOutages("qixianling")).Count);
        Figures.Record("process faults: events for acknowledged writes with more than one id", eventsWithTwoIds);
        Figures.Record("process faults: extra stream entries (re-published duplicates, same id)", republished);
        Figures.Record("process faults: events of writes committed but not acknowledged to the caller", allDistinctIds - distinctIds);
        Figures.Record("process faults: talent effects (inbox markers) vs distinct events", $"{markers} / {allDistinctIds}");
        Assert.Empty(missing);
        Assert.Equal(0, eventsWithTwoIds);
        Assert.Equal(allDistinctIds, markers);
        // The other district served without a single failure while lingshui was down.
        Assert.Empty(load.FailuresOutside("qixianling", load.OwnOutages("qixianling")));
        var unexpected = load.AllFailures.Where(f => f.Status is not (StatusCode.Unavailable or StatusCode.DeadlineExceeded)).ToList();
        Assert.True(unexpected.Count == 0, "failures other than UNAVAILABLE/DEADLINE_EXCEEDED: " + string.Join("; ", unexpected.Take(10)));
    }

    private async Task<Freshness?> FreshnessOfAsync(string unit)
    {
        var overview = await new CityOverviewService.CityOverviewServiceClient(_zone.GatewayChannel)
            .GetCityOverviewAsync(new GetCityOverviewRequest(), _zone.As("dashboard", TimeSpan.FromSeconds(10)));
        return overview.Overview.Units.FirstOrDefault(u => u.Unit == unit)?.Status.Freshness;
    }
}

/// <summary>
/// Writers through the gateway (CreateEnterprise with a request id, alternating districts, each call with a 5 s
/// deadline); every call is logged with its start sequence, district and outcome.
/// </summary>
internal sealed class GatewayLoad(ProcessZone zone)
{
    private readonly ConcurrentQueue<(string District, string Uscc)> _acknowledged = new();
    private readonly ConcurrentQueue<Failure> _failures = new();
    private readonly ConcurrentDictionary<long, string> _inFlight = new();
    private readonly ConcurrentDictionary<string, int> _acks = new();
    private readonly ConcurrentDictionary<string, List<(long From, long To)>> _outages = new();
    private long _sequence;
    private int _total;

    public sealed record Failure(long Id, string District, StatusCode Status, string Detail, long ElapsedMs);

    public IReadOnlyCollection<(string District, string Uscc)> Acknowledged => _acknowledged;
    public IReadOnlyCollection<Failure> AllFailures => _failures;
    public int Total => _total;
    public int Acks(string district) => _acks.GetValueOrDefault(district);
    public long Mark() => Interlocked.Read(ref _sequence);
    public HashSet<long> InFlight(string district) => [.. _inFlight.Where(c => c.Value == district).Select(c => c.Key)];
    public HashSet<long> InFlightAll() => [.. _inFlight.Keys];
    public List<Failure> Failures(string district) => [.. _failures.Where(f => f.District == district)];
    public List<Failure> FailuresSince(long mark, string district) => [.. _failures.Where(f => f.District == district && f.Id > mark)];
    public List<Failure> FailuresBetween(long from, long to, string district) => [.. _failures.Where(f => f.District == district && f.Id > from && f.Id <= to)];

    /// <summary>Windows in which the district itself was stopped (none for qixianling during lingshui's crash).</summary>
    public List<(long From, long To)> OwnOutages(string district) => _outages.GetValueOrDefault(district) ?? [];
    public List<Failure> FailuresOutside(string district, List<(long From, long To)> windows) =>
        [.. Failures(district).Where(f => !windows.Any(w => f.Id > w.From && f.Id <= w.To))];

    public Task Run(int concurrency, CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => Task.Run(async () =>
    {
        var n = i;
        while (!stop.IsCancellationRequested)
        {
            await WriteAsync(ProcessZone.Districts[n++ % ProcessZone.Districts.Length]);
        }
    })));

    private async Task WriteAsync(string district)
    {
        var id = Interlocked.Increment(ref _sequence);
        var uscc = TestUscc.New();
        var started = Stopwatch.GetTimestamp();
        _inFlight[id] = district;
        Interlocked.Increment(ref _total);
        try
        {
            await new Parks.Units.V1.EnterpriseService.EnterpriseServiceClient(zone.GatewayChannel).CreateEnterpriseAsync(new Parks.Units.V1.CreateEnterpriseRequest
            {
                Parent = $"districts/{district}",
                Enterprise = Requests.Enterprise(uscc),
                RequestId = Guid.NewGuid().ToString("N"),
            }, zone.As("district-" + district, TimeSpan.FromSeconds(5))).ResponseAsync;
            _acknowledged.Enqueue((district, uscc));
            _acks.AddOrUpdate(district, 1, (_, v) => v + 1);
        }
        catch (RpcException e)
        {
            _failures.Enqueue(new Failure(id, district, e.StatusCode, e.Status.Detail, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            // Failing calls come back at once; do not spin.
            await Task.Delay(20);
        }
        finally
        {
            _inFlight.TryRemove(id, out _);
        }
    }

    public async Task WaitForAcksAsync(string district, int count) =>
        await Eventually.WaitUntilAsync(() => Acks(district) >= count, $"{count} acknowledged writes to {district}", TimeSpan.FromSeconds(90));

    public async Task WaitForFailuresAsync(string district, int count) =>
        await Eventually.WaitUntilAsync(() => Failures(district).Count >= count, $"{count} failed writes to {district}", TimeSpan.FromSeconds(60));

    public void MarkOutage(string district, long from, long to) => _outages.GetOrAdd(district, _ => []).Add((from, to));

    public async Task<bool> ExistsAsync(string district, string uscc)
    {
        try
        {
            await new Parks.Units.V1.EnterpriseService.EnterpriseServiceClient(zone.GatewayChannel)
                .GetEnterpriseAsync(new Parks.Units.V1.GetEnterpriseRequest { Name = $"districts/{district}/enterprises/{uscc}" }, zone.As("operator", TimeSpan.FromSeconds(10)));
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }
}
