using Parks.Domain;

namespace Parks.Units.Domain;

/// <summary>
/// Stages of an investment-attraction project (招商项目): 意向 → 签约 → 落地 → 开工 → 投产, or dropped
/// (000:101, 001:79, 001:101, 002:211).
/// </summary>
public enum ProjectStage
{
    Unspecified = 0,
    /// <summary>意向: an investment intention being followed (000:101).</summary>
    Lead = 1,
    /// <summary>签约 (001:79, 001:101).</summary>
    Signed = 2,
    /// <summary>落地 (001:79).</summary>
    Landed = 3,
    /// <summary>开工 (001:101 "计划开工建设").</summary>
    ConstructionStarted = 4,
    /// <summary>投产 (002:211 "项目投产后").</summary>
    InProduction = 5,
    Dropped = 6,
}

/// <summary>Kinds of project the documents name (000:7, 000:59, 000:101, 001:101).</summary>
public enum ProjectKind
{
    Unspecified = 0,
    /// <summary>研发中心.</summary>
    RdCenter = 1,
    /// <summary>第二总部.</summary>
    SecondHeadquarters = 2,
    /// <summary>总部企业.</summary>
    Headquarters = 3,
    /// <summary>重大项目.</summary>
    MajorProject = 4,
    /// <summary>产业化项目.</summary>
    Industrialization = 5,
}

public static class ProjectStages
{
    public static IReadOnlyList<ProjectStage> All { get; } =
        [ProjectStage.Lead, ProjectStage.Signed, ProjectStage.Landed, ProjectStage.ConstructionStarted, ProjectStage.InProduction, ProjectStage.Dropped];

    public static bool IsTerminal(ProjectStage stage) => stage is ProjectStage.InProduction or ProjectStage.Dropped;

    /// <summary>The one stage that may follow <paramref name="stage"/> on the way to production.</summary>
    public static ProjectStage? Next(ProjectStage stage) => stage switch
    {
        ProjectStage.Lead => ProjectStage.Signed,
        ProjectStage.Signed => ProjectStage.Landed,
        ProjectStage.Landed => ProjectStage.ConstructionStarted,
        ProjectStage.ConstructionStarted => ProjectStage.InProduction,
        _ => null,
    };

    public static string NameZh(ProjectStage stage) => stage switch
    {
        ProjectStage.Lead => "意向",
        ProjectStage.Signed => "签约",
        ProjectStage.Landed => "落地",
        ProjectStage.ConstructionStarted => "开工",
        ProjectStage.InProduction => "投产",
        ProjectStage.Dropped => "终止",
        _ => "未定",
    };

    public static string Slug(ProjectStage stage) => stage switch
    {
        ProjectStage.Lead => "lead",
        ProjectStage.Signed => "signed",
        ProjectStage.Landed => "landed",
        ProjectStage.ConstructionStarted => "construction-started",
        ProjectStage.InProduction => "in-production",
        ProjectStage.Dropped => "dropped",
        _ => "unspecified",
    };
}

/// <summary>What the documents leave open about projects, as configuration. Defaults are ILLUSTRATIVE.</summary>
public sealed class InvestmentRules
{
    public const string SectionName = "Parks:Units:Investment";

    /// <summary>
    /// Largest believable single project, to refuse typos such as an amount in fen meant as yuan. Illustrative:
    /// 1000亿元 (the zone's whole 2021 GDP was 400.1亿元, 000:6).
    /// </summary>
    public long MaxAmountFen { get; set; } = Fen.FromYi(1000).Value;

    public IReadOnlyList<string> Problems() =>
        MaxAmountFen <= 0 ? [$"{SectionName}:MaxAmountFen must be positive (got {MaxAmountFen})"] : [];
}

public sealed record StageChange(ProjectStage From, ProjectStage To, DateOnly Date, string? Reason, DateTimeOffset Time);

/// <summary>The caller's description of a project (fields unchecked).</summary>
public sealed record ProjectDraft(
    string? DisplayName,
    string? Investor,
    ProjectKind Kind,
    string? Industry,
    long AmountFen,
    bool Fortune500,
    bool IndustryLeader);

/// <summary>An investment-attraction project (招商项目) located in a district or branch park (seeds-domain §1b.12).</summary>
public sealed record InvestmentProject
{
    public const int MaxText = 200;

