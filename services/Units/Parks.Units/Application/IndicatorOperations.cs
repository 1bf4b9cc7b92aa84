using Parks.Domain;
using Parks.Hosting.State;
using Parks.Units.Domain;
using Parks.Units.Events;
using Parks.Units.Storage;

namespace Parks.Units.Application;

public sealed record ObservationQuery(string? Parent, int PageSize, string? PageToken, ObservationKind Kind, DataSetFilter DataSet);

/// <summary>Indicator observations (actuals) and targets of the units this process serves.</summary>
public sealed class IndicatorOperations
{
    private readonly UnitsContext _context;
    private readonly Records<Observation> _records;

    public IndicatorOperations(UnitsContext context)
    {
        _context = context;
        _records = new Records<Observation>(context.Store, IndexesOf);
    }

    public async Task<Page<IndicatorDefinition>> ListDefinitionsAsync(string? parent, int pageSize, string? pageToken, CancellationToken cancellationToken = default)
    {
        var unit = ResourceNames.ParseHostUnit(parent, "parent");
        await _context.Scope.RequireServedAsync(unit, cancellationToken);
        var fingerprint = $"definitions|{unit}";
        var (offset, size) = Paging.Offset(pageSize, pageToken, fingerprint);
        return Paging.Slice([.. _context.Indicators.For(unit)], offset, size, fingerprint);
    }

    /// <summary>Records (or revises) an actual.</summary>
    public Task<Stored<Observation>> ReportAsync(string? parent, ObservationDraft draft, string? etag, CancellationToken cancellationToken = default) =>
        RecordAsync(parent, draft with { Kind = ObservationKind.Actual }, etag, cancellationToken);

    /// <summary>Records (or revises) a target.</summary>
    public Task<Stored<Observation>> SetTargetAsync(string? parent, ObservationDraft draft, string? etag, CancellationToken cancellationToken = default) =>
        RecordAsync(parent, draft with { Kind = ObservationKind.Target }, etag, cancellationToken);

    public async Task<Stored<Observation>> GetAsync(string? name, CancellationToken cancellationToken = default)
    {
        var (unit, indicator, id) = ParseName(name);
        await _context.Scope.RequireServedAsync(unit, cancellationToken);
        return await _records.GetAsync(new UnitKeys(unit).Observation(indicator, id), cancellationToken)
            ?? throw new NotFoundException("Observation", name!);
    }

    public async Task<Page<Stored<Observation>>> ListAsync(ObservationQuery query, CancellationToken cancellationToken = default)
    {
        // parent: "{unit}" or "{unit}/indicators/{indicator}".
        var parts = (query.Parent ?? "").Split('/');
        var unit = ResourceNames.ParseHostUnit(parts.Length >= 2 ? $"{parts[0]}/{parts[1]}" : query.Parent, "parent");
        string? indicator = null;
        if (parts.Length == 4 && parts[2] == "indicators") indicator = parts[3];
        else if (parts.Length != 2) throw new ValidationException("parent", $"'{query.Parent}' is not {{unit}} or {{unit}}/indicators/{{indicator}}");
        if (indicator is not null && _context.Indicators.Find(indicator) is null)
            throw new NotFoundException("Indicator", query.Parent!);
        if (query.Kind is < ObservationKind.Unspecified or > ObservationKind.Target) throw new ValidationException("kind", $"unknown kind {(int)query.Kind}");
        await _context.Scope.RequireServedAsync(unit, cancellationToken);

        var keys = new UnitKeys(unit);
        var indexes = DataSets.Of(query.DataSet).Select(keys.Observations).ToArray();
        var fingerprint = $"observations|{unit}|{indicator}|{query.Kind}|{query.DataSet}";
        var size = PageToken.NormalizePageSize(query.PageSize);
        // Members are "{indicator}|{observation id}"; one indicator's members share a prefix, so its page starts there.
        var after = PageToken.Read(query.PageToken, fingerprint) ?? (indicator is null ? null : indicator + "|");
        var items = new List<Stored<Observation>>(size);
        var more = false;
        // Filtering by kind skips members, so fetch in rounds until the page is full or the range ends.
        while (true)
        {
            var (members, hasMore) = await IndexPager.PageAsync(_context.Store, indexes, after, size, cancellationToken);
            var inRange = indicator is null ? members : [.. members.TakeWhile(m => m.StartsWith(indicator + "|", StringComparison.Ordinal))];
            var rangeEnded = inRange.Count < members.Count || !hasMore;
            var records = await _records.GetManyAsync([.. inRange.Select(m => KeyOf(keys, m))], cancellationToken);
            for (var i = 0; i < inRange.Count && !more; i++)
            {
                after = inRange[i];
                if (records[i] is not { } record || (query.Kind != ObservationKind.Unspecified && record.Value.Kind != query.Kind)) continue;
                items.Add(record);
                if (items.Count == size) more = i < inRange.Count - 1 || !rangeEnded;
            }
            if (more || rangeEnded || items.Count == size) break;
        }
        return new Page<Stored<Observation>>(items, more ? PageToken.Create(fingerprint, after!) : "", items.Count);
    }

    private async Task<Stored<Observation>> RecordAsync(string? parent, ObservationDraft draft, string? etag, CancellationToken cancellationToken)
    {
        var unit = ResourceNames.ParseHostUnit(parent, "parent");
        await _context.Scope.RequireServedAsync(unit, cancellationToken);
        var keys = new UnitKeys(unit);
        // The observation's identity comes from the request; validate it first to find any previous revision.
        var probe = Observation.Create(unit, draft, _context.Indicators, null, _context.Clock.Today, _context.Clock.Now);
        var key = keys.Observation(probe.Indicator, probe.Id);
        var previous = await _records.GetAsync(key, cancellationToken);
        if (previous is not null) Etags.Check(etag, previous.Version, previous.Value.Name);
        var observation = previous is null ? probe : Observation.Create(unit, draft, _context.Indicators, previous.Value, _context.Clock.Today, _context.Clock.Now);

        var tx = new StateTransaction();
        _records.Put(tx, key, previous?.Value, observation, previous?.Version ?? 0);
        var result = await _context.CommitAsync(tx, [new IndicatorReportedEvent(observation) { Id = UnitEvent.NewId(), Time = observation.ReportTime }], cancellationToken);
        return new Stored<Observation>(observation, result.Versions[key]);
    }

    internal static string KeyOf(UnitKeys keys, string member)
    {
        var bar = member.IndexOf('|', StringComparison.Ordinal);
        return keys.Observation(member[..bar], member[(bar + 1)..]);
    }

    internal static IEnumerable<IndexEntry> IndexesOf(Observation o)
    {
        yield return new(new UnitKeys(o.Unit).Observations(UnitKeys.DataSetOf(o.Demo)), $"{o.Indicator}|{o.Id}");
    }

    private static (UnitRef Unit, string Indicator, string Id) ParseName(string? name)
    {
        var parts = (name ?? "").Split('/');
        if (parts.Length != 6 || parts[2] != "indicators" || parts[4] != "observations" || parts[3].Length == 0 || parts[5].Length == 0)
            throw new ValidationException("name", $"'{name}' is not of the form {{unit}}/indicators/{{indicator}}/observations/{{kind}}-{{period}}");
        return (ResourceNames.ParseHostUnit($"{parts[0]}/{parts[1]}", "name"), parts[3], parts[5]);
    }
}
