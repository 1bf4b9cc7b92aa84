using System.Security.Cryptography;
using System.Text;
using Parks.Domain;
using Parks.Hosting.State;
using Parks.Units.Domain;
using Parks.Units.Events;
using Parks.Units.Storage;

namespace Parks.Units.Application;

public sealed record ProjectQuery(string? Parent, int PageSize, string? PageToken, ProjectStage Stage, DataSetFilter DataSet);

public sealed record ReferralQuery(string? Parent, int PageSize, string? PageToken, ReferralState State, DataSetFilter DataSet);

/// <summary>A Science City research project that reached 产业化 and names a landing unit (ResearchProjectIndustrialized).</summary>
public sealed record IndustrializedResearchProject(string EventId, string ResearchProject, string DisplayName, string LandingUnit, string Industry, long ExpectedInvestmentFen);

/// <summary>
/// Investment-attraction projects of the units this process serves, their stage pipeline, and referrals of
/// projects to a unit (accepted into a project or declined).
/// </summary>
public sealed class ProjectOperations
{
    private readonly UnitsContext _context;
    private readonly Records<InvestmentProject> _projects;
    private readonly Records<Referral> _referrals;

    public ProjectOperations(UnitsContext context)
    {
        _context = context;
        _projects = new Records<InvestmentProject>(context.Store, ProjectIndexes);
        _referrals = new Records<Referral>(context.Store, ReferralIndexes);
    }

    private IStateStore Store => _context.Store;

    public async Task<Stored<InvestmentProject>> GetAsync(string? name, CancellationToken cancellationToken = default)
    {
        var (unit, id) = ResourceNames.ParseProject(name);
        await _context.Scope.RequireServedAsync(unit, cancellationToken);
        return await _projects.GetAsync(new UnitKeys(unit).Project(id), cancellationToken) ?? throw new NotFoundException("InvestmentProject", name!);
    }

    public async Task<Page<Stored<InvestmentProject>>> ListAsync(ProjectQuery query, CancellationToken cancellationToken = default)
    {
        var unit = ResourceNames.ParseHostUnit(query.Parent, "parent");
        if (query.Stage is < ProjectStage.Unspecified or > ProjectStage.Dropped) throw new ValidationException("stage", $"unknown stage {(int)query.Stage}");
        await _context.Scope.RequireServedAsync(unit, cancellationToken);
        var keys = new UnitKeys(unit);
        var indexes = DataSets.Of(query.DataSet)
            .Select(d => query.Stage == ProjectStage.Unspecified ? keys.Projects(d) : keys.ProjectsByStage(d, query.Stage)).ToArray();
        return await PageAsync(_projects, indexes, keys.Project, $"projects|{unit}|{query.Stage}|{query.DataSet}", query.PageSize, query.PageToken, cancellationToken);
    }

    public Task<Stored<InvestmentProject>> CreateAsync(string? parent, ProjectDraft draft, string? projectId, string? requestId, CancellationToken cancellationToken = default) =>
        CreateCoreAsync(parent, draft, projectId, requestId, demo: false, cancellationToken);

    internal async Task<Stored<InvestmentProject>> CreateCoreAsync(string? parent, ProjectDraft draft, string? projectId, string? requestId, bool demo, CancellationToken cancellationToken)
    {
        var unit = ResourceNames.ParseHostUnit(parent, "parent");
        Idempotency.Validate(requestId);
        if (!string.IsNullOrEmpty(projectId) && !ResourceNames.IsValidChildId(projectId))
            throw new ValidationException("project_id", "must be lower-case letters, digits and '-', 2-63 characters, starting with a letter");
        var keys = new UnitKeys(unit);
        var fingerprint = Idempotency.Fingerprint(new { parent = unit.ResourceName, draft, projectId, demo });
        var requestKey = requestId is null ? null : keys.Request("project", requestId);
        if (requestKey is not null && await Idempotency.ReplayAsync(Store, requestKey, fingerprint, cancellationToken) is { } created)
            return await GetAsync(created, cancellationToken);
        var id = string.IsNullOrEmpty(projectId) ? Idempotency.NewId('p') : projectId;
        var now = _context.Clock.Now;
        var project = InvestmentProject.Create(unit, id, draft, _context.Industries, _context.InvestmentRules, demo, _context.Clock.Today, now);
        await _context.Scope.RequireServedAsync(unit, cancellationToken);

        var key = keys.Project(id);
        var tx = new StateTransaction();
        _projects.Put(tx, key, null, project, 0);
        if (requestKey is not null) Idempotency.Remember(tx, requestKey, fingerprint, project.Name, now);
        var stageChanged = new InvestmentProjectStageChangedEvent(project, ProjectStage.Unspecified) { Id = UnitEvent.NewId(), Time = now };
        try
        {
            var result = await _context.CommitAsync(tx, [stageChanged], cancellationToken);
            return new Stored<InvestmentProject>(project, result.Versions[key]);
        }
        catch (ConcurrencyException)
        {
            if (requestKey is not null && await Idempotency.ReplayAsync(Store, requestKey, fingerprint, cancellationToken) is { } raced)
                return await GetAsync(raced, cancellationToken);
            if (await Store.GetAsync(key, cancellationToken) is not null)
                throw new AlreadyExistsException("InvestmentProject", project.Name, $"project {project.Name} already exists");
            throw;
        }
    }

