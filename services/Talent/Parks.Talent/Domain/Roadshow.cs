using Parks.Domain;

namespace Parks.Talent.Domain;

/// <summary>
/// An edition of 海创周 (China Overseas Students (Dalian) Entrepreneurship Week). Seeded editions carry the
/// documents' figures (e.g. 2021: 193 participants from 26 countries, 138 projects, 21 online roadshows, 000:63)
/// as reported statistics; projects recorded here are counted separately.
/// </summary>
internal sealed record RoadshowEdition(
    string Id,
    int Year,
    string DisplayName,
    IReadOnlyDictionary<string, long> ReportedFigures,
    string? Source)
{
    public const string Collection = "roadshowEditions";

    public string Name => $"{Collection}/{Id}";

    public static string NameOf(string id) => $"{Collection}/{id}";

    public static RoadshowEdition Create(string id, int year, string displayName, IReadOnlyDictionary<string, long>? figures, string? source)
    {
        var v = new Validator();
        if (!Zone.IsValidSlug(id)) v.Add("roadshow_edition_id", "must be 2-40 lower-case letters, digits or '-', starting with a letter");
        v.Require(year is >= 1999 and <= 2100, "year", $"must be a calendar year (got {year})");
        v.RequireText(displayName, "display_name");
        v.ThrowIfInvalid();
        return new RoadshowEdition(id, year, displayName.Trim(), figures ?? new Dictionary<string, long>(), source);
    }
}

internal enum RoadshowProjectStatus
{
    Registered = 1,
    /// <summary>At least one review is in.</summary>
    UnderReview = 2,
    Shortlisted = 3,
    NotShortlisted = 4,
    /// <summary>Founded or moved into the zone as an enterprise.</summary>
    Landed = 5,
}

internal sealed record ProjectReview(string Reviewer, int Score, string? Comment, DateTimeOffset Time);

internal sealed record RoadshowProjectDraft(string Title, string TeamLead, string Country, string Industry, string? Summary);

/// <summary>
/// A project at a 海创周 roadshow: registered → reviewed ("公开路演、多元评审", public roadshow with multi-party
/// review, 000:134) → shortlisted (入围) or not → landed as an enterprise in a district, branch park or the Science City.
/// </summary>
internal sealed record RoadshowProject(
    string Id,
    string EditionId,
    string Title,
    string TeamLead,
    string Country,
    string Industry,
    string? Summary,
    RoadshowProjectStatus Status,
    IReadOnlyList<ProjectReview> Reviews,
    int? ShortlistAverageCentiscore,
    string? LandedUscc,
    UnitRef? LandedUnit,
    DateOnly? LandedDate,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime)
{
    public const int MaxScore = 100;

    public string Name => $"{RoadshowEdition.NameOf(EditionId)}/projects/{Id}";

    public static string NameOf(string editionId, string id) => $"{RoadshowEdition.NameOf(editionId)}/projects/{id}";

    /// <summary>Average of the reviewers' scores in hundredths, rounded half up.</summary>
    public int AverageCentiscore => Reviews.Count == 0 ? 0 : (int)((Reviews.Sum(r => (long)r.Score) * 200 + Reviews.Count) / (2L * Reviews.Count));

    public static RoadshowProject Register(string id, RoadshowEdition edition, RoadshowProjectDraft d, DateTimeOffset now)
    {
        var v = new Validator();
        if (!Zone.IsValidSlug(id)) v.Add("roadshow_project_id", "must be 2-40 lower-case letters, digits or '-', starting with a letter");
        v.RequireText(d.Title, "title");
        v.RequireText(d.TeamLead, "team_lead", 100);
        v.RequireText(d.Country, "country", 100);
        v.RequireText(d.Industry, "industry", 100);
        if (d.Summary is { Length: > 2000 }) v.Add("summary", "must be at most 2000 characters");
        v.ThrowIfInvalid();
        return new RoadshowProject(id, edition.Id, d.Title.Trim(), d.TeamLead.Trim(), d.Country.Trim(), d.Industry.Trim(), d.Summary?.Trim(),
            RoadshowProjectStatus.Registered, [], null, null, null, null, now, now);
    }

    /// <summary>One reviewer's score (0-100); each reviewer scores a project once, before the shortlist decision.</summary>
    public RoadshowProject Review(string reviewer, int score, string? comment, DateTimeOffset now)
    {
        var v = new Validator();
        v.RequireText(reviewer, "reviewer", 100);
        v.Require(score is >= 0 and <= MaxScore, "score", $"must be 0 to {MaxScore} (got {score})");
        v.ThrowIfInvalid();
        if (Status is not (RoadshowProjectStatus.Registered or RoadshowProjectStatus.UnderReview))
        {
            throw new FailedPreconditionException("PROJECT_STATE", Name, $"reviews close with the shortlist decision; project is {Status}");
        }
        if (Reviews.Any(r => r.Reviewer == reviewer.Trim()))
        {
            throw new AlreadyExistsException("ProjectReview", $"{Name}/reviews/{reviewer.Trim()}", $"'{reviewer.Trim()}' has already reviewed this project");
        }
        return this with
        {
            Status = RoadshowProjectStatus.UnderReview,
            Reviews = Reviews.Append(new ProjectReview(reviewer.Trim(), score, string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(), now)).ToList(),
            UpdateTime = now,
        };
    }

    /// <summary>
    /// The shortlist decision (入围), taken on at least <paramref name="minimumReviews"/> reviews from different
    /// reviewers (multi-party review; the number is illustrative configuration).
    /// </summary>
    public RoadshowProject Decide(bool shortlisted, int minimumReviews, DateTimeOffset now)
    {
        if (Status != RoadshowProjectStatus.UnderReview && Status != RoadshowProjectStatus.Registered)
        {
            throw new FailedPreconditionException("PROJECT_STATE", Name, $"the shortlist decision is taken once; project is {Status}");
        }
        if (Reviews.Count < minimumReviews)
        {
            throw new FailedPreconditionException("TOO_FEW_REVIEWS", Name,
                $"the shortlist decision needs {minimumReviews} reviews from different reviewers (multi-party review); {Reviews.Count} so far");
        }
        return this with
        {
            Status = shortlisted ? RoadshowProjectStatus.Shortlisted : RoadshowProjectStatus.NotShortlisted,
            ShortlistAverageCentiscore = AverageCentiscore,
            UpdateTime = now,
        };
    }

    /// <summary>A shortlisted project lands as an enterprise located in a district, branch park or the Science City.</summary>
    public RoadshowProject Land(string uscc, UnitRef unit, DateOnly date, DateTimeOffset now)
    {
        if (Status != RoadshowProjectStatus.Shortlisted)
        {
            throw new FailedPreconditionException("PROJECT_STATE", Name,
                Status == RoadshowProjectStatus.Landed ? $"project has already landed as {LandedUscc}" : $"only a shortlisted project lands; project is {Status}");
        }
        var v = new Validator();
        if (!UnifiedSocialCreditCode.TryParse(uscc, out _, out var reason)) v.Add("enterprise_uscc", $"invalid unified social credit code: {reason}");
        if (unit.Kind == UnitKind.District && !Zone.IsDistrict(unit.Id)) v.Add("landed_unit", $"'{unit}' is not one of the six districts");
        v.Require(date <= DateOnly.FromDateTime(now.UtcDateTime), "landed_date", "must not be in the future");
        v.ThrowIfInvalid();
        return this with { Status = RoadshowProjectStatus.Landed, LandedUscc = uscc, LandedUnit = unit, LandedDate = date, UpdateTime = now };
    }
}
