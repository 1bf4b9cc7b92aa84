using Parks.Domain;
using Parks.Hosting.State;
using Parks.Storage;
using Parks.Talent.Data;
using Parks.Talent.Domain;

namespace Parks.Talent.Storage;

/// <summary>How many of an edition's recorded projects reached each step (kept with the projects, in the same commits).</summary>
internal sealed record EditionCounts(int Registered, int Shortlisted, int Landed)
{
    public static EditionCounts Zero { get; } = new(0, 0, 0);
}

/// <summary>
/// 海创周 editions and roadshow projects. Registration and decisions are the zone's (the talent office runs the
/// week); anyone authenticated reads.
/// </summary>
internal sealed class RoadshowStore(IStateStore store, TalentSeed seed, TimeProvider time, RoadshowOptions options)
{
    public async Task<(Versioned<RoadshowEdition> Edition, EditionCounts Counts)> GetEditionAsync(string name, CancellationToken ct)
    {
        var id = ResourceNames.Id(name, RoadshowEdition.Collection, "name");
        var edition = await store.ReadRequiredAsync<RoadshowEdition>(TalentKeys.Edition(id), "RoadshowEdition", name, ct);
        var counts = await store.ReadAsync<EditionCounts>(TalentKeys.EditionCounts(id), ct);
        return (edition, counts?.Value ?? EditionCounts.Zero);
    }

    public async Task<(Page<Versioned<RoadshowEdition>> Page, IReadOnlyList<EditionCounts> Counts)> ListEditionsAsync(int pageSize, string? pageToken, CancellationToken ct)
    {
        var page = await store.ListAsync<RoadshowEdition>(TalentKeys.Editions, TalentKeys.Edition, pageSize, pageToken, "roadshow-editions", ct);
        var counts = await store.ReadManyAsync<EditionCounts>(page.Items.Select(e => TalentKeys.EditionCounts(e.Value.Id)).ToList(), ct);
        return (page, counts.Select(c => c?.Value ?? EditionCounts.Zero).ToList());
    }

    public async Task<Versioned<RoadshowEdition>> CreateEditionAsync(Caller caller, string id, int year, string displayName, IReadOnlyDictionary<string, long>? figures,
        string? source, string? requestId, CancellationToken ct)
    {
        EnterpriseAccess.RequireZone(caller, "create 海创周 editions");
        RequestIds.Validate(requestId);
        if (await RequestIds.FindAsync(store, TalentKeys.Service, "CreateRoadshowEdition", requestId, ct) is { } existing) return (await GetEditionAsync(existing, ct)).Edition;
        var edition = RoadshowEdition.Create(id, year, displayName, figures, source);
        var key = TalentKeys.Edition(edition.Id);
        var tx = new StateTransaction().PutJson(key, edition, 0).AddToIndex(TalentKeys.Editions, edition.Id);
        RequestIds.Remember(tx, TalentKeys.Service, "CreateRoadshowEdition", requestId, edition.Name);
        try
        {
            var result = await store.CommitAsync(tx, ct);
            return new Versioned<RoadshowEdition>(edition, result.Versions[key]);
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == key)
        {
            throw new AlreadyExistsException("RoadshowEdition", edition.Name, $"edition '{edition.Id}' already exists");
        }
    }

    public Task<Versioned<RoadshowProject>> GetProjectAsync(string name, CancellationToken ct)
    {
        var (edition, id) = ResourceNames.Ids(name, RoadshowEdition.Collection, "projects", "name");
        return store.ReadRequiredAsync<RoadshowProject>(TalentKeys.Project(edition, id), "RoadshowProject", name, ct);
    }

    public async Task<Page<Versioned<RoadshowProject>>> ListProjectsAsync(string parent, int pageSize, string? pageToken, CancellationToken ct)
    {
        var edition = (await GetEditionAsync(parent, ct)).Edition.Value;
        return await store.ListAsync<RoadshowProject>(TalentKeys.ProjectsOf(edition.Id), id => TalentKeys.Project(edition.Id, id), pageSize, pageToken, $"roadshow-projects|{parent}", ct);
    }

