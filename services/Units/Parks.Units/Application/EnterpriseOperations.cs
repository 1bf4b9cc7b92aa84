using Parks.Domain;
using Parks.Hosting.State;
using Parks.Units.Domain;
using Parks.Units.Events;
using Parks.Units.Storage;

namespace Parks.Units.Application;

public sealed record EnterpriseQuery(string? Parent, int PageSize, string? PageToken, EnterpriseTier Tier, string? Industry, DataSetFilter DataSet);

public sealed record ExpiringQuery(string? Parent, DateOnly? StartDate, DateOnly? EndDate, EnterpriseTier Tier, int PageSize, string? PageToken, DataSetFilter DataSet);

/// <summary>A certification together with the enterprise that holds it (lists across enterprises).</summary>
public sealed record HeldCertification(Enterprise Enterprise, Certification Certification);

/// <summary>
/// Enterprises of the units this process serves: registration (zone-wide unique through the registry), updates,
/// relocation between units, and the tier certifications. Each operation reads, applies the domain rules, and
/// writes the record, its indexes, the registry and its events in one atomic commit.
/// </summary>
public sealed class EnterpriseOperations
{
    public const int MaxExpiringWindowDays = 3 * 366;

    private readonly UnitsContext _context;
    private readonly Records<Enterprise> _records;

    public EnterpriseOperations(UnitsContext context)
    {
        _context = context;
        _records = new Records<Enterprise>(context.Store, e => IndexesOf(e, context.TierRules));
    }

    private IStateStore Store => _context.Store;

    public async Task<Stored<Enterprise>> GetAsync(string? name, CancellationToken cancellationToken = default)
    {
        var (unit, uscc) = ResourceNames.ParseEnterprise(name);
        await _context.Scope.RequireServedAsync(unit, cancellationToken);
        return await LoadAsync(unit, uscc, cancellationToken);
    }

    public async Task<Page<Stored<Enterprise>>> ListAsync(EnterpriseQuery query, CancellationToken cancellationToken = default)
    {
        var unit = ResourceNames.ParseHostUnit(query.Parent, "parent");
        var v = new Validator();
        if (query.Tier != EnterpriseTier.Unspecified && !TierLadder.IsDefined(query.Tier)) v.Add("tier", $"unknown tier {(int)query.Tier}");
        if (!string.IsNullOrEmpty(query.Industry) && !_context.Industries.Contains(query.Industry))
            v.Add("industry", $"'{query.Industry}' is not one of the 1+8 industries ({_context.Industries.Listing})");
        v.ThrowIfInvalid();
        await _context.Scope.RequireServedAsync(unit, cancellationToken);

        var keys = new UnitKeys(unit);
        var industry = string.IsNullOrEmpty(query.Industry) ? null : query.Industry;
        var indexes = DataSets.Of(query.DataSet).Select(d => (query.Tier, industry) switch
        {
            (EnterpriseTier.Unspecified, null) => keys.Enterprises(d),
            (EnterpriseTier.Unspecified, _) => keys.EnterprisesByIndustry(d, industry),
            (_, null) => keys.EnterprisesByTier(d, query.Tier),
            _ => keys.EnterprisesByTierAndIndustry(d, query.Tier, industry),
        }).ToArray();

        var fingerprint = $"enterprises|{unit}|{query.Tier}|{industry}|{query.DataSet}";
        var size = PageToken.NormalizePageSize(query.PageSize);
        var after = PageToken.Read(query.PageToken, fingerprint);
        // The count goes out with the scan, so a page costs two round trips: scan (+ count), then the records.
        var counting = IndexPager.CountAsync(Store, indexes, cancellationToken);
        var (members, more) = await IndexPager.PageAsync(Store, indexes, after, size, cancellationToken);
        var records = await _records.GetManyAsync([.. members.Select(keys.Enterprise)], cancellationToken);
        var total = await counting;
        return new Page<Stored<Enterprise>>(
            [.. records.OfType<Stored<Enterprise>>()],
            more ? PageToken.Create(fingerprint, members[^1]) : "",
            total);
    }

