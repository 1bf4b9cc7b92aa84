using System.Threading;
using Parks.Domain;
using Parks.Units.Data;
using Parks.Units.Domain;

namespace Parks.Units.Tests;

/// <summary>Shared fixtures for the domain tests: the real catalogues and unique, valid credit codes.</summary>
internal static class TestData
{
    private static int _sequence = Random.Shared.Next(0, 1_000_000);

    public static readonly DateOnly Today = new(2024, 6, 15);
    public static readonly DateTimeOffset Now = new(2024, 6, 15, 9, 30, 0, TimeSpan.FromHours(8));

    public static IndustryCatalog Industries => SeedData.Industries;

    public static TierRules Rules { get; } = new();

    public static InvestmentRules Investment { get; } = new();

    public static UnitRef Lingshui => UnitRef.District("lingshui");

    public static UnitRef Qixianling => UnitRef.District("qixianling");

    public static UnitRef Jinpu => UnitRef.Park("jinpu");

    /// <summary>A valid credit code no other test uses (organisation code "T" + a process-wide sequence).</summary>
    public static string NewUscc()
    {
        var n = Interlocked.Increment(ref _sequence);
        return UnifiedSocialCreditCode.FromBody($"91210200T{n:00000000}").Value;
    }

    public static EnterpriseDraft Draft(string? uscc = null, string industry = "software-it") =>
        new(uscc ?? NewUscc(), "大连示例软件有限公司", industry, new DateOnly(2018, 3, 1), "大连高新区黄浦路", "A座");

    public static Enterprise NewEnterprise(UnitRef? unit = null, string? uscc = null) =>
        Enterprise.Register(unit ?? Lingshui, Draft(uscc), Industries, demo: false, Today, Now);

    public static CertificationDraft Cert(EnterpriseTier tier, DateOnly validFrom, DateOnly? validTo = null, long? outputFen = null) =>
        new(tier, "大连高新区管委会", AuthorityLevel.Zone, "2024年第一批", validFrom, validTo, outputFen);

    /// <summary>Certifies the ladder rung by rung up to <paramref name="top"/>, each certification from <paramref name="from"/>.</summary>
    public static Enterprise Climb(Enterprise enterprise, EnterpriseTier top, DateOnly from)
    {
        var rungs = TierLadder.All.Where(t => TierLadder.Rung(t) < 6 && TierLadder.Rung(t) <= TierLadder.Rung(top)).ToList();
        if (TierLadder.Rung(top) == 6) rungs.Add(top);
        foreach (var tier in rungs)
        {
            var output = tier == EnterpriseTier.Leader ? Fen.FromYi(11).Value : (long?)null;
            enterprise = enterprise.Certify(Cert(tier, from, outputFen: output), Rules, Today, Now).Enterprise;
        }
        return enterprise;
    }
}