    public async Task<Versioned<RoadshowProject>> RegisterAsync(Caller caller, string parent, string? id, RoadshowProjectDraft draft, string? requestId, CancellationToken ct)
    {
        EnterpriseAccess.RequireZone(caller, "register roadshow projects");
        RequestIds.Validate(requestId);
        if (await RequestIds.FindAsync(store, TalentKeys.Service, "CreateRoadshowProject", requestId, ct) is { } existing) return await GetProjectAsync(existing, ct);
        var edition = (await GetEditionAsync(parent, ct)).Edition.Value;
        var project = RoadshowProject.Register(string.IsNullOrEmpty(id) ? Ids.New('r') : id, edition, draft, time.GetUtcNow());
        var key = TalentKeys.Project(edition.Id, project.Id);
        var tx = new StateTransaction().PutJson(key, project, 0).AddToIndex(TalentKeys.ProjectsOf(edition.Id), project.Id);
        await CountAsync(tx, edition.Id, c => c with { Registered = c.Registered + 1 }, ct);
        RequestIds.Remember(tx, TalentKeys.Service, "CreateRoadshowProject", requestId, project.Name);
        try
        {
            var result = await store.CommitAsync(tx, ct);
            return new Versioned<RoadshowProject>(project, result.Versions[key]);
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == key)
        {
            throw new AlreadyExistsException("RoadshowProject", project.Name, $"project '{project.Id}' is already registered");
        }
    }

    public Task<Versioned<RoadshowProject>> ReviewAsync(Caller caller, string name, string reviewer, int score, string? comment, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, "review roadshow projects", name, etag, p => p.Review(reviewer, score, comment, time.GetUtcNow()), null, ct);

    public Task<Versioned<RoadshowProject>> DecideAsync(Caller caller, string name, bool shortlisted, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, "decide the shortlist", name, etag, p => p.Decide(shortlisted, options.MinimumReviews, time.GetUtcNow()),
            shortlisted ? c => c with { Shortlisted = c.Shortlisted + 1 } : null, ct);

    public Task<Versioned<RoadshowProject>> LandAsync(Caller caller, string name, string uscc, UnitRef unit, DateOnly date, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, "record landings", name, etag, p => p.Land(uscc, unit, date, time.GetUtcNow()), c => c with { Landed = c.Landed + 1 }, ct);

    /// <summary>Writes the seeded editions (the documents' figures) when missing.</summary>
    public Task<int> SeedAsync(CancellationToken ct) =>
        Seeding.SeedAsync(store, seed.Editions.Select(e => new SeedRecord(TalentKeys.Edition(e.Id), e, [(TalentKeys.Editions, e.Id)])).ToList(), ct);

    private async Task<Versioned<RoadshowProject>> ChangeAsync(Caller caller, string what, string name, string? etag, Func<RoadshowProject, RoadshowProject> change,
        Func<EditionCounts, EditionCounts>? count, CancellationToken ct)
    {
        EnterpriseAccess.RequireZone(caller, what);
        var current = await GetProjectAsync(name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var next = change(current.Value);
        var key = TalentKeys.Project(next.EditionId, next.Id);
        var tx = new StateTransaction().PutJson(key, next, expected);
        if (count is not null) await CountAsync(tx, next.EditionId, count, ct);
        var result = await store.CommitAsync(tx, ct);
        return new Versioned<RoadshowProject>(next, result.Versions[key]);
    }

    private async Task CountAsync(StateTransaction tx, string editionId, Func<EditionCounts, EditionCounts> count, CancellationToken ct)
    {
        var key = TalentKeys.EditionCounts(editionId);
        var current = await store.ReadAsync<EditionCounts>(key, ct);
        tx.PutJson(key, count(current?.Value ?? EditionCounts.Zero), current?.Version ?? 0);
    }
}

/// <summary>Roadshow settings (section <c>Parks:Talent:Roadshows</c>).</summary>
internal sealed class RoadshowOptions
{
    public const string Section = "Parks:Talent:Roadshows";

    /// <summary>
    /// Reviews from different reviewers a shortlist decision needs ("多元评审", 000:134, gives no number):
    /// illustrative default 3.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 20)]
    public int MinimumReviews { get; set; } = 3;
}
