using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Gateway.Domain;
using Parks.Gateway.Proxy;
using Parks.Gateway.V1;
using Parks.Gateway.ReferenceData;
using Parks.Hosting;
using Parks.Hosting.Security;
using Parks.Rpc;

namespace Parks.Gateway.Overview;

/// <summary>A change of a source's state the dashboard's live feed reports.</summary>
internal sealed record SourceStateChange(string Backend, bool Degraded, string? Error, DateTimeOffset Time);

/// <summary>
/// Composes the city overview from every source in parallel. Each source's figures are kept with the time they were
/// fetched; a call waits for a source only when its figures are too old, and then no longer than the unit deadline
/// (and its own remaining deadline). A source that fails or does not answer in time leaves its last good figures
/// marked DEGRADED with their time, or none (UNAVAILABLE); it is never shown current and never zero.
/// </summary>
internal sealed class CityOverviewComposer
{
    private readonly IReadOnlyList<IOverviewSource> _sources;
    private readonly ConcurrentDictionary<string, SourceState> _states = new(StringComparer.Ordinal);
    private readonly BackendRegistry _backends;
    private readonly ZoneServiceImpl _zone;
    private readonly TimeProvider _time;
    private readonly ILogger<CityOverviewComposer> _logger;
    private readonly OverviewOptions _options;
    private readonly FreshnessPolicy _policy;
    private readonly Metadata.Entry[] _identity;

    public CityOverviewComposer(IEnumerable<IOverviewSource> sources, BackendRegistry backends, ZoneServiceImpl zone, CallerSigner signer, IOptions<ServiceIdentityOptions> identity, IOptions<GatewayOptions> options, TimeProvider time, ILogger<CityOverviewComposer> logger)
    {
        _sources = sources.ToArray();
        _backends = backends;
        _zone = zone;
        _time = time;
        _logger = logger;
        _options = options.Value.Overview;
        _policy = new FreshnessPolicy(
            TimeSpan.FromMilliseconds(_options.FreshMilliseconds),
            TimeSpan.FromMilliseconds(_options.ServeWhileRefreshingMilliseconds),
            TimeSpan.FromMilliseconds(_options.RetryFailedAfterMilliseconds));
        // The overview reads for every caller alike, so it calls backends as the gateway service itself.
        var headers = new Metadata();
        Caller.Service(identity.Value.EffectiveAppId).WriteTo(headers, signer);
        _identity = headers.ToArray();
        foreach (var source in _sources) _states[source.Backend] = new SourceState();
    }

    /// <summary>Raised when a source starts failing or answers again.</summary>
    public event Action<SourceStateChange>? StateChanged;

    public IReadOnlyList<IOverviewSource> Sources => _sources;

    /// <summary>Marks a source's figures as out of date (an event changed them), so the next call refreshes them.</summary>
    public void Invalidate(string backend)
    {
        if (_states.TryGetValue(backend, out var state)) state.Invalidated = true;
    }

    public async Task<CityOverview> ComposeAsync(DateTime callerDeadline, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var unitDeadline = now + TimeSpan.FromMilliseconds(_options.UnitTimeoutMilliseconds);
        var waitUntil = callerDeadline == DateTime.MaxValue ? unitDeadline : new DateTimeOffset(DateTime.SpecifyKind(callerDeadline, DateTimeKind.Utc)) is var d && d < unitDeadline ? d : unitDeadline;
        var parts = await Task.WhenAll(_sources.Select(s => GetAsync(s, now, waitUntil, cancellationToken)));
        var overview = Compose(parts, _zone.Scorecard, _time.GetUtcNow());
        overview.IncludesDemoData = _options.IncludeDemoData;
        return overview;
    }

