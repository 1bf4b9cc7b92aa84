using Parks.Domain;
using Parks.Hosting.State;
using Parks.ScienceCity.Domain;
using Parks.ScienceCity.Events;
using Parks.Hosting.Events;
using Parks.Storage;

namespace Parks.ScienceCity.Storage;

/// <summary>
/// Research projects on the state store. Entering 产业化 commits the project together with the
/// ResearchProjectIndustrialized event (outbox), so the hand-off is never lost nor sent for a change that failed.
/// </summary>
internal sealed class ResearchProjectStore(IStateStore store, IEventOutbox events, TimeProvider time)
{
    private static readonly string All = ScienceCityKeys.Index("research-projects");

    private static string ByStage(ResearchStage stage) => ScienceCityKeys.Index($"research-projects-stage:{stage}");

    public Task<Versioned<ResearchProject>> GetAsync(string name, CancellationToken ct) =>
        store.ReadRequiredAsync<ResearchProject>(ScienceCityKeys.ResearchProject(IdOf(name)), "ResearchProject", name, ct);

    public Task<Page<Versioned<ResearchProject>>> ListAsync(ResearchStage? stage, int pageSize, string? pageToken, CancellationToken ct) =>
        store.ListAsync<ResearchProject>(stage is { } s ? ByStage(s) : All, ScienceCityKeys.ResearchProject, pageSize, pageToken, $"research-projects|{stage}", ct);

    public async Task<Versioned<ResearchProject>> CreateAsync(string? id, ResearchProjectDraft draft, string? requestId, CancellationToken ct)
    {
        RequestIds.Validate(requestId);
        if (await RequestIds.FindAsync(store, ScienceCityKeys.Service, "CreateResearchProject", requestId, ct) is { } existing) return await GetAsync(existing, ct);

        var project = ResearchProject.Initiate(string.IsNullOrEmpty(id) ? Ids.New('r') : id, draft, time.GetUtcNow());
        var key = ScienceCityKeys.ResearchProject(project.Id);
        var tx = new StateTransaction().PutJson(key, project, 0).AddToIndex(All, project.Id).AddToIndex(ByStage(project.Stage), project.Id);
        if (project.Platform is { } platformName)
        {
            // The hosting platform must exist, and keep existing until this commit lands.
            var platform = await store.GetAsync(ScienceCityKeys.Platform(ResourceNames.Id(platformName, Platform.Collection, "research_project.platform")), ct)
                ?? throw new NotFoundException("Platform", platformName);
            tx.Require(platform.Key, platform.Version);
        }
        RequestIds.Remember(tx, ScienceCityKeys.Service, "CreateResearchProject", requestId, project.Name);
        try
        {
            var result = await store.CommitAsync(tx, ct);
            return new Versioned<ResearchProject>(project, result.Versions[key]);
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == key)
        {
            throw new AlreadyExistsException("ResearchProject", project.Name, $"research project '{project.Id}' already exists");
        }
    }

    public async Task<Versioned<ResearchProject>> AdvanceAsync(string name, ResearchStage to, DateOnly enteredDate, IReadOnlyList<Evidence> evidence,
        string approvedBy, LandingRequest? landing, string? etag, CancellationToken ct)
    {
        var current = await GetAsync(name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var (project, handOff) = current.Value.Advance(to, enteredDate, evidence, approvedBy, landing, time.GetUtcNow());
        return await CommitAsync(current.Value, project, expected, handOff, ct);
    }

    public async Task<Versioned<ResearchProject>> ReferElsewhereAsync(string name, LandingRequest landing, string? etag, CancellationToken ct)
    {
        var current = await GetAsync(name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var (project, handOff) = current.Value.ReferElsewhere(landing, time.GetUtcNow());
        return await CommitAsync(current.Value, project, expected, handOff, ct);
    }

    /// <summary>
    /// Adds the landing unit's answer to <paramref name="tx"/> (the event handler's transaction, committed with its
    /// inbox marker). Answers about unknown projects or from units the project is not referred to change nothing.
    /// </summary>
    public async Task StageReferralResolutionAsync(StateTransaction tx, string researchProject, UnitRef fromUnit, bool accepted,
        string? referral, string? landedProject, string? reason, CancellationToken ct)
    {
        if (!researchProject.StartsWith(ResearchProject.Collection + "/", StringComparison.Ordinal)) return;
        var current = await store.ReadAsync<ResearchProject>(ScienceCityKeys.ResearchProject(researchProject[(ResearchProject.Collection.Length + 1)..]), ct);
        if (current is null) return;
        var resolved = current.Value.ApplyReferralResolution(fromUnit, accepted, referral, landedProject, reason, time.GetUtcNow());
        if (ReferenceEquals(resolved, current.Value)) return;
        tx.PutJson(ScienceCityKeys.ResearchProject(resolved.Id), resolved, current.Version);
    }

    private async Task<Versioned<ResearchProject>> CommitAsync(ResearchProject before, ResearchProject after, long expectedVersion, LandingHandOff? handOff, CancellationToken ct)
    {
        var key = ScienceCityKeys.ResearchProject(after.Id);
        var tx = new StateTransaction().PutJson(key, after, expectedVersion);
        if (before.Stage != after.Stage)
        {
            tx.RemoveFromIndex(ByStage(before.Stage), after.Id).AddToIndex(ByStage(after.Stage), after.Id);
        }
        if (handOff is not null) events.Add(tx, Published.Industrialized(handOff), after.Name);
        var result = await store.CommitAsync(tx, ct);
        return new Versioned<ResearchProject>(after, result.Versions[key]);
    }

    private static string IdOf(string name) => ResourceNames.Id(name, ResearchProject.Collection, "name");
}