    /// <summary>
    /// How many of the unit's enterprises hold each rung now (their stored current tier), and how many it holds in
    /// all: one index count per rung, no record read.
    /// </summary>
    public async Task<(IReadOnlyList<(EnterpriseTier Tier, long Count)> Tiers, long Enterprises)> TierCountsAsync(string? parent, DataSetFilter dataSet, CancellationToken cancellationToken = default)
    {
        var unit = ResourceNames.ParseHostUnit(parent, "parent");
        await _context.Scope.RequireServedAsync(unit, cancellationToken);
        var keys = new UnitKeys(unit);
        var sets = DataSets.Of(dataSet);
        var total = IndexPager.CountAsync(Store, [.. sets.Select(keys.Enterprises)], cancellationToken);
        var perTier = TierLadder.All.Select(t => IndexPager.CountAsync(Store, [.. sets.Select(d => keys.EnterprisesByTier(d, t))], cancellationToken)).ToArray();
        var counts = await Task.WhenAll(perTier);
        return ([.. TierLadder.All.Select((t, i) => (t, counts[i]))], await total);
    }

    public Task<Stored<Enterprise>> CreateAsync(string? parent, EnterpriseDraft draft, string? requestId, CancellationToken cancellationToken = default) =>
        CreateCoreAsync(parent, draft, requestId, demo: false, cancellationToken);

    internal async Task<Stored<Enterprise>> CreateCoreAsync(string? parent, EnterpriseDraft draft, string? requestId, bool demo, CancellationToken cancellationToken)
    {
        var unit = ResourceNames.ParseHostUnit(parent, "parent");
        Idempotency.Validate(requestId);
        var now = _context.Clock.Now;
        var enterprise = Enterprise.Register(unit, draft, _context.Industries, demo, _context.Clock.Today, now);
        await _context.Scope.RequireServedAsync(unit, cancellationToken);

        var keys = new UnitKeys(unit);
        var fingerprint = Idempotency.Fingerprint(new { parent = unit.ResourceName, draft, demo });
        var requestKey = requestId is null ? null : keys.Request("enterprise", requestId);
        for (var attempt = 0; ; attempt++)
        {
            if (requestKey is not null && await Idempotency.ReplayAsync(Store, requestKey, fingerprint, cancellationToken) is { } created)
                return await GetAsync(created, cancellationToken);
            var registryKey = ZoneKeys.Registry(enterprise.Uscc);
            if (await Store.GetAsync(registryKey, cancellationToken) is { } registered)
            {
                var where = StateJson.Deserialize<RegistryEntry>(registered.Value, registryKey).Unit;
                throw new AlreadyExistsException("Enterprise", $"{where}/enterprises/{enterprise.Uscc}",
                    $"enterprise {enterprise.Uscc} is already registered in {where}; an enterprise is registered in one place zone-wide (move it with RelocateEnterprise)");
            }

            var key = keys.Enterprise(enterprise.Uscc);
            var tx = new StateTransaction();
            _records.Put(tx, key, null, enterprise, 0);
            tx.Put(registryKey, StateJson.Serialize(new RegistryEntry(unit.ResourceName, demo, now)), 0);
            if (requestKey is not null) Idempotency.Remember(tx, requestKey, fingerprint, enterprise.Name, now);
            try
            {
                var result = await _context.CommitAsync(tx, [new EnterpriseRegisteredEvent(enterprise) { Id = UnitEvent.NewId(), Time = now }], cancellationToken);
                return new Stored<Enterprise>(enterprise, result.Versions[key]);
            }
            catch (ConcurrencyException) when (attempt == 0)
            {
                // A concurrent create won the race (same request id or same credit code): the next round reports it.
            }
        }
    }

    public async Task<Stored<Enterprise>> UpdateAsync(string? name, IReadOnlyCollection<string> mask, EnterprisePatch patch, string? etag, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(name, cancellationToken);
        Etags.Check(etag, current.Version, current.Value.Name);
        var next = current.Value.Update(mask, patch, _context.Industries, _context.TierRules, _context.Clock.Today, _context.Clock.Now);
        return await SaveAsync(current, next, [], cancellationToken);
    }

