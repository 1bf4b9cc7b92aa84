using Parks.Domain;
using Parks.Hosting.State;
using Parks.Units.Data;
using Parks.Units.Domain;
using Parks.Units.Storage;

namespace Parks.Units.Application;

/// <summary>
/// The zone's branch-park catalogue (parks are data). It is kept zone-wide so every District instance can check
/// a relocation target; only the Branch Parks service writes it.
/// </summary>
public sealed class BranchParkOperations(UnitsContext context)
{
    private readonly Records<BranchPark> _records = new(context.Store, p => [new IndexEntry(ZoneKeys.BranchParks, p.Id)]);

    public async Task<Page<(BranchPark Park, long Enterprises)>> ListAsync(int pageSize, string? pageToken, CancellationToken cancellationToken = default)
    {
        const string fingerprint = "branchparks";
        var size = PageToken.NormalizePageSize(pageSize);
        var after = PageToken.Read(pageToken, fingerprint);
        var (members, more) = await IndexPager.PageAsync(context.Store, [ZoneKeys.BranchParks], after, size, cancellationToken);
        var parks = await _records.GetManyAsync([.. members.Select(ZoneKeys.BranchPark)], cancellationToken);
        var items = new List<(BranchPark, long)>();
        foreach (var park in parks.OfType<Stored<BranchPark>>())
            items.Add((park.Value, await EnterpriseCountAsync(park.Value.Unit, cancellationToken)));
        return new Page<(BranchPark, long)>(items, more ? PageToken.Create(fingerprint, members[^1]) : "",
            await context.Store.CountIndexAsync(ZoneKeys.BranchParks, cancellationToken));
    }

    public async Task<(BranchPark Park, long Enterprises)> GetAsync(string? name, CancellationToken cancellationToken = default)
    {
        var unit = ParseParkName(name, "name");
        var park = await _records.GetAsync(ZoneKeys.BranchPark(unit.Id), cancellationToken) ?? throw new NotFoundException("BranchPark", unit.ResourceName);
        return (park.Value, await EnterpriseCountAsync(unit, cancellationToken));
    }

    /// <summary>Adds a park (operators); idempotent with a request id.</summary>
    public async Task<BranchPark> CreateAsync(string? id, string? nameZh, string? nameEn, string? requestId, CancellationToken cancellationToken = default)
    {
        Idempotency.Validate(requestId);
        var park = BranchPark.Create(id, nameZh, nameEn, context.Clock.Now);
        var fingerprint = Idempotency.Fingerprint(new { id, nameZh, nameEn });
        var requestKey = requestId is null ? null : ZoneKeys.Request("branchpark", requestId);
        if (requestKey is not null && await Idempotency.ReplayAsync(context.Store, requestKey, fingerprint, cancellationToken) is not null)
            return (await GetAsync(park.Unit.ResourceName, cancellationToken)).Park;
        var key = ZoneKeys.BranchPark(park.Id);
        var tx = new StateTransaction();
        _records.Put(tx, key, null, park, 0);
        if (requestKey is not null) Idempotency.Remember(tx, requestKey, fingerprint, park.Unit.ResourceName, park.CreateTime);
        try
        {
            await context.Store.CommitAsync(tx, cancellationToken);
            return park;
        }
        catch (ConcurrencyException)
        {
            if (requestKey is not null && await Idempotency.ReplayAsync(context.Store, requestKey, fingerprint, cancellationToken) is not null)
                return (await GetAsync(park.Unit.ResourceName, cancellationToken)).Park;
            throw new AlreadyExistsException("BranchPark", park.Unit.ResourceName, $"branch park {park.Unit} already exists");
        }
    }

    /// <summary>Loads the five parks of the documents; a park already present is left as it is. Returns how many were added.</summary>
    public async Task<int> LoadSeedAsync(CancellationToken cancellationToken = default)
    {
        var added = 0;
        foreach (var park in SeedData.BranchParks)
        {
            var key = ZoneKeys.BranchPark(park.Id);
            if (await context.Store.GetAsync(key, cancellationToken) is not null) continue;
            var tx = new StateTransaction();
            _records.Put(tx, key, null, park with { CreateTime = context.Clock.Now }, 0);
            try
            {
                await context.Store.CommitAsync(tx, cancellationToken);
                added++;
            }
            catch (ConcurrencyException)
            {
                // Another replica loaded it at the same moment.
            }
        }
        return added;
    }

    private async Task<long> EnterpriseCountAsync(UnitRef unit, CancellationToken cancellationToken)
    {
        var keys = new UnitKeys(unit);
        return await IndexPager.CountAsync(context.Store, [keys.Enterprises(UnitKeys.Real), keys.Enterprises(UnitKeys.Demo)], cancellationToken);
    }

    private static UnitRef ParseParkName(string? name, string field) =>
        UnitRef.TryParse(name, out var unit) && unit.Kind == UnitKind.BranchPark
            ? unit
            : throw new ValidationException(field, $"'{name}' is not a branch park name (parks/{{id}})");
}

/// <summary>A district's profile, from the documents, with its current enterprise count.</summary>
public sealed class DistrictOperations(UnitsContext context)
{
    public async Task<(DistrictProfile Profile, long Enterprises)> GetAsync(string? name, CancellationToken cancellationToken = default)
    {
        if (!UnitRef.TryParse(name, out var unit) || unit.Kind != UnitKind.District)
            throw new ValidationException("name", $"'{name}' is not a district name (districts/{{id}})");
        var profile = SeedData.Districts.FirstOrDefault(d => d.Id == unit.Id) ?? throw new NotFoundException("District", unit.ResourceName);
        await context.Scope.RequireServedAsync(unit, cancellationToken);
        var keys = new UnitKeys(unit);
        return (profile, await IndexPager.CountAsync(context.Store, [keys.Enterprises(UnitKeys.Real), keys.Enterprises(UnitKeys.Demo)], cancellationToken));
    }
}