    private async Task<SourceView> GetAsync(IOverviewSource source, DateTimeOffset now, DateTimeOffset waitUntil, CancellationToken cancellationToken)
    {
        var state = _states[source.Backend];
        var action = OverviewFreshness.Decide(now, state.Times, _policy);
        if (action == SourceAction.Serve) return state.View(source, timedOut: false);
        var refresh = state.StartRefresh(() => RefreshAsync(source, state));
        if (action == SourceAction.ServeAndRefresh) return state.View(source, timedOut: false);

        var remaining = waitUntil - _time.GetUtcNow();
        if (remaining > TimeSpan.Zero && !refresh.IsCompleted)
        {
            try
            {
                await refresh.WaitAsync(remaining, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Not in time for this call: it gets what there is, marked as not answering.
            }
        }
        return state.View(source, timedOut: !refresh.IsCompleted);
    }

    private async Task RefreshAsync(IOverviewSource source, SourceState state)
    {
        var started = _time.GetUtcNow();
        state.Invalidated = false;
        var backend = _backends.Find(source.Backend);
        try
        {
            if (backend is null) throw new RpcException(new Status(StatusCode.Unavailable, $"no address configured for {source.Backend}"));
            var headers = new Metadata();
            foreach (var entry in _identity) headers.Add(entry);
            var options = new CallOptions(headers, (started + TimeSpan.FromMilliseconds(_options.UnitTimeoutMilliseconds)).UtcDateTime);
            var part = await source.FetchAsync(backend, options);
            if (state.Succeeded(part, started))
            {
                GatewayLog.UnitRecovered(_logger, source.Backend);
                StateChanged?.Invoke(new SourceStateChange(source.Backend, false, null, started));
            }
        }
        catch (Exception ex)
        {
            // Whatever went wrong (a failed call, an answer the source cannot read), the unit did not give figures.
            // The detail (addresses, exception text) goes to the log; dashboard readers see the status only.
            GatewayLog.UnitFetchFailed(_logger, source.Backend, ex is RpcException r ? $"{r.StatusCode}: {r.Status.Detail}" : ex.Message);
            var code = ex switch
            {
                RpcException rpc => rpc.StatusCode,
                OperationCanceledException or HttpRequestException => StatusCode.Unavailable,
                _ => StatusCode.Internal,
            };
            var error = code == StatusCode.DeadlineExceeded
                ? $"DEADLINE_EXCEEDED: {source.Backend} did not answer within {_options.UnitTimeoutMilliseconds} ms"
                : $"{Pipeline.CallAdmission.StatusName(code)}: {source.Backend} did not answer";
            if (state.Failed(error, _time.GetUtcNow())) StateChanged?.Invoke(new SourceStateChange(source.Backend, true, error, _time.GetUtcNow()));
        }
    }

    /// <summary>Builds the overview from each source's view: sections in the zone's order, totals, warnings.</summary>
    internal static CityOverview Compose(IReadOnlyList<SourceView> views, IReadOnlyList<Parks.Reference.V1.ZoneKpi> kpis, DateTimeOffset now)
    {
        var overview = new CityOverview { ComposeTime = Timestamp.FromDateTimeOffset(now) };
        overview.Kpis.AddRange(kpis);
        foreach (var view in views)
        {
            switch (view.Part)
            {
                case UnitsPart units:
                    overview.Units.AddRange(units.Units.Select(u => WithStatus(u, view.Status)));
                    break;
                case TalentPart talent:
                    overview.Talent = talent.Section.Clone();
                    overview.Talent.Status = view.Status.Clone();
                    break;
                case FinancePart finance:
                    overview.Finance = finance.Section.Clone();
                    overview.Finance.Status = view.Status.Clone();
                    break;
                case null when view.Placeholders.Count > 0:
                    overview.Units.AddRange(view.Placeholders.Select(u => WithStatus(u, view.Status)));
                    break;
                case null when view.Backend == "talent":
                    overview.Talent = new TalentSection { Status = view.Status.Clone() };
                    break;
                case null when view.Backend == "finance":
                    overview.Finance = new FinanceSection { Status = view.Status.Clone() };
                    break;
            }
        }
        var ordered = overview.Units.OrderBy(u => u.Kind).ToArray();
        overview.Units.Clear();
        overview.Units.AddRange(ordered);
        overview.Totals = Totals(overview.Units);
        overview.Warnings.AddRange(Warnings(overview, kpis));
        return overview;
    }

    private static UnitSection WithStatus(UnitSection section, SectionStatus status)
    {
        var copy = section.Clone();
        copy.Status = status.Clone();
        return copy;
    }

    private static ZoneTotals Totals(IEnumerable<UnitSection> units)
    {
        var sections = units.ToArray();
        var reporting = sections.Where(u => u.Status.Freshness == Freshness.Current).ToArray();
        var totals = new ZoneTotals
        {
            UnitsTotal = sections.Length,
            UnitsReporting = reporting.Length,
            Complete = reporting.Length == sections.Length,
        };
        // Sums cover current figures only: a degraded unit's last good figures are shown with their own time, not
        // mixed into a total presented as now.
        var counted = reporting.Where(u => u.HasEnterpriseCount).ToArray();
        if (counted.Length > 0) totals.EnterpriseCount = counted.Sum(u => u.EnterpriseCount);
        totals.Tiers.AddRange(reporting.SelectMany(u => u.Tiers).GroupBy(t => t.Tier).OrderBy(g => g.Key)
            .Select(g => new TierCount { Tier = g.Key, Count = g.Sum(t => t.Count) }));
        foreach (var stage in reporting.SelectMany(u => u.Pipeline).GroupBy(s => s.Stage))
        {
            var total = new StageCount { Stage = stage.Key, Count = stage.Sum(s => s.Count) };
            // An amount only when every unit gave one: a partial sum would pass for the whole.
            if (stage.All(s => s.HasAmountFen)) total.AmountFen = stage.Sum(s => s.AmountFen);
            totals.Pipeline.Add(total);
        }
        return totals;
    }

    private static IEnumerable<Warning> Warnings(CityOverview overview, IReadOnlyList<Parks.Reference.V1.ZoneKpi> kpis)
    {
        foreach (var unit in overview.Units)
        {
            if (unit.Status.Freshness == Freshness.Degraded)
                yield return new Warning { Kind = WarningKind.Degraded, Subject = unit.Unit, MessageZh = $"{unit.DisplayNameZh}数据未及时更新,显示的是截至 {AsOf(unit.Status)} 的数据", MessageEn = $"{unit.DisplayNameEn} did not answer; figures as of {AsOf(unit.Status)}" };
            else if (unit.Status.Freshness == Freshness.Unavailable)
                yield return new Warning { Kind = WarningKind.Unavailable, Subject = unit.Unit, MessageZh = $"{unit.DisplayNameZh}暂无数据", MessageEn = $"{unit.DisplayNameEn}: no figures available" };
            foreach (var indicator in unit.Indicators.Where(i => i.BehindTarget))
                yield return new Warning { Kind = WarningKind.BehindTarget, Subject = indicator.Indicator, MessageZh = $"{unit.DisplayNameZh}:{indicator.NameZh}落后于目标", MessageEn = $"{unit.DisplayNameEn}: {indicator.NameEn} is behind target" };
        }
        foreach (var (section, subject, zh, en) in new[] { (overview.Talent?.Status, "talent", "人才服务", "Talent service"), (overview.Finance?.Status, "finance", "金融服务", "Finance service") })
        {
            if (section is null) continue;
            if (section.Freshness == Freshness.Degraded)
                yield return new Warning { Kind = WarningKind.Degraded, Subject = subject, MessageZh = $"{zh}数据未及时更新,显示的是截至 {AsOf(section)} 的数据", MessageEn = $"{en} did not answer; figures as of {AsOf(section)}" };
            else if (section.Freshness == Freshness.Unavailable)
                yield return new Warning { Kind = WarningKind.Unavailable, Subject = subject, MessageZh = $"{zh}暂无数据", MessageEn = $"{en}: no figures available" };
        }
        if (overview.Talent is { HasOverdueServiceRequests: true, OverdueServiceRequests: > 0 } talent)
            yield return new Warning { Kind = WarningKind.OverdueRequests, Subject = "talent", MessageZh = $"{talent.OverdueServiceRequests} 项人才服务申请已超期", MessageEn = $"{talent.OverdueServiceRequests} talent service requests are overdue" };
        foreach (var kpi in kpis.Where(k => k.Target is not null && !k.OnTrack))
            yield return new Warning { Kind = WarningKind.BehindTarget, Subject = kpi.Indicator, MessageZh = $"全区{kpi.NameZh}低于达成{kpi.Target.Year}年目标所需进度", MessageEn = $"Zone: {kpi.NameEn} is behind the pace to its {kpi.Target.Year} target" };
    }

    private static string AsOf(SectionStatus status) =>
        status.AsOf is null ? "—" : status.AsOf.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What a call sees of one source: its latest good figures (if any) and their freshness.</summary>
    internal sealed record SourceView(string Backend, OverviewPart? Part, SectionStatus Status, IReadOnlyList<UnitSection> Placeholders);

    /// <summary>One source's figures and bookkeeping (thread-safe).</summary>
    private sealed class SourceState
    {
        private readonly object _lock = new();
        private OverviewPart? _part;
        private DateTimeOffset? _good;
        private DateTimeOffset? _failure;
        private DateTimeOffset? _attempt;
        private string? _error;
        private Task? _refresh;

        public volatile bool Invalidated;

        public SourceTimes Times
        {
            get
            {
                lock (_lock) return new SourceTimes(_good, _failure, _error is not null, _refresh is { IsCompleted: false }, Invalidated);
            }
        }

        /// <summary>Starts a refresh unless one is running; returns the running one.</summary>
        public Task StartRefresh(Func<Task> refresh)
        {
            lock (_lock)
            {
                if (_refresh is { IsCompleted: false } running) return running;
                _refresh = Task.Run(refresh);
                return _refresh;
            }
        }

        /// <summary>Records good figures; true when the source was failing before.</summary>
        public bool Succeeded(OverviewPart part, DateTimeOffset fetchedAt)
        {
            lock (_lock)
            {
                var wasFailing = _error is not null;
                _part = part;
                _good = fetchedAt;
                _attempt = fetchedAt;
                _error = null;
                return wasFailing;
            }
        }

        /// <summary>Records a failure; true when the source was not failing before.</summary>
        public bool Failed(string error, DateTimeOffset at)
        {
            lock (_lock)
            {
                var wasFailing = _error is not null;
                _error = error;
                _failure = at;
                _attempt = at;
                return !wasFailing;
            }
        }

        public SourceView View(IOverviewSource source, bool timedOut)
        {
            lock (_lock)
            {
                var status = new SectionStatus();
                if (_attempt is { } attempt) status.LastAttemptTime = Timestamp.FromDateTimeOffset(attempt);
                if (_good is { } good) status.AsOf = Timestamp.FromDateTimeOffset(good);
                if (_part is null) status.Freshness = Freshness.Unavailable;
                else if (_error is not null || timedOut) status.Freshness = Freshness.Degraded;
                else status.Freshness = Freshness.Current;
                status.Error = _error ?? (timedOut ? "DEADLINE_EXCEEDED: no answer within the unit deadline" : string.Empty);
                return new SourceView(source.Backend, _part, status, source.Placeholders);
            }
        }
    }
}
