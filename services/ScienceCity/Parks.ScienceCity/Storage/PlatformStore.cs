using Parks.Domain;
using Parks.Hosting.State;
using Parks.ScienceCity.Domain;
using Parks.Storage;

namespace Parks.ScienceCity.Storage;

/// <summary>
/// Platforms and admission batches on the state store: each use case reads what it needs, applies the domain
/// rule and commits every change in one transaction that expects the versions it read.
/// </summary>
internal sealed class PlatformStore(IStateStore store, TimeProvider time)
{
    private static readonly string All = ScienceCityKeys.Index("platforms");
    internal static readonly string Batches = ScienceCityKeys.Index("admission-batches");

    private static string ByLevel(PlatformLevel level) => ScienceCityKeys.Index($"platforms-level:{level}");
    private static string ByDomain(ResearchDomain domain) => ScienceCityKeys.Index($"platforms-domain:{domain}");
    private static string ByAdmission(AdmissionStatus status) => ScienceCityKeys.Index($"platforms-admission:{status}");

    public Task<Versioned<Platform>> GetAsync(string name, CancellationToken ct) =>
        store.ReadRequiredAsync<Platform>(ScienceCityKeys.Platform(IdOf(name)), "Platform", name, ct);

    public Task<Page<Versioned<Platform>>> ListAsync(PlatformLevel? level, ResearchDomain? domain, AdmissionStatus? admission,
        int pageSize, string? pageToken, CancellationToken ct)
    {
        // The narrowest single index carries the scan; any further filter is applied to what it yields.
        var index = level is { } l ? ByLevel(l) : domain is { } d ? ByDomain(d) : admission is { } a ? ByAdmission(a) : All;
        var extra = (level is null ? 0 : 1) + (domain is null ? 0 : 1) + (admission is null ? 0 : 1) > 1;
        Func<Platform, bool>? filter = extra
            ? p => (level is null || p.Level == level) && (domain is null || p.Domain == domain) && (admission is null || p.Admission.Status == admission)
            : null;
        return store.ListAsync(index, ScienceCityKeys.Platform, pageSize, pageToken, $"platforms|{level}|{domain}|{admission}", ct, filter);
    }

    public async Task<Versioned<Platform>> CreateAsync(string? id, PlatformDraft draft, string? requestId, CancellationToken ct)
    {
        RequestIds.Validate(requestId);
        if (await RequestIds.FindAsync(store, ScienceCityKeys.Service, "CreatePlatform", requestId, ct) is { } existing) return await GetAsync(existing, ct);

        var platform = Platform.Create(string.IsNullOrEmpty(id) ? Ids.New('p') : id, draft, time.GetUtcNow());
        var key = ScienceCityKeys.Platform(platform.Id);
        var tx = new StateTransaction().PutJson(key, platform, 0);
        Reindex(tx, platform.Id, null, platform);
        RequestIds.Remember(tx, ScienceCityKeys.Service, "CreatePlatform", requestId, platform.Name);
        try
        {
            var result = await store.CommitAsync(tx, ct);
            return new Versioned<Platform>(platform, result.Versions[key]);
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == key)
        {
            throw new AlreadyExistsException("Platform", platform.Name, $"platform '{platform.Id}' already exists");
        }
        catch (ConcurrencyException ex) when (RequestIds.IsRequestConflict(ex, ScienceCityKeys.Service, "CreatePlatform", requestId))
        {
            return await GetAsync((await RequestIds.FindAsync(store, ScienceCityKeys.Service, "CreatePlatform", requestId, ct))!, ct);
        }
    }

    public Task<Versioned<Platform>> UpdateAsync(string name, PlatformChanges changes, string? etag, CancellationToken ct) =>
        ChangeAsync(name, etag, p => p.Update(changes, time.GetUtcNow()), ct);