    /// <summary>"投资额亿元以上" marks key projects (000:107).</summary>
    public static readonly Fen MajorThreshold = Fen.FromYi(1);

    public static readonly IReadOnlyList<string> UpdatableFields =
        ["display_name", "investor", "kind", "industry", "amount_fen", "fortune500", "industry_leader"];

    public required string Id { get; init; }
    public required UnitRef Unit { get; init; }
    public required string DisplayName { get; init; }
    public string? Investor { get; init; }
    public ProjectKind Kind { get; init; }
    public required string Industry { get; init; }
    /// <summary>Planned investment in fen; 0 when not known yet.</summary>
    public long AmountFen { get; init; }
    /// <summary>世界500强 investor (000:7, 001:79).</summary>
    public bool Fortune500 { get; init; }
    /// <summary>行业领军 investor (000:7, 001:79).</summary>
    public bool IndustryLeader { get; init; }
    public ProjectStage Stage { get; init; } = ProjectStage.Lead;
    public DateOnly StageDate { get; init; }
    public IReadOnlyList<StageChange> History { get; init; } = [];
    /// <summary>Where the project came from when it arrived by referral: "zone", "scienceCity", "districts/…", "parks/…".</summary>
    public string? ReferredFrom { get; init; }
    public string? Referral { get; init; }
    public string? ResearchProject { get; init; }
    public bool Demo { get; init; }
    public DateTimeOffset CreateTime { get; init; }
    public DateTimeOffset UpdateTime { get; init; }

    public string Name => ResourceNames.Project(Unit, Id);

    public bool Major => AmountFen >= MajorThreshold.Value;

    public static InvestmentProject Create(
        UnitRef unit, string id, ProjectDraft draft, IndustryCatalog industries, InvestmentRules rules,
        bool demo, DateOnly today, DateTimeOffset now, string field = "project")
    {
        var v = new Validator();
        Check(v, draft, industries, rules, field, all: true);
        v.ThrowIfInvalid();
        return new InvestmentProject
        {
            Id = id,
            Unit = unit,
            DisplayName = draft.DisplayName!.Trim(),
            Investor = Enterprise.Normalize(draft.Investor),
            Kind = draft.Kind,
            Industry = draft.Industry!,
            AmountFen = draft.AmountFen,
            Fortune500 = draft.Fortune500,
            IndustryLeader = draft.IndustryLeader,
            Stage = ProjectStage.Lead,
            StageDate = today,
            History = [new StageChange(ProjectStage.Unspecified, ProjectStage.Lead, today, null, now)],
            Demo = demo,
            CreateTime = now,
            UpdateTime = now,
        };
    }

    public InvestmentProject Update(IReadOnlyCollection<string> mask, ProjectDraft patch, IndustryCatalog industries, InvestmentRules rules, DateTimeOffset now)
    {
        var v = new Validator();
        if (mask.Count == 0) v.Add("update_mask", $"is required: name the fields to change ({string.Join(", ", UpdatableFields)})");
        foreach (var path in mask.Where(p => !UpdatableFields.Contains(p)))
        {
            v.Add("update_mask", path == "stage"
                ? "'stage' changes through AdvanceInvestmentProject and DropInvestmentProject"
                : $"'{path}' cannot be updated (updatable: {string.Join(", ", UpdatableFields)})");
        }
        v.ThrowIfInvalid();
        var next = this with
        {
            DisplayName = mask.Contains("display_name") ? patch.DisplayName?.Trim() ?? "" : DisplayName,
            Investor = mask.Contains("investor") ? Enterprise.Normalize(patch.Investor) : Investor,
            Kind = mask.Contains("kind") ? patch.Kind : Kind,
            Industry = mask.Contains("industry") ? patch.Industry ?? "" : Industry,
            AmountFen = mask.Contains("amount_fen") ? patch.AmountFen : AmountFen,
            Fortune500 = mask.Contains("fortune500") ? patch.Fortune500 : Fortune500,
            IndustryLeader = mask.Contains("industry_leader") ? patch.IndustryLeader : IndustryLeader,
            UpdateTime = now,
        };
        Check(v, new ProjectDraft(next.DisplayName, next.Investor, next.Kind, next.Industry, next.AmountFen, next.Fortune500, next.IndustryLeader),
            industries, rules, "project", all: false, mask);
        v.ThrowIfInvalid();
        if (Stage == ProjectStage.Dropped)
            throw new FailedPreconditionException("PROJECT_STAGE", Name, $"project {Name} was dropped on {Enterprise.Iso(StageDate)} and can no longer be changed");
        return next;
    }

