using Parks.Domain;

namespace Parks.Units.Domain;

/// <summary>
/// The enterprise tier ladder 科小 → 高企 → 雏鹰 → 瞪羚 → 独角兽 → 领军/上市 (000:110, 001:115; 上市 as the
/// alternative top rung, 000:57). The numbers match parks.common.v1.EnterpriseTier.
/// </summary>
public enum EnterpriseTier
{
    Unspecified = 0,
    TechSme = 1,
    HighTech = 2,
    Eaglet = 3,
    Gazelle = 4,
    Unicorn = 5,
    Leader = 6,
    Listed = 7,
}

public static class TierLadder
{
    public const string Description = "科小 → 高企 → 雏鹰 → 瞪羚 → 独角兽 → 领军/上市 (000:110, 000:57)";

    /// <summary>
    /// 领军企业 as the city defines it: "产值超10亿元的创新型领军企业" (002:45), so annual output strictly above 10亿元.
    /// </summary>
    public static readonly Fen LeaderOutputThreshold = Fen.FromYi(10);

    public static IReadOnlyList<EnterpriseTier> All { get; } =
    [
        EnterpriseTier.TechSme, EnterpriseTier.HighTech, EnterpriseTier.Eaglet, EnterpriseTier.Gazelle,
        EnterpriseTier.Unicorn, EnterpriseTier.Leader, EnterpriseTier.Listed,
    ];

    public static bool IsDefined(EnterpriseTier tier) => tier is >= EnterpriseTier.TechSme and <= EnterpriseTier.Listed;

    /// <summary>Position on the ladder, 1 (科小) to 6; 领军 and 上市 share the top rung.</summary>
    public static int Rung(EnterpriseTier tier) => tier switch
    {
        EnterpriseTier.Listed => 6,
        _ when IsDefined(tier) => (int)tier,
        _ => 0,
    };

    public static string NameZh(EnterpriseTier tier) => tier switch
    {
        EnterpriseTier.TechSme => "科技型中小企业(科小)",
        EnterpriseTier.HighTech => "高新技术企业(高企)",
        EnterpriseTier.Eaglet => "雏鹰企业",
        EnterpriseTier.Gazelle => "瞪羚企业",
        EnterpriseTier.Unicorn => "独角兽企业",
        EnterpriseTier.Leader => "领军企业",
        EnterpriseTier.Listed => "上市企业",
        _ => "无",
    };

    public static string Slug(EnterpriseTier tier) => tier switch
    {
        EnterpriseTier.TechSme => "tech-sme",
        EnterpriseTier.HighTech => "high-tech",
        EnterpriseTier.Eaglet => "eaglet",
        EnterpriseTier.Gazelle => "gazelle",
        EnterpriseTier.Unicorn => "unicorn",
        EnterpriseTier.Leader => "leader",
        EnterpriseTier.Listed => "listed",
        _ => "none",
    };

    /// <summary>The higher of two tiers; between 领军 and 上市 (same rung) 上市 wins so the choice is stable.</summary>
    public static EnterpriseTier Higher(EnterpriseTier a, EnterpriseTier b)
    {
        var ra = Rung(a);
        var rb = Rung(b);
        if (ra != rb) return ra > rb ? a : b;
        return a >= b ? a : b;
    }
}

/// <summary>
/// What the documents leave open about the ladder, as configuration. Every default here is ILLUSTRATIVE: the
/// seed documents give the ladder's order and the 高企 re-certification tax rule (002:767) but no validity
/// periods, renewal windows or promotion criteria (seeds-domain §1d.2 "[NOT STATED]").
/// </summary>
public sealed class TierRules
{
    public const string SectionName = "Parks:Units:TierRules";

    /// <summary>How many rungs a first certification may climb above the enterprise's current tier. Illustrative: 1.</summary>
    public int MaxRungStep { get; set; } = 1;

    /// <summary>Tiers an enterprise without any tier may enter directly. Illustrative: 科小 only (the ladder's first rung).</summary>
    public EnterpriseTier[]? EntryTiers { get; set; }

    /// <summary>Validity of a certification in months per tier; a tier absent here does not expire. Illustrative.</summary>
    public Dictionary<EnterpriseTier, int>? ValidityMonths { get; set; }

    /// <summary>How many days before a certification ends its renewal may be filed. Illustrative: 180.</summary>
    public int RenewalWindowDays { get; set; } = 180;

    /// <summary>
    /// 再认定期间 of a 高企 after its certificate ends: the enterprise keeps the tier (and the 15% rate) until the
    /// re-certification is decided (002:767). The length is not stated; illustrative: 180 days.
    /// </summary>
    public int HighTechRecertificationGraceDays { get; set; } = 180;

    public static readonly IReadOnlyList<EnterpriseTier> DefaultEntryTiers = [EnterpriseTier.TechSme];

    public static readonly IReadOnlyDictionary<EnterpriseTier, int> DefaultValidityMonths = new Dictionary<EnterpriseTier, int>
    {
        [EnterpriseTier.TechSme] = 12,
        [EnterpriseTier.HighTech] = 36,
        [EnterpriseTier.Eaglet] = 12,
        [EnterpriseTier.Gazelle] = 12,
        [EnterpriseTier.Unicorn] = 12,
        [EnterpriseTier.Leader] = 12,
    };

    public IReadOnlyList<EnterpriseTier> EffectiveEntryTiers => EntryTiers is { Length: > 0 } ? EntryTiers : DefaultEntryTiers;

    public IReadOnlyDictionary<EnterpriseTier, int> EffectiveValidityMonths =>
        ValidityMonths is { Count: > 0 } ? ValidityMonths : DefaultValidityMonths;

    /// <summary>Validity in months, or null when certifications of the tier do not expire (上市 by default).</summary>
    public int? ValidityFor(EnterpriseTier tier) => EffectiveValidityMonths.TryGetValue(tier, out var months) ? months : null;

    /// <summary>Problems with this configuration (empty when valid), checked at start-up.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MaxRungStep is < 1 or > 5) problems.Add($"{SectionName}:MaxRungStep must be 1-5 (got {MaxRungStep})");
        if (RenewalWindowDays is < 0 or > 3650) problems.Add($"{SectionName}:RenewalWindowDays must be 0-3650 (got {RenewalWindowDays})");
        if (HighTechRecertificationGraceDays is < 0 or > 3650)
            problems.Add($"{SectionName}:HighTechRecertificationGraceDays must be 0-3650 (got {HighTechRecertificationGraceDays})");
        foreach (var tier in EffectiveEntryTiers)
        {
            if (!TierLadder.IsDefined(tier)) problems.Add($"{SectionName}:EntryTiers contains an undefined tier {tier}");
        }
        foreach (var (tier, months) in EffectiveValidityMonths)
        {
            if (!TierLadder.IsDefined(tier)) problems.Add($"{SectionName}:ValidityMonths has an undefined tier {tier}");
            if (months is < 1 or > 240) problems.Add($"{SectionName}:ValidityMonths:{tier} must be 1-240 (got {months})");
        }
        return problems;
    }
}