    public async Task<Versioned<Platform>> EnlistAsync(string name, string batchName, DateOnly date, string? etag, CancellationToken ct)
    {
        var current = await GetAsync(name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var batch = await GetBatchAsync(batchName, ct);
        var platform = current.Value.EnlistForAdmission(batch.Value, date, time.GetUtcNow());
        var counted = batch.Value.CountListed();
        return await CommitAsync(current.Value, platform, expected, tx => tx.PutJson(ScienceCityKeys.AdmissionBatch(counted.Id), counted, batch.Version), ct);
    }

    public async Task<Versioned<Platform>> AdmitAsync(string name, DateOnly date, string? etag, CancellationToken ct)
    {
        var current = await GetAsync(name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var platform = current.Value.Admit(date, time.GetUtcNow());
        var batch = await GetBatchAsync(AdmissionBatch.NameOf(platform.Admission.Batch!), ct);
        var counted = batch.Value.CountAdmitted();
        return await CommitAsync(current.Value, platform, expected, tx => tx.PutJson(ScienceCityKeys.AdmissionBatch(counted.Id), counted, batch.Version), ct);
    }

    public async Task<Versioned<Platform>> DeclineAsync(string name, string reason, string? etag, CancellationToken ct)
    {
        var current = await GetAsync(name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var platform = current.Value.DeclineAdmission(reason, time.GetUtcNow());
        var batch = await GetBatchAsync(AdmissionBatch.NameOf(current.Value.Admission.Batch!), ct);
        var counted = batch.Value.CountDeclined();
        return await CommitAsync(current.Value, platform, expected, tx => tx.PutJson(ScienceCityKeys.AdmissionBatch(counted.Id), counted, batch.Version), ct);
    }

    public Task<Versioned<Platform>> RecordEvaluationAsync(string name, PlatformEvaluation evaluation, string? etag, CancellationToken ct) =>
        ChangeAsync(name, etag, p => p.RecordEvaluation(evaluation, time.GetUtcNow()), ct);

    public Task<Versioned<AdmissionBatch>> GetBatchAsync(string name, CancellationToken ct) =>
        store.ReadRequiredAsync<AdmissionBatch>(ScienceCityKeys.AdmissionBatch(BatchIdOf(name)), "AdmissionBatch", name, ct);

    public Task<Page<Versioned<AdmissionBatch>>> ListBatchesAsync(int pageSize, string? pageToken, CancellationToken ct) =>
        store.ListAsync<AdmissionBatch>(Batches, ScienceCityKeys.AdmissionBatch, pageSize, pageToken, "admission-batches", ct);

    public async Task<Versioned<AdmissionBatch>> CreateBatchAsync(string id, string displayName, int plannedCount, string? source, string? requestId, CancellationToken ct)
    {
        RequestIds.Validate(requestId);
        if (await RequestIds.FindAsync(store, ScienceCityKeys.Service, "CreateAdmissionBatch", requestId, ct) is { } existing) return await GetBatchAsync(existing, ct);

        var batch = AdmissionBatch.Create(id, displayName, plannedCount, source);
        var key = ScienceCityKeys.AdmissionBatch(batch.Id);
        var tx = new StateTransaction().PutJson(key, batch, 0).AddToIndex(Batches, batch.Id);
        RequestIds.Remember(tx, ScienceCityKeys.Service, "CreateAdmissionBatch", requestId, batch.Name);
        try
        {
            var result = await store.CommitAsync(tx, ct);
            return new Versioned<AdmissionBatch>(batch, result.Versions[key]);
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == key)
        {
            throw new AlreadyExistsException("AdmissionBatch", batch.Name, $"admission batch '{batch.Id}' already exists");
        }
    }

    private async Task<Versioned<Platform>> ChangeAsync(string name, string? etag, Func<Platform, Platform> change, CancellationToken ct)
    {
        var current = await GetAsync(name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        return await CommitAsync(current.Value, change(current.Value), expected, null, ct);
    }

    private async Task<Versioned<Platform>> CommitAsync(Platform before, Platform after, long expectedVersion, Action<StateTransaction>? also, CancellationToken ct)
    {
        var key = ScienceCityKeys.Platform(after.Id);
        var tx = new StateTransaction().PutJson(key, after, expectedVersion);
        Reindex(tx, after.Id, before, after);
        also?.Invoke(tx);
        var result = await store.CommitAsync(tx, ct);
        return new Versioned<Platform>(after, result.Versions[key]);
    }

    private static void Reindex(StateTransaction tx, string id, Platform? before, Platform after)
    {
        var old = before is null ? [] : Indexes(before).ToHashSet();
        var now = Indexes(after).ToHashSet();
        foreach (var index in old.Except(now)) tx.RemoveFromIndex(index, id);
        foreach (var index in now.Except(old)) tx.AddToIndex(index, id);
    }

    internal static IEnumerable<string> Indexes(Platform p)
    {
        yield return All;
        yield return ByLevel(p.Level);
        if (p.Domain is { } d) yield return ByDomain(d);
        yield return ByAdmission(p.Admission.Status);
    }

    private static string IdOf(string name) => ResourceNames.Id(name, Platform.Collection, "name");

    private static string BatchIdOf(string name) => ResourceNames.Id(name, AdmissionBatch.Collection, "admission_batch");
}
