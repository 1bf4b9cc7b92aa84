using Parks.Domain;

namespace Parks.ScienceCity.Domain;

/// <summary>Kinds of innovation platform named in the documents (seeds-domain §1b.4; 000:152, 002:151-201).</summary>
internal enum PlatformKind
{
    NationalKeyLab = 1,              // 全国重点实验室 (new style)
    StateKeyLab = 2,                 // 国家重点实验室
    NationalLab = 3,                 // 国家实验室 (e.g. the "双碳" lab the zone bids for)
    LiaoningLab = 4,                 // 辽宁实验室 (滨海, 黄海)
    ProvincialKeyLab = 5,            // 省级重点实验室
    MunicipalKeyLab = 6,             // 市级重点实验室
    EngineeringResearchCentre = 7,   // 工程(技术)研究中心 / 工程实验室
    TechnologyInnovationCentre = 8,  // 技术创新中心
    NewTypeRdInstitution = 9,        // 新型研发机构
    PilotBase = 10,                  // 中小试验基地 / 成果中试基地
    LargeScienceFacility = 11,       // 大科学装置
    Incubator = 12,                  // 孵化器 hosted in the Science City
    Other = 13,
}

/// <summary>The level that accredited a platform (国家级 / 省级 / 市级 / 部属).</summary>
internal enum PlatformLevel
{
    National = 1,
    Provincial = 2,
    Municipal = 3,
    Ministry = 4,
}

/// <summary>Where a platform stands on admission (入驻) into the Science City.</summary>
internal enum AdmissionStatus
{
    /// <summary>Known to the Science City, not on an admission list.</summary>
    NotListed = 1,
    /// <summary>On an admission batch's list (梳理入驻), not yet moved in.</summary>
    Listed = 2,
    Admitted = 3,
    Declined = 4,
}

/// <summary>Results of a periodic evaluation; the first three are the grades of 002:151.</summary>
internal enum EvaluationResult
{
    Excellent = 1,           // 优秀
    Good = 2,                // 良好
    BasicallyQualified = 3,  // 基本合格
    Unqualified = 4,         // 不合格
}

internal sealed record Admission(AdmissionStatus Status, string? Batch, DateOnly? ListedDate, DateOnly? AdmittedDate, string? DeclineReason)
{
    public static Admission NotListed { get; } = new(AdmissionStatus.NotListed, null, null, null, null);
}

internal sealed record PlatformEvaluation(int Year, EvaluationResult Result, string Evaluator, DateOnly Date);

/// <summary>What a caller supplies to create a platform.</summary>
internal sealed record PlatformDraft(
    string DisplayName,
    PlatformKind Kind,
    PlatformLevel Level,
    string HostInstitution,
    ResearchDomain? Domain,
    string? StatusNote,
    string? Source);

/// <summary>The updatable fields of a platform (FieldMask paths use the proto names).</summary>
internal sealed record PlatformChanges(
    string? DisplayName = null,
    PlatformKind? Kind = null,
    PlatformLevel? Level = null,
    string? HostInstitution = null,
    ResearchDomain? Domain = null,
    bool ClearDomain = false,
    string? StatusNote = null);

