using System.Globalization;
using Parks.Domain;
using Parks.Hosting.State;
using Parks.Units.Domain;

namespace Parks.Units.Storage;

/// <summary>
/// The key space of one unit: <c>parks:district:{id}:…</c> for a district, <c>parks:branchparks:{id}:…</c> for a
/// branch park. A unit's records and indexes live only here, so one district instance never touches another's.
/// </summary>
public sealed class UnitKeys
{
    public const string Real = "real";
    public const string Demo = "demo";

    private readonly string _service;
    private readonly string _scope;

    public UnitKeys(UnitRef unit)
    {
        Unit = unit;
        _service = unit.Kind switch
        {
            UnitKind.District => "district",
            UnitKind.BranchPark => "branchparks",
            _ => throw new ArgumentException($"{unit} hosts no enterprises", nameof(unit)),
        };
        _scope = unit.Id;
    }

    public UnitRef Unit { get; }

    public static string DataSetOf(bool demo) => demo ? Demo : Real;

    public string Enterprise(string uscc) => StateKeys.For(_service, _scope, "enterprise", uscc);

    /// <summary>The enterprise as it was when it left this unit (its history stays with the unit it left).</summary>
    public string Departed(string uscc) => StateKeys.For(_service, _scope, "departed", uscc);

    public string Project(string id) => StateKeys.For(_service, _scope, "project", id);

    public string Referral(string id) => StateKeys.For(_service, _scope, "referral", id);

    public string Observation(string indicator, string observationId) => StateKeys.For(_service, _scope, "observation", $"{indicator}|{observationId}");

    /// <summary>An idempotency record of a create request (request_id).</summary>
    public string Request(string kind, string requestId) => StateKeys.For(_service, _scope, "request", $"{kind}|{requestId}");

    /// <summary>Marks which seed data set version this unit has loaded.</summary>
    public string SeedMarker(string dataSet) => StateKeys.For(_service, _scope, "seed", dataSet);

    public string Enterprises(string dataSet) => Index($"enterprises:{dataSet}");

    public string EnterprisesByTier(string dataSet, EnterpriseTier tier) => Index($"enterprises:{dataSet}:tier:{TierLadder.Slug(tier)}");

    public string EnterprisesByIndustry(string dataSet, string industry) => Index($"enterprises:{dataSet}:industry:{industry}");

    public string EnterprisesByTierAndIndustry(string dataSet, EnterpriseTier tier, string industry) =>
        Index($"enterprises:{dataSet}:tier:{TierLadder.Slug(tier)}:industry:{industry}");

    /// <summary>Open certifications by end date: members <c>{yyyyMMdd}|{uscc}|{certification}</c>.</summary>
    public string CertificationExpiry(string dataSet) => Index($"cert-expiry:{dataSet}");

    public string CertificationExpiryByTier(string dataSet, EnterpriseTier tier) => Index($"cert-expiry:{dataSet}:tier:{TierLadder.Slug(tier)}");

    /// <summary>Dates on which an enterprise's stored tier stops being true: members <c>{yyyyMMdd}|{uscc}</c>.</summary>
    public string TierLapses => Index("tier-lapse");

    public string Projects(string dataSet) => Index($"projects:{dataSet}");

    public string ProjectsByStage(string dataSet, ProjectStage stage) => Index($"projects:{dataSet}:stage:{ProjectStages.Slug(stage)}");

    public string Referrals(string dataSet) => Index($"referrals:{dataSet}");

    public string ReferralsByState(string dataSet, ReferralState state) => Index($"referrals:{dataSet}:state:{state.ToString().ToLowerInvariant()}");

    public string Observations(string dataSet) => Index($"observations:{dataSet}");

    /// <summary>The zone-wide demo evaluations this unit's demo loader wrote: members <c>{year}|{uscc}</c> (to purge them).</summary>
    public string DemoEvaluations => Index("evaluations:demo");

    private string Index(string name) => StateKeys.Index(_service, _scope, name);

    public static string DayKey(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}

/// <summary>Keys shared zone-wide by every District and Branch Parks instance (scope <c>zone</c>).</summary>
public static class ZoneKeys
{
    private const string Service = "units";
    private const string Scope = "zone";

    /// <summary>Where an enterprise is registered: at most one unit zone-wide (written in the same commit as the enterprise).</summary>
    public static string Registry(string uscc) => StateKeys.For(Service, Scope, "registry", uscc);

    public static string BranchPark(string id) => StateKeys.For(Service, Scope, "park", id);

    public static string BranchParks => StateKeys.Index(Service, Scope, "parks");

    public static string Evaluation(int year, string uscc) =>
        StateKeys.For(Service, Scope, "points", $"{year.ToString(CultureInfo.InvariantCulture)}|{uscc}");

    public static string Ranking(int year, string dataSet) =>
        StateKeys.For(Service, Scope, "ranking", $"{year.ToString(CultureInfo.InvariantCulture)}|{dataSet}");

    /// <summary>The ranking's members as a lexicographic index, so the ranking can be counted.</summary>
    public static string RankingMembers(int year, string dataSet) =>
        StateKeys.Index(Service, Scope, $"ranking:{year.ToString(CultureInfo.InvariantCulture)}:{dataSet}");

    public static string Request(string kind, string requestId) => StateKeys.For(Service, Scope, "request", $"{kind}|{requestId}");
}