    /// <summary>Moves to the next stage; stages are not skipped and never go back.</summary>
    public InvestmentProject Advance(ProjectStage to, DateOnly? date, DateOnly today, DateTimeOffset now)
    {
        var v = new Validator();
        if (to is < ProjectStage.Signed or > ProjectStage.InProduction)
            v.Add("stage", "must be SIGNED, LANDED, CONSTRUCTION_STARTED or IN_PRODUCTION (dropping is DropInvestmentProject)");
        var on = date ?? today;
        CheckStageDate(v, on, today, "stage_date");
        v.ThrowIfInvalid();
        if (ProjectStages.IsTerminal(Stage))
            throw new FailedPreconditionException("PROJECT_STAGE", Name, $"project {Name} is {ProjectStages.NameZh(Stage)} ({Stage}); no further stage follows");
        var next = ProjectStages.Next(Stage)!.Value;
        if (to != next)
        {
            throw new FailedPreconditionException("PROJECT_STAGE", Name, to <= Stage
                ? $"project {Name} is already {ProjectStages.NameZh(Stage)} ({Stage}); stages do not go back"
                : $"project {Name} is {ProjectStages.NameZh(Stage)} ({Stage}); the next stage is {ProjectStages.NameZh(next)} ({next}), stages are not skipped (意向 → 签约 → 落地 → 开工 → 投产)");
        }
        return Move(to, on, null, now);
    }

    public InvestmentProject Drop(string? reason, DateOnly? date, DateOnly today, DateTimeOffset now)
    {
        var v = new Validator();
        v.RequireText(reason, "reason", Enterprise.MaxReason);
        var on = date ?? today;
        CheckStageDate(v, on, today, "stage_date");
        v.ThrowIfInvalid();
        if (ProjectStages.IsTerminal(Stage))
            throw new FailedPreconditionException("PROJECT_STAGE", Name, $"project {Name} is already {ProjectStages.NameZh(Stage)} ({Stage})");
        return Move(ProjectStage.Dropped, on, reason!.Trim(), now);
    }

    private InvestmentProject Move(ProjectStage to, DateOnly on, string? reason, DateTimeOffset now) => this with
    {
        Stage = to,
        StageDate = on,
        History = [.. History, new StageChange(Stage, to, on, reason, now)],
        UpdateTime = now,
    };

    private void CheckStageDate(Validator v, DateOnly on, DateOnly today, string field)
    {
        if (on > today) v.Add(field, $"must not be in the future (today is {Enterprise.Iso(today)})");
        else if (on < StageDate) v.Add(field, $"must not be before the current stage's date {Enterprise.Iso(StageDate)}");
    }

    internal static void Check(Validator v, ProjectDraft d, IndustryCatalog industries, InvestmentRules rules, string field, bool all, IReadOnlyCollection<string>? mask = null)
    {
        bool Checks(string path) => all || mask!.Contains(path);
        if (Checks("display_name")) v.RequireText(d.DisplayName, $"{field}.display_name", MaxText);
        if (Checks("investor")) Enterprise.CheckOptional(v, d.Investor, MaxText, $"{field}.investor");
        if (Checks("kind") && d.Kind is < ProjectKind.Unspecified or > ProjectKind.Industrialization) v.Add($"{field}.kind", $"unknown kind {(int)d.Kind}");
        if (Checks("industry")) Enterprise.CheckIndustry(v, d.Industry, industries, $"{field}.industry");
        if (Checks("amount_fen")) CheckAmount(v, d.AmountFen, rules, $"{field}.amount_fen");
    }

    internal static void CheckAmount(Validator v, long amountFen, InvestmentRules rules, string field)
    {
        if (amountFen < 0) v.Add(field, $"must not be negative (got {amountFen}); 0 means not known yet");
        else if (amountFen > rules.MaxAmountFen)
            v.Add(field, $"{new Fen(amountFen).ToYuanString()} yuan is above the largest believable project ({new Fen(rules.MaxAmountFen).ToYuanString()} yuan, illustrative limit); amounts are in fen (1 yuan = 100 fen)");
    }
}