/// <summary>
/// An innovation platform of the Science City (创新平台): lab, centre, R&amp;D institution, pilot base or facility,
/// with its host institution (依托单位), its "1+X" domain, its admission into the Science City and its evaluations.
/// </summary>
internal sealed record Platform(
    string Id,
    string DisplayName,
    PlatformKind Kind,
    PlatformLevel Level,
    string HostInstitution,
    ResearchDomain? Domain,
    string? StatusNote,
    Admission Admission,
    IReadOnlyList<PlatformEvaluation> Evaluations,
    string? Source,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime)
{
    public const string Collection = "scienceCity/platforms";

    public string Name => $"{Collection}/{Id}";

    public static string NameOf(string id) => $"{Collection}/{id}";

    public static Platform Create(string id, PlatformDraft draft, DateTimeOffset now)
    {
        var v = new Validator();
        if (!Zone.IsValidSlug(id)) v.Add("platform_id", "must be 2-40 lower-case letters, digits or '-', starting with a letter");
        Validate(v, draft.DisplayName, draft.Kind, draft.Level, draft.HostInstitution, draft.Domain, draft.StatusNote);
        if (draft.Source is { Length: > 200 }) v.Add("source", "must be at most 200 characters");
        v.ThrowIfInvalid();
        return new Platform(id, draft.DisplayName.Trim(), draft.Kind, draft.Level, draft.HostInstitution.Trim(), draft.Domain,
            draft.StatusNote?.Trim(), Admission.NotListed, [], draft.Source, now, now);
    }

    public Platform Update(PlatformChanges changes, DateTimeOffset now)
    {
        var next = this with
        {
            DisplayName = changes.DisplayName?.Trim() ?? DisplayName,
            Kind = changes.Kind ?? Kind,
            Level = changes.Level ?? Level,
            HostInstitution = changes.HostInstitution?.Trim() ?? HostInstitution,
            Domain = changes.ClearDomain ? null : changes.Domain ?? Domain,
            StatusNote = changes.StatusNote?.Trim() ?? StatusNote,
            UpdateTime = now,
        };
        var v = new Validator();
        Validate(v, next.DisplayName, next.Kind, next.Level, next.HostInstitution, next.Domain, next.StatusNote);
        v.ThrowIfInvalid();
        return next;
    }

    /// <summary>Puts the platform on an admission batch's list (梳理入驻). A declined platform may be listed again.</summary>
    public Platform EnlistForAdmission(AdmissionBatch batch, DateOnly date, DateTimeOffset now)
    {
        if (Admission.Status is AdmissionStatus.Listed or AdmissionStatus.Admitted)
        {
            throw new FailedPreconditionException("ADMISSION_STATE", Name,
                $"platform is already {Describe(Admission.Status)} (batch '{Admission.Batch}')");
        }
        return this with { Admission = new Admission(AdmissionStatus.Listed, batch.Id, date, null, null), UpdateTime = now };
    }

    /// <summary>Admits a listed platform into the Science City (入驻); the admission date cannot precede the listing.</summary>
    public Platform Admit(DateOnly date, DateTimeOffset now)
    {
        if (Admission.Status != AdmissionStatus.Listed)
        {
            throw new FailedPreconditionException("ADMISSION_STATE", Name,
                $"only a platform listed for admission can be admitted; this one is {Describe(Admission.Status)}");
        }
        if (date < Admission.ListedDate)
        {
            throw new ValidationException("admitted_date", $"must not precede the listing date {Admission.ListedDate:yyyy-MM-dd}");
        }
        return this with { Admission = Admission with { Status = AdmissionStatus.Admitted, AdmittedDate = date }, UpdateTime = now };
    }

    public Platform DeclineAdmission(string reason, DateTimeOffset now)
    {
        new Validator().RequireText(reason, "reason", 500).ThrowIfInvalid();
        if (Admission.Status != AdmissionStatus.Listed)
        {
            throw new FailedPreconditionException("ADMISSION_STATE", Name,
                $"only a platform listed for admission can be declined; this one is {Describe(Admission.Status)}");
        }
        return this with { Admission = Admission with { Status = AdmissionStatus.Declined, DeclineReason = reason.Trim() }, UpdateTime = now };
    }

    /// <summary>Records one evaluation per year (定期评估 / 年度考评); a second one for the same year is a duplicate.</summary>
    public Platform RecordEvaluation(PlatformEvaluation evaluation, DateTimeOffset now)
    {
        var v = new Validator();
        v.Require(Enum.IsDefined(evaluation.Result), "result", "is required");
        v.RequireText(evaluation.Evaluator, "evaluator");
        v.Require(evaluation.Year is >= 1990 and <= 2100, "year", $"must be a calendar year (got {evaluation.Year})");
        v.Require(evaluation.Date <= DateOnly.FromDateTime(now.UtcDateTime), "evaluation_date", "must not be in the future");
        v.Require(evaluation.Date.Year >= evaluation.Year, "evaluation_date", $"cannot precede the evaluated year {evaluation.Year}");
        v.ThrowIfInvalid();
        if (Evaluations.Any(e => e.Year == evaluation.Year))
        {
            throw new AlreadyExistsException("PlatformEvaluation", $"{Name}/evaluations/{evaluation.Year}",
                $"platform '{Id}' already has an evaluation for {evaluation.Year}");
        }
        var evaluations = Evaluations.Append(evaluation with { Evaluator = evaluation.Evaluator.Trim() }).OrderBy(e => e.Year).ToList();
        return this with { Evaluations = evaluations, UpdateTime = now };
    }

    private static void Validate(Validator v, string displayName, PlatformKind kind, PlatformLevel level, string hostInstitution,
        ResearchDomain? domain, string? statusNote)
    {
        v.RequireText(displayName, "display_name");
        v.Require(Enum.IsDefined(kind), "kind", "is required");
        v.Require(Enum.IsDefined(level), "level", "is required");
        v.RequireText(hostInstitution, "host_institution");
        v.Require(domain is null || Enum.IsDefined(domain.Value), "domain", "is not a 1+X domain");
        if (statusNote is { Length: > 500 }) v.Add("status_note", "must be at most 500 characters");
    }

    private static string Describe(AdmissionStatus status) => status switch
    {
        AdmissionStatus.NotListed => "not listed",
        AdmissionStatus.Listed => "listed for admission",
        AdmissionStatus.Admitted => "admitted",
        AdmissionStatus.Declined => "declined",
        _ => status.ToString(),
    };
}