    public async Task<Stored<InvestmentProject>> UpdateAsync(string? name, IReadOnlyCollection<string> mask, ProjectDraft patch, string? etag, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(name, cancellationToken);
        Etags.Check(etag, current.Version, current.Value.Name);
        var next = current.Value.Update(mask, patch, _context.Industries, _context.InvestmentRules, _context.Clock.Now);
        return await SaveAsync(current, next, [], cancellationToken);
    }

    public async Task<Stored<InvestmentProject>> AdvanceAsync(string? name, ProjectStage stage, DateOnly? date, string? etag, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(name, cancellationToken);
        Etags.Check(etag, current.Version, current.Value.Name);
        var next = current.Value.Advance(stage, date, _context.Clock.Today, _context.Clock.Now);
        return await SaveAsync(current, next, [StageChanged(next, current.Value.Stage)], cancellationToken);
    }

    public async Task<Stored<InvestmentProject>> DropAsync(string? name, string? reason, DateOnly? date, string? etag, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(name, cancellationToken);
        Etags.Check(etag, current.Version, current.Value.Name);
        var next = current.Value.Drop(reason, date, _context.Clock.Today, _context.Clock.Now);
        return await SaveAsync(current, next, [StageChanged(next, current.Value.Stage)], cancellationToken);
    }

    /// <summary>How many projects are at each stage (pipeline counts).</summary>
    public async Task<IReadOnlyList<(ProjectStage Stage, long Count)>> PipelineAsync(string? parent, DataSetFilter dataSet, CancellationToken cancellationToken = default)
    {
        var unit = ResourceNames.ParseHostUnit(parent, "parent");
        var sets = DataSets.Of(dataSet);
        await _context.Scope.RequireServedAsync(unit, cancellationToken);
        var keys = new UnitKeys(unit);
        var counts = new List<(ProjectStage, long)>();
        foreach (var stage in ProjectStages.All)
            counts.Add((stage, await IndexPager.CountAsync(Store, [.. sets.Select(d => keys.ProjectsByStage(d, stage))], cancellationToken)));
        return counts;
    }

    public async Task<Stored<Referral>> GetReferralAsync(string? name, CancellationToken cancellationToken = default)
    {
        var (unit, id) = ResourceNames.ParseReferral(name);
        await _context.Scope.RequireServedAsync(unit, cancellationToken);
        return await _referrals.GetAsync(new UnitKeys(unit).Referral(id), cancellationToken) ?? throw new NotFoundException("Referral", name!);
    }

    public async Task<Page<Stored<Referral>>> ListReferralsAsync(ReferralQuery query, CancellationToken cancellationToken = default)
    {
        var unit = ResourceNames.ParseHostUnit(query.Parent, "parent");
        if (query.State is < ReferralState.Unspecified or > ReferralState.Declined) throw new ValidationException("state", $"unknown state {(int)query.State}");
        await _context.Scope.RequireServedAsync(unit, cancellationToken);
        var keys = new UnitKeys(unit);
        var indexes = DataSets.Of(query.DataSet)
            .Select(d => query.State == ReferralState.Unspecified ? keys.Referrals(d) : keys.ReferralsByState(d, query.State)).ToArray();
        return await PageAsync(_referrals, indexes, keys.Referral, $"referrals|{unit}|{query.State}|{query.DataSet}", query.PageSize, query.PageToken, cancellationToken);
    }

    public Task<Stored<Referral>> CreateReferralAsync(string? parent, ReferralDraft draft, string? referralId, string? requestId, CancellationToken cancellationToken = default) =>
        CreateReferralCoreAsync(parent, draft, referralId, requestId, demo: false, cancellationToken);

