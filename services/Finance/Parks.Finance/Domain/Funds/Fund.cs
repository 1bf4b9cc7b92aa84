using Parks.Domain;

namespace Parks.Finance.Domain.Funds;

/// <summary>"母基金+子基金": the guidance (mother) fund and its sub-funds (000:123).</summary>
internal enum FundRole
{
    Mother = 1,
    Sub = 2,
}

/// <summary>The full-lifecycle fund system (000:123) plus the angel fund for the seed and start-up stages (000:65).</summary>
internal enum FundStage
{
    Angel = 1,                   // 天使 (种子期、初创期)
    OriginalInnovation = 2,      // 原始创新
    ResultsTransfer = 3,         // 成果转化
    VentureCapital = 4,          // 风险投资
    IndustrialDevelopment = 5,   // 产业发展
    MergerAcquisition = 6,       // 并购
    Guidance = 7,                // 政府引导 (the mother fund's own stage: all of them)
}

internal enum FundStatus
{
    Planned = 1,
    BeingSetUp = 2,
    Active = 3,
    Closed = 4,
}

internal sealed record FundDraft(
    string DisplayName,
    FundRole Role,
    string? ParentFund,
    FundStage Stage,
    FundStatus Status,
    string? Manager,
    Fen GovernmentCommitted,
    Fen SocialCommitted,
    Fen PaidIn,
    Fen? LeveragedSocialCapitalReported,
    string? Source);

/// <summary>
/// A fund: committed capital (认缴) from government and social sources, paid-in capital (实缴/到位) and, for the
/// mother fund, the social capital it levers (撬动): 10亿 in place levered 39亿 (000:66).
/// </summary>
internal sealed record Fund(
    string Id,
    string DisplayName,
    FundRole Role,
    string? ParentFund,
    FundStage Stage,
    FundStatus Status,
    string? Manager,
    Fen GovernmentCommitted,
    Fen SocialCommitted,
    Fen PaidIn,
    Fen? LeveragedSocialCapitalReported,
    string? Source,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime)
{
    public const string Collection = "funds";

    public string Name => $"{Collection}/{Id}";

    public static string NameOf(string id) => $"{Collection}/{id}";

    public Fen Committed => GovernmentCommitted + SocialCommitted;

    /// <summary>
    /// Social capital per unit of government capital, in basis points (39亿 on 10亿 = 39000). For the mother fund the
    /// social side is what its sub-funds raise (or the reported figure); for a sub-fund its own social commitment.
    /// </summary>
    public static long LeverageBasisPoints(Fen government, Fen social) =>
        government.Value <= 0 ? 0 : (long)((Int128)social.Value * 10_000 / government.Value);

    public static Fund Create(string id, FundDraft d, Fund? parent, DateTimeOffset now)
    {
        var v = new Validator();
        if (!Zone.IsValidSlug(id)) v.Add("fund_id", "must be 2-40 lower-case letters, digits or '-', starting with a letter");
        v.RequireText(d.DisplayName, "display_name");
        v.Require(Enum.IsDefined(d.Role), "role", "is required (mother or sub)");
        v.Require(Enum.IsDefined(d.Stage), "stage", "is required");
        v.Require(Enum.IsDefined(d.Status), "status", "is required");
        v.Require(d.GovernmentCommitted.Value >= 0, "government_committed_fen", "must not be negative");
        v.Require(d.SocialCommitted.Value >= 0, "social_committed_fen", "must not be negative");
        v.Require(d.PaidIn.Value >= 0, "paid_in_fen", "must not be negative");
        if (d.LeveragedSocialCapitalReported is { Value: < 0 }) v.Add("leveraged_social_capital_reported_fen", "must not be negative");
        if (d.Role == FundRole.Mother && d.ParentFund is not null) v.Add("parent_fund", "a mother fund has no parent");
        if (d.Role == FundRole.Sub && string.IsNullOrEmpty(d.ParentFund)) v.Add("parent_fund", "a sub-fund names its mother fund");
        if (d.PaidIn > d.GovernmentCommitted + d.SocialCommitted && d.GovernmentCommitted.Value + d.SocialCommitted.Value > 0)
        {
            v.Add("paid_in_fen", "cannot exceed the committed capital");
        }
        v.ThrowIfInvalid();

        if (d.Role == FundRole.Sub)
        {
            if (parent is null) throw new NotFoundException("Fund", d.ParentFund!);
            if (parent.Role != FundRole.Mother)
            {
                throw new FailedPreconditionException("FUND_PARENT", d.ParentFund!, $"'{parent.DisplayName}' is a sub-fund; a sub-fund's parent is the mother fund");
            }
        }
        return new Fund(id, d.DisplayName.Trim(), d.Role, d.ParentFund, d.Stage, d.Status, d.Manager, d.GovernmentCommitted, d.SocialCommitted,
            d.PaidIn, d.LeveragedSocialCapitalReported, d.Source, now, now);
    }

    /// <summary>A capital call paid in (到位). Paid-in never exceeds the committed capital once commitments are recorded.</summary>
    public Fund RecordPaidIn(Fen amount, DateTimeOffset now)
    {
        if (amount.Value <= 0) throw new ValidationException("amount_fen", $"must be positive (got {amount.Value})");
        var paid = PaidIn + amount;
        if (Committed.Value > 0 && paid > Committed)
        {
            throw new OutOfRangeException("amount_fen",
                $"paying in {amount.ToYuanString()} yuan would bring paid-in capital to {paid.ToYuanString()} yuan, above the committed {Committed.ToYuanString()} yuan");
        }
        return this with { PaidIn = paid, UpdateTime = now };
    }

    public Fund ChangeStatus(FundStatus status, DateTimeOffset now)
    {
        if (!Enum.IsDefined(status)) throw new ValidationException("status", "is required");
        if (Status == FundStatus.Closed && status != FundStatus.Closed)
        {
            throw new FailedPreconditionException("FUND_CLOSED", Name, "a closed fund does not reopen");
        }
        return this with { Status = status, UpdateTime = now };
    }
}
