using System.Globalization;
using Parks.Domain;

namespace Parks.Finance.Domain.Loans;

/// <summary>Who carries the risk the city compensates (002:219-225): the bank, an insurer or a guarantor.</summary>
internal enum RiskScheme
{
    /// <summary>Bank credit loan: 50% of the verified principal loss, at most 100万 per enterprise (002:219-221).</summary>
    BankCredit = 1,
    /// <summary>S&amp;T insurance: 20% of the claims paid, at most 100万 per enterprise (002:221).</summary>
    Insurance = 2,
    /// <summary>Financing guarantee: 20% of the guarantee compensation loss, at most 500万 per guarantor a year (002:225).</summary>
    Guarantee = 3,
}

/// <summary>
/// Who may borrow. The documents name the products but not their thresholds (seeds-domain §1d.3: weights,
/// thresholds and loan amounts are not stated), so every figure here is illustrative configuration.
/// </summary>
internal sealed record LoanEligibility(
    IReadOnlyList<EnterpriseTier> AnyOfTiers,
    long? MinCentipoints,
    int PointsMaxAgeYears,
    bool Illustrative);

/// <summary>A loan product of the zone: 创新积分贷, 知保贷, 知担贷, 创业担保贷款, ...</summary>
internal sealed record LoanProduct(
    string Id,
    string NameZh,
    string NameEn,
    RiskScheme RiskScheme,
    LoanEligibility Eligibility,
    Fen MaxCreditLine,
    int MaxTermMonths,
    bool LimitsIllustrative,
    string Source)
{
    public const string Collection = "loanProducts";

    public string Name => $"{Collection}/{Id}";

    public static string NameOf(string id) => $"{Collection}/{id}";

    /// <summary>The institution kind that must stand behind the loan besides the bank, if any.</summary>
    public Institutions.InstitutionKind? RiskPartnerKind => RiskScheme switch
    {
        RiskScheme.Guarantee => Institutions.InstitutionKind.FinancingGuarantee,
        RiskScheme.Insurance => Institutions.InstitutionKind.Insurance,
        _ => null,
    };

    /// <summary>
    /// Checks an enterprise against the product on <paramref name="today"/>; returns what the decision rested on, or
    /// throws FAILED_PRECONDITION (LOAN_NOT_ELIGIBLE) listing every unmet condition.
    /// </summary>
    public EligibilitySnapshot CheckEligibility(EnterpriseProfile profile, DateOnly today)
    {
        var tiers = profile.TiersOn(today);
        var points = profile.LatestPoints;
        var reasons = new List<string>();

        if (Eligibility.AnyOfTiers.Count > 0 && !Eligibility.AnyOfTiers.Any(tiers.Contains))
        {
            reasons.Add($"holds none of {string.Join(", ", Eligibility.AnyOfTiers.Select(t => t.Describe()))} (holds {(tiers.Count == 0 ? "none" : string.Join(", ", tiers.Select(t => t.Describe())))})");
        }
        if (Eligibility.MinCentipoints is { } min)
        {
            if (points is null)
            {
                reasons.Add("has no innovation-points evaluation");
            }
            else if (points.Year < today.Year - Eligibility.PointsMaxAgeYears)
            {
                reasons.Add($"latest innovation-points evaluation is for {points.Year}, older than {Eligibility.PointsMaxAgeYears} years");
            }
            else if (points.Centipoints < min)
            {
                reasons.Add($"innovation points {Points(points.Centipoints)} in {points.Year} are below the product's {Points(min)}");
            }
        }
        if (reasons.Count > 0)
        {
            throw new FailedPreconditionException("LOAN_NOT_ELIGIBLE", $"enterprises/{profile.Uscc}",
                $"enterprise {profile.Uscc} is not eligible for {NameZh} ({Id}): {string.Join("; ", reasons)}");
        }
        var rule = $"{Id}: tiers any of [{string.Join(",", Eligibility.AnyOfTiers)}]" +
                   (Eligibility.MinCentipoints is { } m ? $", points >= {Points(m)} within {Eligibility.PointsMaxAgeYears} years" : "") +
                   (Eligibility.Illustrative ? " (illustrative thresholds)" : "");
        return new EligibilitySnapshot(today, tiers, points?.Year, points?.Centipoints, rule);
    }

    private static string Points(long centipoints) => (centipoints / 100m).ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>What an eligibility decision rested on, kept with the application so it can be explained later.</summary>
internal sealed record EligibilitySnapshot(DateOnly CheckedOn, IReadOnlyList<EnterpriseTier> Tiers, int? PointsYear, long? Centipoints, string Rule);