    /// <summary>
    /// Hands the enterprise over to another unit: the registry points to the target, the record leaves this
    /// unit's key space (a copy stays as "departed" history) and EnterpriseRelocated carries the snapshot the
    /// target takes over (<see cref="TakeOverAsync"/>), all in one commit.
    /// </summary>
    public async Task<Enterprise> RelocateAsync(string? name, string? targetUnit, DateOnly? date, string? reason, string? etag, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(name, cancellationToken);
        var target = ResourceNames.ParseHostUnit(targetUnit, "target_unit");
        if (!await _context.UnitExistsAsync(target, cancellationToken))
            throw new ValidationException("target_unit", target.Kind == UnitKind.District
                ? $"'{target}' is not one of the six districts ({string.Join(", ", Zone.Districts.Select(d => d.Id))})"
                : $"'{target}' is not a branch park of the zone (see ListBranchParks)");
        Etags.Check(etag, current.Version, current.Value.Name);
        var moved = current.Value.RelocateTo(target, date, reason, _context.Clock.Today, _context.Clock.Now);

        var uscc = current.Value.Uscc;
        var registryKey = ZoneKeys.Registry(uscc);
        var registry = await Store.GetAsync(registryKey, cancellationToken)
            ?? throw new InvalidOperationException($"enterprise {current.Value.Name} has no registry entry {registryKey}");
        var keys = new UnitKeys(current.Value.Unit);
        var tx = new StateTransaction();
        _records.Delete(tx, keys.Enterprise(uscc), current.Value, current.Version);
        tx.Put(registryKey, StateJson.Serialize(new RegistryEntry(target.ResourceName, moved.Demo, moved.UpdateTime)), registry.Version);
        tx.Put(keys.Departed(uscc), StateJson.Serialize(moved), null);
        var relocated = new EnterpriseRelocatedEvent(current.Value.Unit.ResourceName, moved) { Id = UnitEvent.NewId(), Time = moved.UpdateTime };
        await _context.CommitAsync(tx, [relocated], cancellationToken);
        return moved;
    }

    /// <summary>
    /// The target's side of a relocation: takes the snapshot over when the registry names this unit and the
    /// record is not here yet. Idempotent: a redelivered or outdated event changes nothing (returns false).
    /// </summary>
    public async Task<bool> TakeOverAsync(EnterpriseRelocatedEvent relocated, CancellationToken cancellationToken = default)
    {
        var tx = new StateTransaction();
        if (!await PrepareTakeOverAsync(relocated.Snapshot, tx, cancellationToken)) return false;
        try
        {
            await Store.CommitAsync(tx, cancellationToken);
            return true;
        }
        catch (ConcurrencyException)
        {
            // Taken over concurrently, or already moved on: either way nothing is left to do.
            return false;
        }
    }

    /// <summary>
    /// Adds the take-over of <paramref name="snapshot"/> to <paramref name="tx"/> (an event handler's transaction,
    /// committed with its inbox marker), conditional on the registry entry read here; false when there is nothing
    /// to take over. Should the registry change before the commit, the commit fails and the redelivery finds the
    /// new state.
    /// </summary>
    public async Task<bool> PrepareTakeOverAsync(Enterprise snapshot, StateTransaction tx, CancellationToken cancellationToken = default)
    {
        if (!await _context.Scope.ServesAsync(snapshot.Unit, cancellationToken)) return false;
        var registryKey = ZoneKeys.Registry(snapshot.Uscc);
        var registry = await Store.GetAsync(registryKey, cancellationToken);
        if (registry is null || StateJson.Deserialize<RegistryEntry>(registry.Value, registryKey).Unit != snapshot.Unit.ResourceName) return false;
        var key = new UnitKeys(snapshot.Unit).Enterprise(snapshot.Uscc);
        if (await Store.GetAsync(key, cancellationToken) is not null) return false;

        _records.Put(tx, key, null, snapshot.WithTierOn(_context.Clock.Today, _context.TierRules), 0);
        tx.Require(registryKey, registry.Version);
        return true;
    }

    public async Task<(Stored<Enterprise> Enterprise, Certification Certification)> CertifyAsync(
        string? parent, CertificationDraft draft, string? etag, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(parent, cancellationToken);
        Etags.Check(etag, current.Version, current.Value.Name);
        var (next, certification, previous) = current.Value.Certify(draft, _context.TierRules, _context.Clock.Today, _context.Clock.Now);
        var saved = await SaveAsync(current, next,
            [new EnterpriseTierCertifiedEvent(next, certification, previous) { Id = UnitEvent.NewId(), Time = next.UpdateTime }], cancellationToken);
        return (saved, certification);
    }

    public async Task<(Stored<Enterprise> Enterprise, Certification Certification)> RenewAsync(
        string? name, RenewalDraft draft, string? etag, CancellationToken cancellationToken = default)
    {
        var (unit, uscc, id) = ResourceNames.ParseCertification(name);
        var current = await GetAsync(ResourceNames.Enterprise(unit, uscc), cancellationToken);
        Etags.Check(etag, current.Version, current.Value.Name);
        var (next, certification, previous) = current.Value.Renew(id, draft, _context.TierRules, _context.Clock.Today, _context.Clock.Now);
        var saved = await SaveAsync(current, next,
            [new EnterpriseTierCertifiedEvent(next, certification, previous) { Id = UnitEvent.NewId(), Time = next.UpdateTime }], cancellationToken);
        return (saved, certification);
    }

