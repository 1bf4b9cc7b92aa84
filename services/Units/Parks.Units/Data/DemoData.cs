using System.Globalization;
using System.Text;
using Parks.Domain;
using Parks.Units.Domain;

namespace Parks.Units.Data;

/// <summary>
/// The DEMO data set of the local run: synthetic enterprises (valid credit codes, clearly labelled names),
/// their tier certifications, investment projects, referrals and innovation-points evaluations. Nothing here is
/// a real figure: every record is flagged <c>demo</c> and kept in the demo indexes. Identities, names,
/// industries, tiers, stages and amounts follow only from the seed; dates are placed relative to the day of
/// loading so that certifications are current when the local run starts.
/// </summary>
public sealed class DemoData(int seed, IndustryCatalog industries, TierRules tierRules, InnovationPointsModel model)
{
    /// <summary>Bumped when the generator changes, so a changed demo set is loaded again.</summary>
    public const string GeneratorVersion = "demo-v1";

    /// <summary>Credit codes of demo enterprises: organisation code "YD" + unit code + sequence (no real code is issued so).</summary>
    public const string OrganisationCodePrefix = "YD";

    private static readonly string[] Syllables = ["星", "海", "云", "启", "智", "联", "创", "恒", "达", "远", "博", "信", "华", "科", "源", "睿", "鑫", "通", "明", "嘉"];

    private static readonly Dictionary<string, string> IndustryWords = new(StringComparer.Ordinal)
    {
        ["software-it"] = "软件",
        ["metaverse"] = "元宇宙科技",
        ["connected-vehicles"] = "车联网",
        ["clean-energy"] = "能源科技",
        ["life-health"] = "生物医药",
        ["culture-tourism"] = "文旅",
        ["smart-ocean"] = "海洋科技",
        ["intelligent-manufacturing"] = "智能装备",
        ["digital-trade"] = "数字贸易",
    };

    private static readonly IReadOnlyList<string> KnownUnits =
        [.. Zone.Districts.Select(d => $"districts/{d.Id}"), .. Zone.SeedBranchParkIds.Select(p => $"parks/{p}")];

    /// <summary>A demo enterprise: the registration draft, the tier it climbs to, and its certification dates.</summary>
    public sealed record DemoEnterprise(EnterpriseDraft Draft, EnterpriseTier TargetTier, IReadOnlyList<CertificationDraft> Certifications);

    public sealed record DemoProject(string Id, ProjectDraft Draft, ProjectStage Stage, IReadOnlyList<DateOnly> StageDates, string? DropReason);

    public sealed record DemoReferral(string Id, ReferralDraft Draft, ReferralState Outcome, string? DeclineReason);

    public sealed record DemoEvaluation(string Uscc, int Year, IReadOnlyDictionary<string, long> Inputs);

    /// <summary>The credit code of the <paramref name="sequence"/>-th demo enterprise of <paramref name="unit"/>.</summary>
    public static string Uscc(UnitRef unit, int sequence)
    {
        var alphabet = UnifiedSocialCreditCode.Characters;
        var unitCode = UnitCode(unit);
        var body = new StringBuilder("91210200").Append(OrganisationCodePrefix)
            .Append(alphabet[unitCode / 31]).Append(alphabet[unitCode % 31]);
        Span<char> digits = stackalloc char[5];
        var n = sequence;
        for (var i = 4; i >= 0; i--) { digits[i] = alphabet[n % 31]; n /= 31; }
        return UnifiedSocialCreditCode.FromBody(body.Append(digits).ToString()).Value;
    }

    public static bool IsDemoUscc(string uscc) => uscc.Length == 18 && uscc.AsSpan(8, 2).SequenceEqual(OrganisationCodePrefix);

