using Parks.Domain;

namespace Parks.ScienceCity.Domain;

/// <summary>The closed loop 立项 → 研发 → 中小试 → 产业化 (000:98), in order; a project moves one stage at a time.</summary>
internal enum ResearchStage
{
    Initiation = 1,          // 立项
    ResearchAndDevelopment = 2, // 研发
    PilotTrial = 3,          // 中小试
    Industrialization = 4,   // 产业化
}

/// <summary>One piece of evidence a stage gate rests on (an approval, a report, a trial record, a contract).</summary>
internal sealed record Evidence(string Kind, string Title, string? Reference);

/// <summary>The record of a project entering a stage: when, on what evidence, approved by whom.</summary>
internal sealed record StageGate(ResearchStage Stage, DateOnly EnteredDate, IReadOnlyList<Evidence> Evidence, string ApprovedBy, DateTimeOffset RecordTime);

internal enum LandingStatus
{
    /// <summary>Handed to the landing unit; its answer is awaited (parks.events.v1.ReferralResolved).</summary>
    Referred = 1,
    Accepted = 2,
    Declined = 3,
}

/// <summary>
/// The hand-off of an industrialising project to a district or branch park (seeds-domain §1d.13): the units
/// service turns parks.events.v1.ResearchProjectIndustrialized into a referral and answers with ReferralResolved.
/// </summary>
internal sealed record Landing(
    UnitRef Unit,
    LandingStatus Status,
    int Attempt,
    DateTimeOffset ReferredTime,
    string? Referral,
    string? Project,
    string? Reason);

internal sealed record ResearchProjectDraft(
    string Title,
    string LeadInstitution,
    IReadOnlyList<string> CoBuilders,
    string? Platform,
    ResearchDomain? Domain,
    string Industry,
    DateOnly InitiatedDate,
    IReadOnlyList<Evidence> InitiationEvidence,
    string ApprovedBy);

/// <summary>What the hand-off at 产业化 needs: where the project lands and what it expects to invest there.</summary>
internal sealed record LandingRequest(UnitRef Unit, Fen? ExpectedInvestment);

