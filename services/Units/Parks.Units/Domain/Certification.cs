namespace Parks.Units.Domain;

/// <summary>The level of the body that certified a tier (national / provincial / municipal / zone, seeds-domain §1b.2).</summary>
public enum AuthorityLevel
{
    Unspecified = 0,
    National = 1,
    Provincial = 2,
    Municipal = 3,
    Zone = 4,
}

/// <summary>What happened to a certification; dates decide the rest (see <see cref="Certification.StateOn"/>).</summary>
public enum CertificationStatus
{
    Active = 1,
    Disqualified = 2,
}

/// <summary>A certification's standing on a given day.</summary>
public enum CertificationState
{
    /// <summary>Starts later (a renewal filed ahead of the end of its predecessor).</summary>
    Upcoming = 1,
    Valid = 2,
    /// <summary>A 高企 past its end whose re-certification is not decided yet: it keeps the tier (002:767).</summary>
    RecertificationPending = 3,
    /// <summary>Past its end and succeeded by a renewal.</summary>
    Renewed = 4,
    Expired = 5,
    Disqualified = 6,
}

/// <summary>One certification of an enterprise at a tier. Kept forever: the list is the enterprise's tier history.</summary>
public sealed record Certification
{
    /// <summary>Sequence number within the enterprise ("1", "2", …): the last segment of its resource name.</summary>
    public required string Id { get; init; }
    public required EnterpriseTier Tier { get; init; }
    public required string Authority { get; init; }
    public required AuthorityLevel AuthorityLevel { get; init; }
    /// <summary>E.g. "大连市2022年第一批入库科技型中小企业" (001:117).</summary>
    public string? Batch { get; init; }
    public required DateOnly ValidFrom { get; init; }
    /// <summary>Last valid day; null when the tier does not expire.</summary>
    public DateOnly? ValidTo { get; init; }
    /// <summary>True for 重新认定 (re-certification, 002:163) of an earlier certification of the same tier.</summary>
    public bool Renewal { get; init; }
    public string? Renews { get; init; }
    public string? RenewedBy { get; init; }
    public CertificationStatus Status { get; init; } = CertificationStatus.Active;
    public DateOnly? DisqualifiedOn { get; init; }
    public string? DisqualificationReason { get; init; }
    /// <summary>
    /// Disqualified during 高企 re-certification: the tax reduced in the meantime is paid back ("先减后补", 002:767).
    /// </summary>
    public bool TaxClawback { get; init; }
    /// <summary>Evidence for 领军: annual output in fen (must exceed 10亿元, 002:45).</summary>
    public long? AnnualOutputFen { get; init; }
    public DateTimeOffset CreateTime { get; init; }

    public CertificationState StateOn(DateOnly day, TierRules rules)
    {
        if (Status == CertificationStatus.Disqualified) return CertificationState.Disqualified;
        if (day < ValidFrom) return CertificationState.Upcoming;
        if (ValidTo is null || day <= ValidTo.Value) return CertificationState.Valid;
        if (RenewedBy is not null) return CertificationState.Renewed;
        if (Tier == EnterpriseTier.HighTech && day <= ValidTo.Value.AddDays(rules.HighTechRecertificationGraceDays))
            return CertificationState.RecertificationPending;
        return CertificationState.Expired;
    }

    public bool HoldsTierOn(DateOnly day, TierRules rules) =>
        StateOn(day, rules) is CertificationState.Valid or CertificationState.RecertificationPending;

    /// <summary>
    /// The first day on which this certification no longer holds the tier by itself (null: never lapses by date).
    /// A 高企 lapses after its re-certification grace; any other tier the day after it ends.
    /// </summary>
    public DateOnly? LapsesOn(TierRules rules)
    {
        if (Status == CertificationStatus.Disqualified || ValidTo is null) return null;
        var lastDay = Tier == EnterpriseTier.HighTech && RenewedBy is null
            ? ValidTo.Value.AddDays(rules.HighTechRecertificationGraceDays)
            : ValidTo.Value;
        return lastDay.AddDays(1);
    }

    /// <summary>Whether it still waits for renewal or expiry (shown by the "expiring" list).</summary>
    public bool IsOpenForRenewal => Status == CertificationStatus.Active && RenewedBy is null && ValidTo is not null;
}

/// <summary>A request to certify an enterprise at a tier for the first time (or anew after expiry).</summary>
public sealed record CertificationDraft(
    EnterpriseTier Tier,
    string? Authority,
    AuthorityLevel AuthorityLevel,
    string? Batch,
    DateOnly? ValidFrom,
    DateOnly? ValidTo,
    long? AnnualOutputFen);

/// <summary>A request to renew (re-certify) a certification.</summary>
public sealed record RenewalDraft(
    string? Authority,
    AuthorityLevel AuthorityLevel,
    string? Batch,
    DateOnly? ValidFrom,
    DateOnly? ValidTo);