    public IReadOnlyList<DemoEnterprise> Enterprises(UnitRef unit, int count, DateOnly today)
    {
        var random = Random(unit, "enterprises");
        var favoured = FavouredIndustries(unit);
        var result = new List<DemoEnterprise>(count);
        for (var i = 0; i < count; i++)
        {
            var industry = favoured.Count > 0 && random.Next(100) < 40 ? favoured[random.Next(favoured.Count)] : industries.All[random.Next(industries.All.Count)].Id;
            var name = $"[演示] {Syllables[random.Next(Syllables.Length)]}{Syllables[random.Next(Syllables.Length)]}{IndustryWords.GetValueOrDefault(industry, "科技")}有限公司 {(i + 1).ToString("0000", CultureInfo.InvariantCulture)}";
            var tier = Tier(random.Next(10_000));
            var certifications = Certifications(random, tier, today);
            var registered = today.AddDays(-(400 + random.Next(15 * 365)));
            if (certifications.Count > 0 && certifications.Min(c => c.ValidFrom!.Value) is var first && first <= registered)
                registered = first.AddDays(-random.Next(30, 400));
            result.Add(new DemoEnterprise(
                new EnterpriseDraft(Uscc(unit, i), name, industry, registered, $"演示地址 {random.Next(1, 300)}号", $"{(char)('A' + random.Next(6))}座"),
                tier,
                certifications));
        }
        return result;
    }

    public IReadOnlyList<DemoProject> Projects(UnitRef unit, int count, DateOnly today)
    {
        var random = Random(unit, "projects");
        var result = new List<DemoProject>(count);
        for (var i = 0; i < count; i++)
        {
            var industry = industries.All[random.Next(industries.All.Count)].Id;
            // 0.1亿 to 20亿元, whole 万元; one in ten not yet known.
            var amount = random.Next(10) == 0 ? 0 : Fen.FromWan(1000 + random.Next(199_000)).Value;
            var draft = new ProjectDraft($"[演示] {Syllables[random.Next(Syllables.Length)]}{Syllables[random.Next(Syllables.Length)]}{IndustryWords.GetValueOrDefault(industry, "科技")}项目",
                $"[演示] 投资方 {random.Next(1, 500)}", (ProjectKind)(1 + random.Next(5)), industry, amount, random.Next(100) < 5, random.Next(100) < 10);
            var dropped = random.Next(100) < 8;
            var stage = dropped ? ProjectStage.Dropped : (ProjectStage)(1 + random.Next(5));
            var steps = stage == ProjectStage.Dropped ? random.Next(4) : (int)stage - 1;
            var dates = new List<DateOnly>();
            var day = today.AddDays(-random.Next(200, 900));
            for (var s = 0; s <= steps; s++)
            {
                dates.Add(day);
                day = day.AddDays(random.Next(10, 150));
                if (day > today) day = today;
            }
            result.Add(new DemoProject($"demo-{i + 1:0000}", draft, stage, dates, dropped ? "[演示] 投资方调整计划" : null));
        }
        return result;
    }

    public IReadOnlyList<DemoReferral> Referrals(UnitRef unit, int count)
    {
        var random = Random(unit, "referrals");
        string[] sources = ["zone", "scienceCity", .. Zone.Districts.Select(d => $"districts/{d.Id}")];
        var result = new List<DemoReferral>(count);
        for (var i = 0; i < count; i++)
        {
            var industry = industries.All[random.Next(industries.All.Count)].Id;
            var from = sources[random.Next(sources.Length)];
            var draft = new ReferralDraft(from, $"[演示] 转介项目 {Syllables[random.Next(Syllables.Length)]}{IndustryWords.GetValueOrDefault(industry, "科技")}",
                $"[演示] 投资方 {random.Next(1, 500)}", ProjectKind.Industrialization, industry, Fen.FromWan(500 + random.Next(50_000)).Value,
                false, random.Next(100) < 15, from == "scienceCity" ? $"scienceCity/researchProjects/demo-{i + 1:000}" : null);
            var roll = random.Next(100);
            var outcome = roll < 50 ? ReferralState.Pending : roll < 80 ? ReferralState.Accepted : ReferralState.Declined;
            result.Add(new DemoReferral($"demo-{i + 1:000}", draft, outcome, outcome == ReferralState.Declined ? "[演示] 用地条件不匹配" : null));
        }
        return result;
    }

