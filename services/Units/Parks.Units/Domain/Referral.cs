using Parks.Domain;

namespace Parks.Units.Domain;

public enum ReferralState
{
    Unspecified = 0,
    Pending = 1,
    Accepted = 2,
    Declined = 3,
}

/// <summary>The caller's description of a referral (fields unchecked).</summary>
public sealed record ReferralDraft(
    string? FromUnit,
    string? DisplayName,
    string? Investor,
    ProjectKind Kind,
    string? Industry,
    long AmountFen,
    bool Fortune500,
    bool IndustryLeader,
    string? ResearchProject);

/// <summary>
/// A project referred to a unit — typically by the zone or the Science City to a branch park, to "助推更多产业项目
/// 落地…分园" (000:152, 001:61; seeds-domain §1d.13). The receiving unit accepts it (it becomes an investment
/// project there) or declines it with a reason.
/// </summary>
public sealed record Referral
{
    public const string ZoneSource = "zone";

    public required string Id { get; init; }
    public required UnitRef ToUnit { get; init; }
    /// <summary>"zone", "scienceCity", "districts/{id}" or "parks/{id}".</summary>
    public required string FromUnit { get; init; }
    public required string DisplayName { get; init; }
    public string? Investor { get; init; }
    public ProjectKind Kind { get; init; }
    /// <summary>One of the 1+8 industries; null when the referring unit did not classify it (set on acceptance).</summary>
    public string? Industry { get; init; }
    public long AmountFen { get; init; }
    public bool Fortune500 { get; init; }
    public bool IndustryLeader { get; init; }
    /// <summary>The Science City research project this referral industrialises, if any.</summary>
    public string? ResearchProject { get; init; }
    public ReferralState State { get; init; } = ReferralState.Pending;
    public string? Reason { get; init; }
    /// <summary>Name of the project created on acceptance.</summary>
    public string? Project { get; init; }
    public DateTimeOffset? ResolveTime { get; init; }
    public bool Demo { get; init; }
    public DateTimeOffset CreateTime { get; init; }

    public string Name => ResourceNames.Referral(ToUnit, Id);

    /// <summary>Checks a referring unit's name: the zone, the Science City, a district or a branch park.</summary>
    public static bool IsValidSource(string? from) => from == ZoneSource || UnitRef.TryParse(from, out _);

    public static Referral Create(UnitRef toUnit, string id, ReferralDraft draft, IndustryCatalog industries, InvestmentRules rules, bool demo, DateTimeOffset now)
    {
        var v = new Validator();
        if (string.IsNullOrEmpty(draft.FromUnit)) v.Add("referral.from_unit", "is required (zone, scienceCity, districts/{id} or parks/{id})");
        else if (!IsValidSource(draft.FromUnit)) v.Add("referral.from_unit", $"'{draft.FromUnit}' is not zone, scienceCity, districts/{{id}} or parks/{{id}}");
        else if (draft.FromUnit == toUnit.ResourceName) v.Add("referral.from_unit", "a unit cannot refer a project to itself");
        InvestmentProject.Check(v, new ProjectDraft(draft.DisplayName, draft.Investor, draft.Kind, draft.Industry, draft.AmountFen, draft.Fortune500, draft.IndustryLeader),
            industries, rules, "referral", all: false, mask: ["display_name", "investor", "kind", "amount_fen"]);
        if (!string.IsNullOrEmpty(draft.Industry)) Enterprise.CheckIndustry(v, draft.Industry, industries, "referral.industry");
        Enterprise.CheckOptional(v, draft.ResearchProject, InvestmentProject.MaxText, "referral.research_project");
        v.ThrowIfInvalid();
        return new Referral
        {
            Id = id,
            ToUnit = toUnit,
            FromUnit = draft.FromUnit!,
            DisplayName = draft.DisplayName!.Trim(),
            Investor = Enterprise.Normalize(draft.Investor),
            Kind = draft.Kind,
            Industry = string.IsNullOrEmpty(draft.Industry) ? null : draft.Industry,
            AmountFen = draft.AmountFen,
            Fortune500 = draft.Fortune500,
            IndustryLeader = draft.IndustryLeader,
            ResearchProject = Enterprise.Normalize(draft.ResearchProject),
            Demo = demo,
            CreateTime = now,
        };
    }

    /// <summary>
    /// Accepts the referral: the project it becomes starts at 意向 (lead) in the receiving unit. An industry given
    /// here classifies a referral that arrived without one (or overrides it).
    /// </summary>
    public (Referral Referral, InvestmentProject Project) Accept(string projectId, string? industry, IndustryCatalog industries, InvestmentRules rules, DateOnly today, DateTimeOffset now)
    {
        RequirePending();
        var chosen = string.IsNullOrEmpty(industry) ? Industry : industry;
        if (chosen is null) throw new ValidationException("industry", $"referral {Name} names no industry; give one of the 1+8 industries ({industries.Listing})");
        if (!industries.Contains(chosen)) throw new ValidationException("industry", $"'{chosen}' is not one of the 1+8 industries ({industries.Listing})");
        var project = InvestmentProject.Create(ToUnit, projectId,
            new ProjectDraft(DisplayName, Investor, Kind, chosen, AmountFen, Fortune500, IndustryLeader), industries, rules, Demo, today, now) with
        {
            ReferredFrom = FromUnit,
            Referral = Name,
            ResearchProject = ResearchProject,
        };
        return (this with { State = ReferralState.Accepted, Project = project.Name, ResolveTime = now }, project);
    }

    public Referral Decline(string? reason, DateTimeOffset now)
    {
        var v = new Validator();
        v.RequireText(reason, "reason", Enterprise.MaxReason);
        v.ThrowIfInvalid();
        RequirePending();
        return this with { State = ReferralState.Declined, Reason = reason!.Trim(), ResolveTime = now };
    }

    private void RequirePending()
    {
        if (State != ReferralState.Pending)
        {
            throw new FailedPreconditionException("REFERRAL_STATE", Name,
                $"referral {Name} was already {(State == ReferralState.Accepted ? $"accepted as {Project}" : $"declined ({Reason})")}");
        }
    }
}
