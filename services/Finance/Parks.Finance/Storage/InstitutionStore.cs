using Parks.Domain;
using Parks.Finance.Data;
using Parks.Finance.Domain;
using Parks.Finance.Domain.Institutions;
using Parks.Hosting.State;
using Parks.Storage;

namespace Parks.Finance.Storage;

/// <summary>Financial institutions on the state store; the zone's finance bureau maintains them.</summary>
internal sealed class InstitutionStore(IStateStore store, FinanceSeed seed, TimeProvider time)
{
    private readonly IReadOnlySet<string> _products = seed.LoanProducts.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);

    public Task<Versioned<FinancialInstitution>> GetAsync(string name, CancellationToken ct) =>
        store.ReadRequiredAsync<FinancialInstitution>(FinanceKeys.Institution(ResourceNames.Id(name, FinancialInstitution.Collection, "name")), "Institution", name, ct);

    public Task<Page<Versioned<FinancialInstitution>>> ListAsync(InstitutionKind? kind, int pageSize, string? pageToken, CancellationToken ct) =>
        store.ListAsync<FinancialInstitution>(kind is { } k ? FinanceKeys.InstitutionsOfKind(k) : FinanceKeys.Institutions, FinanceKeys.Institution, pageSize, pageToken,
            $"institutions|{kind}", ct);

    public async Task<Versioned<FinancialInstitution>> CreateAsync(Caller caller, string? id, InstitutionDraft draft, string? requestId, CancellationToken ct)
    {
        EnterpriseAccess.RequireZone(caller, "register financial institutions");
        RequestIds.Validate(requestId);
        if (await RequestIds.FindAsync(store, FinanceKeys.Service, "CreateInstitution", requestId, ct) is { } existing) return await GetAsync(existing, ct);
        var institution = FinancialInstitution.Create(string.IsNullOrEmpty(id) ? Ids.New('i') : id, draft, _products, time.GetUtcNow());
        var key = FinanceKeys.Institution(institution.Id);
        var tx = new StateTransaction().PutJson(key, institution, 0)
            .AddToIndex(FinanceKeys.Institutions, institution.Id)
            .AddToIndex(FinanceKeys.InstitutionsOfKind(institution.Kind), institution.Id);
        RequestIds.Remember(tx, FinanceKeys.Service, "CreateInstitution", requestId, institution.Name);
        try
        {
            var result = await store.CommitAsync(tx, ct);
            return new Versioned<FinancialInstitution>(institution, result.Versions[key]);
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == key)
        {
            throw new AlreadyExistsException("Institution", institution.Name, $"institution '{institution.Id}' already exists");
        }
    }

    public async Task<Versioned<FinancialInstitution>> UpdateAsync(Caller caller, string name, string? displayName, string? note, bool? local,
        IReadOnlyList<string>? partnerProducts, string? etag, CancellationToken ct)
    {
        EnterpriseAccess.RequireZone(caller, "update financial institutions");
        var current = await GetAsync(name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var next = current.Value.Update(displayName, note, local, partnerProducts, _products, time.GetUtcNow());
        var key = FinanceKeys.Institution(next.Id);
        var result = await store.CommitAsync(new StateTransaction().PutJson(key, next, expected), ct);
        return new Versioned<FinancialInstitution>(next, result.Versions[key]);
    }

    /// <summary>The documents' count by kind (baseline) and the institutions recorded here, by kind.</summary>
    public async Task<IReadOnlyDictionary<InstitutionKind, long>> RecordedByKindAsync(CancellationToken ct)
    {
        var result = new Dictionary<InstitutionKind, long>();
        foreach (var kind in Enum.GetValues<InstitutionKind>()) result[kind] = await store.CountIndexAsync(FinanceKeys.InstitutionsOfKind(kind), ct);
        return result;
    }

    public Task<int> SeedAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var records = seed.Institutions.Select(i =>
        {
            var institution = FinancialInstitution.Create(i.Id, i.Draft, _products, now);
            return new SeedRecord(FinanceKeys.Institution(institution.Id), institution,
                [(FinanceKeys.Institutions, institution.Id), (FinanceKeys.InstitutionsOfKind(institution.Kind), institution.Id)]);
        }).ToList();
        return Seeding.SeedAsync(store, records, ct);
    }
}