    internal async Task<Stored<Referral>> CreateReferralCoreAsync(string? parent, ReferralDraft draft, string? referralId, string? requestId, bool demo, CancellationToken cancellationToken)
    {
        var unit = ResourceNames.ParseHostUnit(parent, "parent");
        Idempotency.Validate(requestId);
        if (!string.IsNullOrEmpty(referralId) && !ResourceNames.IsValidChildId(referralId))
            throw new ValidationException("referral_id", "must be lower-case letters, digits and '-', 2-63 characters, starting with a letter");
        var keys = new UnitKeys(unit);
        var fingerprint = Idempotency.Fingerprint(new { parent = unit.ResourceName, draft, referralId, demo });
        var requestKey = requestId is null ? null : keys.Request("referral", requestId);
        if (requestKey is not null && await Idempotency.ReplayAsync(Store, requestKey, fingerprint, cancellationToken) is { } created)
            return await GetReferralAsync(created, cancellationToken);
        var now = _context.Clock.Now;
        var referral = Referral.Create(unit, string.IsNullOrEmpty(referralId) ? Idempotency.NewId('r') : referralId, draft, _context.Industries, _context.InvestmentRules, demo, now);
        await _context.Scope.RequireServedAsync(unit, cancellationToken);
        if (UnitRef.TryParse(referral.FromUnit, out var from) && from.Kind != UnitKind.ScienceCity && !await _context.UnitExistsAsync(from, cancellationToken))
            throw new ValidationException("referral.from_unit", $"'{referral.FromUnit}' is not a unit of the zone");

        var key = keys.Referral(referral.Id);
        var tx = new StateTransaction();
        _referrals.Put(tx, key, null, referral, 0);
        if (requestKey is not null) Idempotency.Remember(tx, requestKey, fingerprint, referral.Name, now);
        try
        {
            var result = await _context.CommitAsync(tx, [new ProjectReferredEvent(referral) { Id = UnitEvent.NewId(), Time = now }], cancellationToken);
            return new Stored<Referral>(referral, result.Versions[key]);
        }
        catch (ConcurrencyException)
        {
            if (requestKey is not null && await Idempotency.ReplayAsync(Store, requestKey, fingerprint, cancellationToken) is { } raced)
                return await GetReferralAsync(raced, cancellationToken);
            if (await Store.GetAsync(key, cancellationToken) is not null)
                throw new AlreadyExistsException("Referral", referral.Name, $"referral {referral.Name} already exists");
            throw;
        }
    }