    public async Task<(Stored<Enterprise> Enterprise, Certification Certification)> DisqualifyAsync(
        string? name, string? reason, DateOnly? effectiveDate, string? etag, CancellationToken cancellationToken = default)
    {
        var (unit, uscc, id) = ResourceNames.ParseCertification(name);
        var current = await GetAsync(ResourceNames.Enterprise(unit, uscc), cancellationToken);
        Etags.Check(etag, current.Version, current.Value.Name);
        var (next, certification) = current.Value.Disqualify(id, reason, effectiveDate, _context.TierRules, _context.Clock.Today, _context.Clock.Now);
        var saved = await SaveAsync(current, next,
            [new EnterpriseTierDisqualifiedEvent(next, certification) { Id = UnitEvent.NewId(), Time = next.UpdateTime }], cancellationToken);
        return (saved, certification);
    }

    /// <summary>The enterprise's certification history, oldest first (with the enterprise, to name them).</summary>
    public async Task<(Enterprise Enterprise, Page<Certification> Page)> ListCertificationsAsync(string? parent, int pageSize, string? pageToken, CancellationToken cancellationToken = default)
    {
        var enterprise = await GetAsync(parent, cancellationToken);
        var fingerprint = $"certifications|{enterprise.Value.Name}";
        var (offset, size) = Paging.Offset(pageSize, pageToken, fingerprint);
        return (enterprise.Value, Paging.Slice(enterprise.Value.Certifications, offset, size, fingerprint));
    }

    /// <summary>Open certifications (not renewed, not disqualified) whose end falls in the window, earliest first.</summary>
    public async Task<Page<HeldCertification>> ListExpiringAsync(ExpiringQuery query, CancellationToken cancellationToken = default)
    {
        var unit = ResourceNames.ParseHostUnit(query.Parent, "parent");
        var start = query.StartDate ?? _context.Clock.Today;
        var end = query.EndDate ?? start.AddDays(90);
        var v = new Validator();
        if (end < start) v.Add("end_date", $"must not be before start_date {Enterprise.Iso(start)}");
        else if (end.DayNumber - start.DayNumber > MaxExpiringWindowDays) v.Add("end_date", $"the window is at most {MaxExpiringWindowDays} days");
        if (query.Tier != EnterpriseTier.Unspecified && !TierLadder.IsDefined(query.Tier)) v.Add("tier", $"unknown tier {(int)query.Tier}");
        v.ThrowIfInvalid();
        await _context.Scope.RequireServedAsync(unit, cancellationToken);

        var keys = new UnitKeys(unit);
        var indexes = DataSets.Of(query.DataSet)
            .Select(d => query.Tier == EnterpriseTier.Unspecified ? keys.CertificationExpiry(d) : keys.CertificationExpiryByTier(d, query.Tier))
            .ToArray();
        var fingerprint = $"expiring|{unit}|{start}|{end}|{query.Tier}|{query.DataSet}";
        var size = PageToken.NormalizePageSize(query.PageSize);
        // '~' sorts after '|': the scan starts after every member of the day before the window.
        var after = PageToken.Read(query.PageToken, fingerprint) ?? UnitKeys.DayKey(start.AddDays(-1)) + "~";
        var endKey = UnitKeys.DayKey(end);
        var (members, _) = await IndexPager.PageAsync(Store, indexes, after, size + 1, cancellationToken);
        var inWindow = members.TakeWhile(m => string.CompareOrdinal(m, 0, endKey, 0, 8) <= 0).ToList();
        var more = inWindow.Count > size;
        if (more) inWindow = inWindow[..size];

        var parsed = inWindow.Select(m => m.Split('|')).Select(p => (Uscc: p[1], Id: p[2])).ToList();
        var usccs = parsed.Select(p => p.Uscc).Distinct(StringComparer.Ordinal).ToList();
        var enterprises = (await _records.GetManyAsync([.. usccs.Select(keys.Enterprise)], cancellationToken))
            .OfType<Stored<Enterprise>>().ToDictionary(e => e.Value.Uscc, e => e.Value, StringComparer.Ordinal);
        var items = new List<HeldCertification>(parsed.Count);
        foreach (var (uscc, id) in parsed)
        {
            if (enterprises.TryGetValue(uscc, out var e) && e.Certifications.FirstOrDefault(c => c.Id == id) is { } c) items.Add(new HeldCertification(e, c));
        }
        return new Page<HeldCertification>(items, more ? PageToken.Create(fingerprint, inWindow[^1]) : "", items.Count);
    }

