using Parks.Domain;
using Parks.Hosting.State;
using Parks.Units.Data;
using Parks.Units.Domain;
using Parks.Units.Events;
using Parks.Units.Storage;

namespace Parks.Units.Application;

/// <summary>The zone's clock: Dalian is UTC+8, and "today" (due dates, validity) is the zone's calendar day.</summary>
public sealed class ZoneClock(TimeProvider time)
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public TimeProvider TimeProvider => time;

    public DateTimeOffset Now => time.GetUtcNow().ToOffset(Offset);

    public DateOnly Today => DateOnly.FromDateTime(Now.DateTime);
}

/// <summary>
/// Which units a process serves. A District instance serves exactly its own district; the Branch Parks service
/// serves every branch park in the zone's park catalogue.
/// </summary>
public abstract class UnitScope
{
    /// <summary>"district" or "branchparks" (the service part of state keys and of events' source).</summary>
    public abstract string ServiceName { get; }

    /// <summary>Throws unless this process serves <paramref name="unit"/> and the unit exists.</summary>
    public abstract Task RequireServedAsync(UnitRef unit, CancellationToken cancellationToken);

    /// <summary>Whether this process serves <paramref name="unit"/> (an event for another unit is not for us).</summary>
    public async Task<bool> ServesAsync(UnitRef unit, CancellationToken cancellationToken)
    {
        try
        {
            await RequireServedAsync(unit, cancellationToken);
            return true;
        }
        catch (DomainException)
        {
            return false;
        }
    }

    /// <summary>The units this process serves now (for seed loading and maintenance).</summary>
    public abstract Task<IReadOnlyList<UnitRef>> ServedUnitsAsync(CancellationToken cancellationToken);
}

public sealed class DistrictScope : UnitScope
{
    public DistrictScope(string districtId)
    {
        if (!Zone.IsDistrict(districtId))
            throw new ArgumentException($"'{districtId}' is not one of the six districts ({string.Join(", ", Zone.Districts.Select(d => d.Id))})", nameof(districtId));
        District = UnitRef.District(districtId);
    }

    public UnitRef District { get; }

    public override string ServiceName => "district";

    public override Task RequireServedAsync(UnitRef unit, CancellationToken cancellationToken)
    {
        if (unit != District)
        {
            if (unit.Kind == UnitKind.District && !Zone.IsDistrict(unit.Id)) throw new NotFoundException("District", unit.ResourceName);
            throw new FailedPreconditionException("UNIT_NOT_SERVED", unit.ResourceName,
                $"this District instance serves {District}; {unit} is served by {(unit.Kind == UnitKind.District ? "its own District instance" : "the Branch Parks service")}");
        }
        return Task.CompletedTask;
    }

    public override Task<IReadOnlyList<UnitRef>> ServedUnitsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UnitRef>>([District]);
}

public sealed class BranchParkScope(IStateStore store) : UnitScope
{
    public override string ServiceName => "branchparks";

    public override async Task RequireServedAsync(UnitRef unit, CancellationToken cancellationToken)
    {
        if (unit.Kind != UnitKind.BranchPark)
            throw new FailedPreconditionException("UNIT_NOT_SERVED", unit.ResourceName, $"the Branch Parks service serves parks/{{id}}; {unit} is served by its District instance");
        if (await store.GetAsync(ZoneKeys.BranchPark(unit.Id), cancellationToken) is null)
            throw new NotFoundException("BranchPark", unit.ResourceName);
    }

    public override async Task<IReadOnlyList<UnitRef>> ServedUnitsAsync(CancellationToken cancellationToken)
    {
        var units = new List<UnitRef>();
        string? after = null;
        while (true)
        {
            var page = await store.ScanIndexAsync(ZoneKeys.BranchParks, after, 500, cancellationToken);
            units.AddRange(page.Select(UnitRef.Park));
            if (page.Count < 500) return units;
            after = page[^1];
        }
    }
}

/// <summary>What is configurable about this area (<c>Parks:Units</c>).</summary>
public sealed class UnitsOptions
{
    public const string SectionName = "Parks:Units";

    /// <summary>Load the synthetic demo data set (local run only; default off).</summary>
    public bool DemoData { get; set; }

    /// <summary>Demo enterprises generated per unit.</summary>
    public int DemoEnterprisesPerUnit { get; set; } = 120;

    /// <summary>The demo generator's seed: the same seed gives the same data set.</summary>
    public int DemoSeed { get; set; } = 20_240_615;

    /// <summary>The innovation-points model evaluations use by default; empty: the data file's current one.</summary>
    public string? InnovationPointsModel { get; set; }

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (DemoEnterprisesPerUnit is < 0 or > 1_000_000) problems.Add($"{SectionName}:DemoEnterprisesPerUnit must be 0-1000000 (got {DemoEnterprisesPerUnit})");
        return problems;
    }
}

/// <summary>Everything the operations share: the store, the outbox, the clock, the rules and the catalogues.</summary>
public sealed class UnitsContext
{
    public UnitsContext(
        IStateStore store, IUnitOutbox outbox, TimeProvider time, UnitScope scope,
        TierRules? tierRules = null, InvestmentRules? investmentRules = null, InnovationPointsModels? models = null)
    {
        Store = store;
        Outbox = outbox;
        Clock = new ZoneClock(time);
        Scope = scope;
        TierRules = tierRules ?? new TierRules();
        InvestmentRules = investmentRules ?? new InvestmentRules();
        Models = models ?? SeedData.InnovationPointsModels;
        var problems = TierRules.Problems().Concat(InvestmentRules.Problems()).ToList();
        if (problems.Count > 0) throw new InvalidOperationException("invalid units configuration: " + string.Join("; ", problems));
    }

    public IStateStore Store { get; }
    public IUnitOutbox Outbox { get; }
    public ZoneClock Clock { get; }
    public UnitScope Scope { get; }
    public TierRules TierRules { get; }
    public InvestmentRules InvestmentRules { get; }
    public InnovationPointsModels Models { get; }
    public IndustryCatalog Industries => SeedData.Industries;
    public IndicatorCatalog Indicators => SeedData.Indicators;

    /// <summary>Whether a unit exists: one of the six districts, or a park in the zone's park catalogue.</summary>
    public async Task<bool> UnitExistsAsync(UnitRef unit, CancellationToken cancellationToken) => unit.Kind switch
    {
        UnitKind.District => Zone.IsDistrict(unit.Id),
        UnitKind.BranchPark => await Store.GetAsync(ZoneKeys.BranchPark(unit.Id), cancellationToken) is not null,
        _ => false,
    };

    /// <summary>Commits, appending the events to the outbox in the same transaction.</summary>
    public Task<CommitResult> CommitAsync(StateTransaction tx, IEnumerable<UnitEvent> events, CancellationToken cancellationToken)
    {
        foreach (var e in events) Outbox.Append(tx, e);
        return Store.CommitAsync(tx, cancellationToken);
    }
}
