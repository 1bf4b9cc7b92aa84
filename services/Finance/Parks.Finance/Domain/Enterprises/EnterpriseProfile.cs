using Parks.Domain;

namespace Parks.Finance.Domain;

/// <summary>A tier certification as the finance service learned it from parks.events.v1.EnterpriseTierCertified.</summary>
internal sealed record TierCertification(
    EnterpriseTier Tier,
    string Certification,
    DateOnly ValidFrom,
    DateOnly? ValidTo,
    bool Renewal,
    string? DisqualificationReason)
{
    public bool IsActiveOn(DateOnly date) => DisqualificationReason is null && ValidFrom <= date && (ValidTo is null || date <= ValidTo);
}

/// <summary>An innovation-points evaluation (企业创新积分, 000:57) in hundredths of a point.</summary>
internal sealed record PointsEvaluation(int Year, long Centipoints, string ModelVersion);

/// <summary>
/// The finance service's own projection of an enterprise, built only from integration events
/// (EnterpriseRegistered/Relocated for the location; EnterpriseTierCertified/Disqualified; InnovationPointsEvaluated).
/// Authorisation and eligibility are checked against it, never against what a caller claims. Every Apply is
/// idempotent, so redelivered events change nothing.
/// </summary>
internal sealed record EnterpriseProfile(
    string Uscc,
    UnitRef? Unit,
    string? DisplayName,
    string? Industry,
    DateOnly? RegistrationDate,
    IReadOnlyList<UnitRef> PreviousUnits,
    IReadOnlyList<TierCertification> Certifications,
    IReadOnlyList<PointsEvaluation> Points)
{
    public static EnterpriseProfile Empty(string uscc) => new(UnifiedSocialCreditCode.Parse(uscc).Value, null, null, null, null, [], [], []);

    /// <summary>
    /// A first registration. When a relocation was applied first (events can arrive out of order) the location it
    /// set is kept: a registration never moves an enterprise.
    /// </summary>
    public EnterpriseProfile ApplyRegistered(UnitRef unit, string displayName, string industry, DateOnly? registrationDate) =>
        this with
        {
            Unit = Unit ?? unit,
            DisplayName = string.IsNullOrWhiteSpace(DisplayName) ? displayName : DisplayName,
            Industry = string.IsNullOrWhiteSpace(Industry) ? industry : Industry,
            RegistrationDate = registrationDate ?? RegistrationDate,
        };

    /// <summary>
    /// A relocation applies when the enterprise is where it moves from (or its location is not known yet); a repeat
    /// or a stale move (from a unit it has already left) changes nothing.
    /// </summary>
    public EnterpriseProfile ApplyRelocated(UnitRef from, UnitRef to, string displayName, string industry)
    {
        if (Unit == to || (Unit is not null && Unit != from)) return this;
        return this with
        {
            Unit = to,
            PreviousUnits = PreviousUnits.Contains(from) ? PreviousUnits : PreviousUnits.Append(from).ToList(),
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? DisplayName : displayName,
            Industry = string.IsNullOrWhiteSpace(industry) ? Industry : industry,
        };
    }

    /// <summary>Records a certification; the same certification (tier, id, start) twice is recorded once.</summary>
    public EnterpriseProfile ApplyTierCertified(UnitRef? unit, TierCertification certification)
    {
        var known = Certifications.Any(c => c.Tier == certification.Tier && c.Certification == certification.Certification && c.ValidFrom == certification.ValidFrom);
        return this with
        {
            Unit = Unit ?? unit,
            Certifications = known ? Certifications : Certifications.Append(certification).OrderBy(c => c.ValidFrom).ToList(),
        };
    }

    /// <summary>Withdraws the named certification (or, without a name, every active one of the tier).</summary>
    public EnterpriseProfile ApplyTierDisqualified(EnterpriseTier tier, string? certification, string reason) =>
        this with
        {
            Certifications = Certifications.Select(c =>
                c.Tier == tier && c.DisqualificationReason is null && (string.IsNullOrEmpty(certification) || c.Certification == certification)
                    ? c with { DisqualificationReason = string.IsNullOrWhiteSpace(reason) ? "disqualified" : reason }
                    : c).ToList(),
        };

    /// <summary>Keeps one evaluation per year: the latest one received replaces an earlier one of the same year.</summary>
    public EnterpriseProfile ApplyPointsEvaluated(PointsEvaluation evaluation) =>
        this with { Points = Points.Where(p => p.Year != evaluation.Year).Append(evaluation).OrderBy(p => p.Year).ToList() };

    /// <summary>The tiers the enterprise holds on a date.</summary>
    public IReadOnlyList<EnterpriseTier> TiersOn(DateOnly date) =>
        Certifications.Where(c => c.IsActiveOn(date)).Select(c => c.Tier).Distinct().Order().ToList();

    public PointsEvaluation? LatestPoints => Points.Count == 0 ? null : Points[^1];
}

/// <summary>
/// Who is calling: a zone-wide operator (the finance bureau, the gateway's administrators) or the system of one
/// district, branch park or the Science City. The identity comes from the gateway, never from the request body.
/// </summary>
internal readonly record struct Caller(UnitRef? Unit)
{
    public static Caller Zone => new(null);

    public static Caller ForUnit(UnitRef unit) => new(unit);

    public bool IsZone => Unit is null;

    public override string ToString() => Unit?.ResourceName ?? "zone";
}

/// <summary>The shared-services rule: a district system may act only for enterprises located in its own unit.</summary>
internal static class EnterpriseAccess
{
    /// <summary>
    /// Returns the enterprise's profile when <paramref name="caller"/> may act for it: NOT_FOUND when the service
    /// has never heard of the enterprise, PERMISSION_DENIED when it is located elsewhere.
    /// </summary>
    public static EnterpriseProfile Authorize(Caller caller, string uscc, EnterpriseProfile? profile)
    {
        if (profile is null || profile.Unit is null) throw new NotFoundException("Enterprise", uscc);
        if (caller.IsZone || caller.Unit == profile.Unit) return profile;
        throw new PermissionDeniedException($"{caller} may act only for enterprises located in it; enterprise {uscc} is not");
    }

    /// <summary>Decisions of the zone's finance bureau (approvals, payments, budgets, registers) are not a district's to take.</summary>
    public static void RequireZone(Caller caller, string what)
    {
        if (!caller.IsZone) throw new PermissionDeniedException($"{caller} may not {what}: that is the zone finance bureau's decision");
    }
}
