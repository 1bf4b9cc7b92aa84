using Parks.Domain;

namespace Parks.Finance.Domain.Policies;

/// <summary>How a payout comes about: 免申即享 (automatic, from a fact the zone already knows) or by application.</summary>
internal enum PayoutMode
{
    /// <summary>免申即享: created automatically, exactly once, when a fact makes the beneficiary eligible.</summary>
    Automatic = 1,
    /// <summary>Needs an application: apply → review → approve → pay.</summary>
    Application = 2,
}

/// <summary>Who receives the money.</summary>
internal enum BeneficiaryKind
{
    Enterprise = 1,
    Incubator = 2,
    FundManager = 3,
    Bank = 4,
    Insurer = 5,
    Guarantor = 6,
}

/// <summary>The facts that trigger automatic payouts.</summary>
internal enum FactKind
{
    /// <summary>An enterprise tier certification was granted or renewed (parks.events.v1.EnterpriseTierCertified).</summary>
    TierCertified = 1,
    /// <summary>A loan's principal loss was verified (the Finance service's own loan workflow).</summary>
    LoanLossVerified = 2,
}

/// <summary>Which date of the case a policy's validity window is checked against.</summary>
internal enum WindowBasis
{
    /// <summary>The date of the qualifying fact: the certification date, the deal date, the loss date, ...</summary>
    FactDate = 1,
    /// <summary>The enterprise's registration date (e.g. "新登记" awards).</summary>
    RegistrationDate = 2,
}

/// <summary>Whose payouts a cap ledger adds up.</summary>
internal enum CapScope
{
    Beneficiary = 1,
    /// <summary>The enterprise the payout is about (e.g. the borrower for a bank's risk compensation).</summary>
    Subject = 2,
}

internal enum CapPeriod
{
    Cumulative = 1,
    /// <summary>A calendar year of the payout's decision date.</summary>
    Year = 2,
}

/// <summary>A date range, both ends inclusive; a missing end is open.</summary>
internal sealed record DateWindow(DateOnly? From, DateOnly? To)
{
    public bool Contains(DateOnly date) => (From is null || date >= From) && (To is null || date <= To);

    public override string ToString() => $"{From?.ToString("yyyy-MM-dd") ?? "…"} to {To?.ToString("yyyy-MM-dd") ?? "…"}";
}

/// <summary>One band of a marginal (progressive) rate: the portion of the base up to <see cref="UpTo"/> earns Numerator/Denominator.</summary>
internal sealed record RateBand(Fen? UpTo, long Numerator, long Denominator);

/// <summary>How a payout's amount is computed before caps.</summary>
internal abstract record AmountRule
{
    private AmountRule() { }

    /// <summary>A fixed sum, e.g. 20万 for a first 高企 certification.</summary>
    public sealed record Fixed(Fen Amount) : AmountRule;

    /// <summary>A rate of a base input, e.g. 50% of a verified loss: Numerator/Denominator × input.</summary>
    public sealed record Rate(string BaseInput, long Numerator, long Denominator) : AmountRule;

    /// <summary>Marginal bands over a base input, e.g. the equity-investment reward's 4% / 2% / 1.5% / 1%.</summary>
    public sealed record Bands(string BaseInput, IReadOnlyList<RateBand> Tiers) : AmountRule;

    /// <summary>The amount the application requests (for subsidies "by stage" whose stage amounts are not stated), within the caps.</summary>
    public sealed record Requested : AmountRule;
}

/// <summary>
/// A cap over the payouts recorded in a ledger. Several policies may share a ledger: a 新三板 firm that later
/// lists gets only the difference (差额, 002:233), so the IPO cap counts the 新三板 payouts too. A cap without a
/// limit only records (a policy counts into a ledger another policy caps).
/// </summary>
internal sealed record Cap(string Ledger, CapScope Scope, CapPeriod Period, Fen? Limit);

/// <summary>What triggers an automatic policy: the fact kind and, for tier facts, the tiers and whether renewals count.</summary>
internal sealed record PolicyTrigger(FactKind Fact, IReadOnlyList<EnterpriseTier> Tiers, bool? Renewal, string? RiskScheme);

/// <summary>
/// One policy of the catalogue (政策兑现): trigger, eligibility, amount rule, caps, window, budget and the
/// document it comes from. Versions are kept: a payout names the rule version it was computed with.
/// </summary>
internal sealed record Policy(
    string Id,
    int Version,
    string NameZh,
    string NameEn,
    string Document,
    string Source,
    PayoutMode Mode,
    BeneficiaryKind Beneficiary,
    PolicyTrigger? Trigger,
    DateWindow Window,
    WindowBasis WindowBasis,
    bool WindowIllustrative,
    IReadOnlyList<EnterpriseTier> SubjectTiers,
    IReadOnlyDictionary<string, long> InputMinimums,
    IReadOnlyList<string> RequiredInputs,
    AmountRule Amount,
    Fen? PerItemCap,
    IReadOnlyList<Cap> Caps,
    IReadOnlyList<string> OncePer,
    Fen? AnnualBudget,
    bool BudgetIllustrative,
    string? Note)
{
    public const string Collection = "policies";

    public string Name => $"{Collection}/{Id}";

    public string RuleVersion => $"{Id}@v{Version}";

    public static string NameOf(string id) => $"{Collection}/{id}";

    /// <summary>Inputs the case must carry: the rule's base, the "once per" key parts, the minimums and the declared ones.</summary>
    public IEnumerable<string> NeededInputs()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var n in RequiredInputs) names.Add(n);
        foreach (var n in InputMinimums.Keys) names.Add(n);
        foreach (var n in OncePer) if (n is not (PayoutInputs.Subject or PayoutInputs.Beneficiary)) names.Add(n);
        switch (Amount)
        {
            case AmountRule.Rate r: names.Add(r.BaseInput); break;
            case AmountRule.Bands b: names.Add(b.BaseInput); break;
        }
        return names;
    }
}

/// <summary>Names of the inputs every payout case has.</summary>
internal static class PayoutInputs
{
    public const string Subject = "subject";
    public const string Beneficiary = "beneficiary";
    public const string FactDate = "fact_date";
    public const string RegistrationDate = "registration_date";
    public const string DecisionDate = "decision_date";
    public const string RequestedFen = "requested_fen";
}