    /// <summary>Evaluations for about a third of the unit's demo enterprises, for last year.</summary>
    public IReadOnlyList<DemoEvaluation> Evaluations(UnitRef unit, IReadOnlyList<string> usccs, DateOnly today)
    {
        var random = Random(unit, "points");
        var inputs = model.Dimensions.SelectMany(d => d.Inputs).ToArray();
        var result = new List<DemoEvaluation>();
        foreach (var uscc in usccs)
        {
            if (random.Next(3) != 0) continue;
            var values = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var input in inputs)
            {
                var scale = input.Unit switch { "basis points" => 2000, "万元" => 20_000, _ => 6 };
                values[input.Id] = model.Dimensions.Single(d => d.Inputs.Contains(input)).Deducts
                    ? (random.Next(10) == 0 ? random.Next(1, 3) : 0)
                    : random.Next(scale);
            }
            result.Add(new DemoEvaluation(uscc, today.Year - 1, values));
        }
        return result;
    }

    private IReadOnlyList<CertificationDraft> Certifications(SplitMix random, EnterpriseTier target, DateOnly today)
    {
        if (target == EnterpriseTier.Unspecified) return [];
        var rungs = TierLadder.All.Where(t => TierLadder.Rung(t) < 6 && TierLadder.Rung(t) <= TierLadder.Rung(target)).ToList();
        if (TierLadder.Rung(target) == 6) rungs.Add(target);
        var result = new List<CertificationDraft>();
        foreach (var tier in rungs)
        {
            // Start so the certification is valid today; about one in eight ends within the next 90 days.
            var months = tierRules.ValidityFor(tier);
            var span = months is null ? 720 : today.AddMonths(-months.Value).DayNumber - today.DayNumber;
            var back = months is null ? random.Next(30, 720) : random.Next(8) == 0 ? -span - random.Next(1, 90) : random.Next(1, Math.Max(2, -span - 90));
            var from = today.AddDays(-back);
            result.Add(new CertificationDraft(tier, tier switch
            {
                EnterpriseTier.TechSme => "[演示] 大连市科学技术局",
                EnterpriseTier.HighTech => "[演示] 大连高新区管委会",
                EnterpriseTier.Listed => "[演示] 证券交易所",
                _ => "[演示] 辽宁省科学技术厅",
            }, tier switch
            {
                EnterpriseTier.TechSme => AuthorityLevel.Municipal,
                EnterpriseTier.HighTech => AuthorityLevel.Zone,
                EnterpriseTier.Listed => AuthorityLevel.National,
                _ => AuthorityLevel.Provincial,
            }, $"[演示] {from.Year}年第{1 + random.Next(2)}批", from, null,
                tier == EnterpriseTier.Leader ? Fen.FromYi(11 + random.Next(40)).Value : null));
        }
        return result;
    }

    /// <summary>Tier shares of the demo set (synthetic; not the zone's counts).</summary>
    private static EnterpriseTier Tier(int roll) => roll switch
    {
        < 4000 => EnterpriseTier.Unspecified,
        < 7000 => EnterpriseTier.TechSme,
        < 8700 => EnterpriseTier.HighTech,
        < 9700 => EnterpriseTier.Eaglet,
        < 9950 => EnterpriseTier.Gazelle,
        < 9980 => EnterpriseTier.Unicorn,
        < 9995 => EnterpriseTier.Leader,
        _ => EnterpriseTier.Listed,
    };

    private IReadOnlyList<string> FavouredIndustries(UnitRef unit) => unit.Kind == UnitKind.District
        ? SeedData.Districts.FirstOrDefault(d => d.Id == unit.Id)?.IndustryIds.Where(industries.Contains).ToList() ?? []
        : [];

    private SplitMix Random(UnitRef unit, string stream) =>
        new((ulong)(uint)seed << 32 ^ Fnv(unit.ResourceName + "|" + stream));

    private static int UnitCode(UnitRef unit)
    {
        var known = KnownUnits.ToList().IndexOf(unit.ResourceName);
        return known >= 0 ? known : KnownUnits.Count + (int)(Fnv(unit.ResourceName) % (ulong)(31 * 31 - KnownUnits.Count));
    }

    private static ulong Fnv(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text)) hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }

    /// <summary>SplitMix64: a tiny generator whose sequence is fixed by its seed on every platform and runtime.</summary>
    private sealed class SplitMix(ulong state)
    {
        public int Next(int maxExclusive) => Next(0, maxExclusive);

        public int Next(int minInclusive, int maxExclusive)
        {
            if (maxExclusive <= minInclusive) return minInclusive;
            return minInclusive + (int)(NextUInt64() % (ulong)(maxExclusive - minInclusive));
        }

        private ulong NextUInt64()
        {
            var z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