    /// <summary>Accepts a referral: the referral and the project it becomes are written in one commit.</summary>
    public async Task<(Stored<Referral> Referral, Stored<InvestmentProject> Project)> AcceptReferralAsync(
        string? name, string? projectId, string? industry, string? etag, CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrEmpty(projectId) && !ResourceNames.IsValidChildId(projectId))
            throw new ValidationException("project_id", "must be lower-case letters, digits and '-', 2-63 characters, starting with a letter");
        var current = await GetReferralAsync(name, cancellationToken);
        Etags.Check(etag, current.Version, current.Value.Name);
        var (referral, project) = current.Value.Accept(
            string.IsNullOrEmpty(projectId) ? Idempotency.NewId('p') : projectId, industry, _context.Industries, _context.InvestmentRules, _context.Clock.Today, _context.Clock.Now);
        var keys = new UnitKeys(referral.ToUnit);
        var referralKey = keys.Referral(referral.Id);
        var projectKey = keys.Project(project.Id);
        if (await Store.GetAsync(projectKey, cancellationToken) is not null)
            throw new AlreadyExistsException("InvestmentProject", project.Name, $"project {project.Name} already exists; choose another project_id");
        var tx = new StateTransaction();
        _referrals.Put(tx, referralKey, current.Value, referral, current.Version);
        _projects.Put(tx, projectKey, null, project, 0);
        var result = await _context.CommitAsync(tx,
            [new ReferralResolvedEvent(referral) { Id = UnitEvent.NewId(), Time = referral.ResolveTime!.Value }, StageChanged(project, ProjectStage.Unspecified)],
            cancellationToken);
        return (new Stored<Referral>(referral, result.Versions[referralKey]), new Stored<InvestmentProject>(project, result.Versions[projectKey]));
    }

    public async Task<Stored<Referral>> DeclineReferralAsync(string? name, string? reason, string? etag, CancellationToken cancellationToken = default)
    {
        var current = await GetReferralAsync(name, cancellationToken);
        Etags.Check(etag, current.Version, current.Value.Name);
        var referral = current.Value.Decline(reason, _context.Clock.Now);
        var key = new UnitKeys(referral.ToUnit).Referral(referral.Id);
        var tx = new StateTransaction();
        _referrals.Put(tx, key, current.Value, referral, current.Version);
        var result = await _context.CommitAsync(tx, [new ReferralResolvedEvent(referral) { Id = UnitEvent.NewId(), Time = referral.ResolveTime!.Value }], cancellationToken);
        return new Stored<Referral>(referral, result.Versions[key]);
    }

    /// <summary>
    /// A Science City research project reached 产业化 with a landing unit this process serves: it becomes a
    /// pending referral from the Science City. Idempotent: the referral id derives from the research project, so a
    /// redelivered event finds it and changes nothing (returns null).
    /// </summary>
    public async Task<Referral?> ReferIndustrializedAsync(IndustrializedResearchProject research, CancellationToken cancellationToken = default)
    {
        var tx = new StateTransaction();
        var referral = await PrepareIndustrializedReferralAsync(research, tx, cancellationToken);
        if (referral is null) return null;
        try
        {
            await Store.CommitAsync(tx, cancellationToken);
            return referral;
        }
        catch (ConcurrencyException)
        {
            return null;
        }
    }

    /// <summary>Adds the referral (and its ProjectReferred event) to <paramref name="tx"/>; null when there is nothing to do.</summary>
    public async Task<Referral?> PrepareIndustrializedReferralAsync(IndustrializedResearchProject research, StateTransaction tx, CancellationToken cancellationToken = default)
    {
        if (!UnitRef.TryParse(research.LandingUnit, out var unit) || unit.Kind == UnitKind.ScienceCity) return null;
        if (!await _context.Scope.ServesAsync(unit, cancellationToken)) return null;
        var id = "sc-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(research.ResearchProject)))[..20];
        var key = new UnitKeys(unit).Referral(id);
        if (await Store.GetAsync(key, cancellationToken) is not null) return null;
        // The Science City may classify by its own "1+X" fields: an industry outside the 1+8 is left for the park to set on acceptance.
        var industry = _context.Industries.Contains(research.Industry) ? research.Industry : null;
        var draft = new ReferralDraft(UnitRef.ScienceCity.ResourceName, research.DisplayName, null, ProjectKind.Industrialization,
            industry, Math.Clamp(research.ExpectedInvestmentFen, 0, _context.InvestmentRules.MaxAmountFen), false, false, research.ResearchProject);
        var referral = Referral.Create(unit, id, draft, _context.Industries, _context.InvestmentRules, false, _context.Clock.Now);
        _referrals.Put(tx, key, null, referral, 0);
        _context.Outbox.Append(tx, new ProjectReferredEvent(referral) { Id = UnitEvent.NewId(), Time = referral.CreateTime });
        return referral;
    }

    private async Task<Stored<InvestmentProject>> SaveAsync(Stored<InvestmentProject> current, InvestmentProject next, IEnumerable<UnitEvent> events, CancellationToken cancellationToken)
    {
        var key = new UnitKeys(next.Unit).Project(next.Id);
        var tx = new StateTransaction();
        _projects.Put(tx, key, current.Value, next, current.Version);
        var result = await _context.CommitAsync(tx, events, cancellationToken);
        return new Stored<InvestmentProject>(next, result.Versions[key]);
    }

    private static InvestmentProjectStageChangedEvent StageChanged(InvestmentProject project, ProjectStage previous) =>
        new(project, previous) { Id = UnitEvent.NewId(), Time = project.UpdateTime };

    private async Task<Page<Stored<T>>> PageAsync<T>(Records<T> records, IReadOnlyList<string> indexes, Func<string, string> keyOf,
        string fingerprint, int pageSize, string? pageToken, CancellationToken cancellationToken) where T : class
    {
        var size = PageToken.NormalizePageSize(pageSize);
        var after = PageToken.Read(pageToken, fingerprint);
        var (members, more) = await IndexPager.PageAsync(Store, indexes, after, size, cancellationToken);
        var items = await records.GetManyAsync([.. members.Select(keyOf)], cancellationToken);
        var total = await IndexPager.CountAsync(Store, indexes, cancellationToken);
        return new Page<Stored<T>>([.. items.OfType<Stored<T>>()], more ? PageToken.Create(fingerprint, members[^1]) : "", total);
    }

    internal static IEnumerable<IndexEntry> ProjectIndexes(InvestmentProject p)
    {
        var keys = new UnitKeys(p.Unit);
        var d = UnitKeys.DataSetOf(p.Demo);
        yield return new(keys.Projects(d), p.Id);
        yield return new(keys.ProjectsByStage(d, p.Stage), p.Id);
    }

    internal static IEnumerable<IndexEntry> ReferralIndexes(Referral r)
    {
        var keys = new UnitKeys(r.ToUnit);
        var d = UnitKeys.DataSetOf(r.Demo);
        yield return new(keys.Referrals(d), r.Id);
        yield return new(keys.ReferralsByState(d, r.State), r.Id);
    }
}