    /// <summary>
    /// Re-derives the stored tier of the unit's enterprises whose certifications lapsed by <paramref name="asOf"/>
    /// (a certification ends by date, not by a write). Run at start-up and daily; returns how many changed.
    /// </summary>
    public async Task<int> RefreshLapsedTiersAsync(UnitRef unit, DateOnly asOf, CancellationToken cancellationToken = default)
    {
        var keys = new UnitKeys(unit);
        var due = new List<string>();
        var endKey = UnitKeys.DayKey(asOf);
        string? after = null;
        while (true)
        {
            var page = await Store.ScanIndexAsync(keys.TierLapses, after, 500, cancellationToken);
            var inRange = page.TakeWhile(m => string.CompareOrdinal(m, 0, endKey, 0, 8) <= 0).ToList();
            due.AddRange(inRange.Select(m => m[9..]));
            if (inRange.Count < page.Count || page.Count < 500) break;
            after = page[^1];
        }

        var changed = 0;
        foreach (var uscc in due.Distinct(StringComparer.Ordinal))
        {
            var current = await _records.GetAsync(keys.Enterprise(uscc), cancellationToken);
            if (current is null) continue;
            var next = current.Value.WithTierOn(asOf, _context.TierRules);
            if (next == current.Value) continue;
            try
            {
                await SaveAsync(current, next, [], cancellationToken);
                changed++;
            }
            catch (ConcurrencyException)
            {
                // Written concurrently: that write re-derived the tier already.
            }
        }
        return changed;
    }

    internal Task<Stored<Enterprise>?> TryLoadAsync(UnitRef unit, string uscc, CancellationToken cancellationToken) =>
        _records.GetAsync(new UnitKeys(unit).Enterprise(uscc), cancellationToken);

    internal async Task<Stored<Enterprise>> LoadAsync(UnitRef unit, string uscc, CancellationToken cancellationToken) =>
        await _records.GetAsync(new UnitKeys(unit).Enterprise(uscc), cancellationToken)
        ?? throw new NotFoundException("Enterprise", ResourceNames.Enterprise(unit, uscc));

    internal async Task<Stored<Enterprise>> SaveAsync(Stored<Enterprise> current, Enterprise next, IEnumerable<UnitEvent> events, CancellationToken cancellationToken)
    {
        var key = new UnitKeys(next.Unit).Enterprise(next.Uscc);
        var tx = new StateTransaction();
        _records.Put(tx, key, current.Value, next, current.Version);
        var result = await _context.CommitAsync(tx, events, cancellationToken);
        return new Stored<Enterprise>(next, result.Versions[key]);
    }

    /// <summary>The index entries of an enterprise under the default rules (benchmarks and tools).</summary>
    public static IEnumerable<IndexEntry> IndexesOfForTools(Enterprise e) => IndexesOf(e, new TierRules());

    /// <summary>Every index an enterprise belongs to: by data set, tier, industry, open certifications and tier lapses.</summary>
    internal static IEnumerable<IndexEntry> IndexesOf(Enterprise e, TierRules rules)
    {
        var keys = new UnitKeys(e.Unit);
        var d = UnitKeys.DataSetOf(e.Demo);
        yield return new(keys.Enterprises(d), e.Uscc);
        yield return new(keys.EnterprisesByIndustry(d, e.Industry), e.Uscc);
        if (e.Tier != EnterpriseTier.Unspecified)
        {
            yield return new(keys.EnterprisesByTier(d, e.Tier), e.Uscc);
            yield return new(keys.EnterprisesByTierAndIndustry(d, e.Tier, e.Industry), e.Uscc);
        }
        foreach (var c in e.Certifications)
        {
            if (c.IsOpenForRenewal && e.Status == EnterpriseStatus.Operating)
            {
                var member = $"{UnitKeys.DayKey(c.ValidTo!.Value)}|{e.Uscc}|{c.Id}";
                yield return new(keys.CertificationExpiry(d), member);
                yield return new(keys.CertificationExpiryByTier(d, c.Tier), member);
            }
            if (c.LapsesOn(rules) is { } lapse && lapse > e.TierAsOf && e.Status == EnterpriseStatus.Operating)
                yield return new(keys.TierLapses, $"{UnitKeys.DayKey(lapse)}|{e.Uscc}");
        }
    }
}