/// <summary>
/// A Science City research project (科学城科研项目) moving through 立项 → 研发 → 中小试 → 产业化 with a stage gate
/// per stage; at 产业化 it is handed to a district or branch park to land (a landing referral).
/// </summary>
internal sealed record ResearchProject(
    string Id,
    string Title,
    string LeadInstitution,
    IReadOnlyList<string> CoBuilders,
    string? Platform,
    ResearchDomain? Domain,
    string Industry,
    ResearchStage Stage,
    IReadOnlyList<StageGate> Gates,
    Fen? ExpectedInvestment,
    Landing? Landing,
    IReadOnlyList<Landing> PastLandings,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime)
{
    public const string Collection = "scienceCity/researchProjects";
    public const int MaxEvidence = 50;
    private const string PlatformPrefix = global::Parks.ScienceCity.Domain.Platform.Collection + "/";

    public string Name => $"{Collection}/{Id}";

    public static string NameOf(string id) => $"{Collection}/{id}";

    /// <summary>Creates a project at 立项: the initiation is itself a gate and needs its evidence (e.g. the approval).</summary>
    public static ResearchProject Initiate(string id, ResearchProjectDraft draft, DateTimeOffset now)
    {
        var v = new Validator();
        if (!Zone.IsValidSlug(id)) v.Add("research_project_id", "must be 2-40 lower-case letters, digits or '-', starting with a letter");
        v.RequireText(draft.Title, "title");
        v.RequireText(draft.LeadInstitution, "lead_institution");
        v.RequireText(draft.Industry, "industry", 100);
        v.Require(draft.CoBuilders.Count <= 20, "co_builders", "at most 20 co-builders");
        for (var i = 0; i < draft.CoBuilders.Count; i++) v.RequireText(draft.CoBuilders[i], $"co_builders[{i}]");
        v.Require(draft.Domain is null || Enum.IsDefined(draft.Domain.Value), "domain", "is not a 1+X domain");
        if (draft.Platform is not null && !draft.Platform.StartsWith(PlatformPrefix, StringComparison.Ordinal))
        {
            v.Add("platform", $"must be a platform resource name ({PlatformPrefix}{{id}})");
        }
        v.Require(draft.InitiatedDate <= Today(now), "initiated_date", "must not be in the future");
        ValidateGate(v, draft.InitiationEvidence, draft.ApprovedBy, "initiation_evidence");
        v.ThrowIfInvalid();

        var gate = new StageGate(ResearchStage.Initiation, draft.InitiatedDate, Clean(draft.InitiationEvidence), draft.ApprovedBy.Trim(), now);
        return new ResearchProject(id, draft.Title.Trim(), draft.LeadInstitution.Trim(), draft.CoBuilders.Select(c => c.Trim()).ToList(),
            draft.Platform, draft.Domain, draft.Industry.Trim(), ResearchStage.Initiation, [gate], null, null, [], now, now);
    }

    /// <summary>
    /// Passes the gate into <paramref name="to"/>, which must be the next stage: no skipping, no going back.
    /// Entering 产业化 needs a landing unit (a district or branch park) and produces the hand-off event.
    /// </summary>
    public (ResearchProject Project, LandingHandOff? Industrialized) Advance(
        ResearchStage to, DateOnly enteredDate, IReadOnlyList<Evidence> evidence, string approvedBy, LandingRequest? landing, DateTimeOffset now)
    {
        var v = new Validator();
        v.Require(Enum.IsDefined(to), "stage", "is required");
        ValidateGate(v, evidence, approvedBy, "evidence");
        v.Require(enteredDate <= Today(now), "entered_date", "must not be in the future");
        v.ThrowIfInvalid();

        if (to <= Stage)
        {
            throw new FailedPreconditionException("STAGE_ORDER", Name,
                $"project is already at {Describe(Stage)}; it cannot enter {Describe(to)} again or go back");
        }
        if (to != Stage + 1)
        {
            throw new FailedPreconditionException("STAGE_SKIP", Name,
                $"project is at {Describe(Stage)}; the next stage is {Describe(Stage + 1)}, so {Describe(to)} would skip {Describe(Stage + 1)}");
        }
        var previous = Gates[^1];
        if (enteredDate < previous.EnteredDate)
        {
            throw new ValidationException("entered_date",
                $"must not precede the date the project entered {Describe(previous.Stage)} ({previous.EnteredDate:yyyy-MM-dd})");
        }

        Landing? newLanding = null;
        Fen? expected = ExpectedInvestment;
        if (to == ResearchStage.Industrialization)
        {
            if (landing is null) throw new ValidationException("landing_unit", "is required to enter 产业化 (industrialisation): the district or branch park where the project lands");
            ValidateLanding(landing);
            newLanding = new Landing(landing.Unit, LandingStatus.Referred, 1, now, null, null, null);
            expected = landing.ExpectedInvestment;
        }
        else if (landing is not null)
        {
            throw new ValidationException("landing_unit", $"is only given when entering 产业化 (industrialisation), not {Describe(to)}");
        }

        var gate = new StageGate(to, enteredDate, Clean(evidence), approvedBy.Trim(), now);
        var next = this with
        {
            Stage = to,
            Gates = Gates.Append(gate).ToList(),
            Landing = newLanding ?? Landing,
            ExpectedInvestment = expected,
            UpdateTime = now,
        };
        return (next, newLanding is null ? null : next.IndustrializedEvent());
    }

    /// <summary>
    /// After the landing unit declined, hands the project to another district or branch park (a new referral).
    /// </summary>
    public (ResearchProject Project, LandingHandOff Industrialized) ReferElsewhere(LandingRequest landing, DateTimeOffset now)
    {
        if (Stage != ResearchStage.Industrialization || Landing is null)
        {
            throw new FailedPreconditionException("LANDING_STATE", Name, $"project is at {Describe(Stage)}; only an industrialising project is referred to a landing unit");
        }
        if (Landing.Status != LandingStatus.Declined)
        {
            throw new FailedPreconditionException("LANDING_STATE", Name,
                Landing.Status == LandingStatus.Accepted
                    ? $"project has already landed in {Landing.Unit}"
                    : $"the referral to {Landing.Unit} is still awaiting an answer");
        }
        ValidateLanding(landing);
        if (PastLandings.Any(l => l.Unit == landing.Unit) || Landing.Unit == landing.Unit)
        {
            throw new FailedPreconditionException("LANDING_DECLINED_BEFORE", Name, $"{landing.Unit} has already declined this project");
        }
        var next = this with
        {
            PastLandings = PastLandings.Append(Landing).ToList(),
            Landing = new Landing(landing.Unit, LandingStatus.Referred, Landing.Attempt + 1, now, null, null, null),
            ExpectedInvestment = landing.ExpectedInvestment ?? ExpectedInvestment,
            UpdateTime = now,
        };
        return (next, next.IndustrializedEvent());
    }

    /// <summary>
    /// Applies the landing unit's answer (parks.events.v1.ReferralResolved). Answers from a unit the project is
    /// not currently referred to, and repeats of an answer already applied, change nothing (delivery is at least once).
    /// </summary>
    public ResearchProject ApplyReferralResolution(UnitRef fromUnit, bool accepted, string? referral, string? project, string? reason, DateTimeOffset now)
    {
        if (Landing is null || Landing.Unit != fromUnit || Landing.Status != LandingStatus.Referred) return this;
        var resolved = accepted
            ? Landing with { Status = LandingStatus.Accepted, Referral = referral, Project = project, Reason = null }
            : Landing with { Status = LandingStatus.Declined, Referral = referral, Reason = string.IsNullOrWhiteSpace(reason) ? "declined without a reason" : reason.Trim() };
        return this with { Landing = resolved, UpdateTime = now };
    }

    public LandingHandOff IndustrializedEvent() =>
        Landing is null
            ? throw new InvalidOperationException("project has no landing unit")
            : new LandingHandOff(Name, Title, Landing.Unit, Industry, ExpectedInvestment ?? Fen.Zero, Landing.Attempt);

    public static string Describe(ResearchStage stage) => stage switch
    {
        ResearchStage.Initiation => "立项 (initiation)",
        ResearchStage.ResearchAndDevelopment => "研发 (R&D)",
        ResearchStage.PilotTrial => "中小试 (pilot and small-scale trial)",
        ResearchStage.Industrialization => "产业化 (industrialisation)",
        _ => $"stage {(int)stage}",
    };

    private static void ValidateLanding(LandingRequest landing)
    {
        var v = new Validator();
        switch (landing.Unit.Kind)
        {
            case UnitKind.District when !Zone.IsDistrict(landing.Unit.Id):
                v.Add("landing_unit", $"'{landing.Unit}' is not one of the six districts ({string.Join(", ", Zone.Districts.Select(d => d.Id))})");
                break;
            case UnitKind.ScienceCity:
                v.Add("landing_unit", "must be a district or branch park: the Science City hands industrialisation to them");
                break;
        }
        if (landing.ExpectedInvestment is { } amount && amount.Value <= 0)
        {
            v.Add("expected_investment_fen", $"must be positive when given (got {amount.Value})");
        }
        v.ThrowIfInvalid();
    }

    private static void ValidateGate(Validator v, IReadOnlyList<Evidence> evidence, string approvedBy, string field)
    {
        v.RequireText(approvedBy, "approved_by");
        if (evidence.Count == 0) v.Add(field, "a stage gate needs at least one piece of evidence");
        if (evidence.Count > MaxEvidence) v.Add(field, $"at most {MaxEvidence} pieces of evidence");
        for (var i = 0; i < Math.Min(evidence.Count, MaxEvidence); i++)
        {
            v.RequireText(evidence[i].Kind, $"{field}[{i}].kind", 50);
            v.RequireText(evidence[i].Title, $"{field}[{i}].title");
            if (evidence[i].Reference is { Length: > 500 }) v.Add($"{field}[{i}].reference", "must be at most 500 characters");
        }
    }

    private static List<Evidence> Clean(IReadOnlyList<Evidence> evidence) =>
        evidence.Select(e => new Evidence(e.Kind.Trim(), e.Title.Trim(), string.IsNullOrWhiteSpace(e.Reference) ? null : e.Reference.Trim())).ToList();

    private static DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime);
}

/// <summary>The hand-off (published as parks.events.v1.ResearchProjectIndustrialized); Attempt tells re-referrals apart.</summary>
internal sealed record LandingHandOff(string ResearchProject, string DisplayName, UnitRef LandingUnit, string Industry, Fen ExpectedInvestment, int Attempt);
