using Parks.Domain;
using Parks.Finance.Data;
using Parks.Finance.Domain;
using Parks.Finance.Domain.Funds;
using Parks.Hosting.State;
using Parks.Storage;

namespace Parks.Finance.Storage;

/// <summary>Funds on the state store: the mother fund, its sub-funds, capital paid in.</summary>
internal sealed class FundStore(IStateStore store, FinanceSeed seed, TimeProvider time)
{
    public Task<Versioned<Fund>> GetAsync(string name, CancellationToken ct) =>
        store.ReadRequiredAsync<Fund>(FinanceKeys.Fund(ResourceNames.Id(name, Fund.Collection, "name")), "Fund", name, ct);

    public async Task<Page<Versioned<Fund>>> ListAsync(string? parent, int pageSize, string? pageToken, CancellationToken ct)
    {
        var index = parent is null ? FinanceKeys.Funds : FinanceKeys.SubFundsOf(ResourceNames.Id(parent, Fund.Collection, "parent_fund"));
        return await store.ListAsync<Fund>(index, FinanceKeys.Fund, pageSize, pageToken, $"funds|{parent}", ct);
    }

    /// <summary>The social capital committed to a mother fund's sub-funds (what it levers, as recorded here).</summary>
    public async Task<Fen> SubFundSocialCommittedAsync(Fund mother, CancellationToken ct)
    {
        if (mother.Role != FundRole.Mother) return Fen.Zero;
        var subs = await store.ReadAllAsync<Fund>(FinanceKeys.SubFundsOf(mother.Id), FinanceKeys.Fund, ct);
        return subs.Aggregate(Fen.Zero, (sum, f) => sum + f.Value.SocialCommitted);
    }

    public async Task<Versioned<Fund>> CreateAsync(Caller caller, string? id, FundDraft draft, string? requestId, CancellationToken ct)
    {
        EnterpriseAccess.RequireZone(caller, "register funds");
        RequestIds.Validate(requestId);
        if (await RequestIds.FindAsync(store, FinanceKeys.Service, "CreateFund", requestId, ct) is { } existing) return await GetAsync(existing, ct);
        Versioned<Fund>? parent = null;
        if (draft.ParentFund is { } parentName)
        {
            parent = await store.ReadAsync<Fund>(FinanceKeys.Fund(ResourceNames.Id(parentName, Fund.Collection, "parent_fund")), ct);
        }
        var fund = Fund.Create(string.IsNullOrEmpty(id) ? Ids.New('f') : id, draft, parent?.Value, time.GetUtcNow());
        var key = FinanceKeys.Fund(fund.Id);
        var tx = new StateTransaction().PutJson(key, fund, 0).AddToIndex(FinanceKeys.Funds, fund.Id);
        if (parent is not null)
        {
            // The mother fund must still be what was checked when the sub-fund lands under it.
            tx.Require(FinanceKeys.Fund(parent.Value.Id), parent.Version).AddToIndex(FinanceKeys.SubFundsOf(parent.Value.Id), fund.Id);
        }
        RequestIds.Remember(tx, FinanceKeys.Service, "CreateFund", requestId, fund.Name);
        try
        {
            var result = await store.CommitAsync(tx, ct);
            return new Versioned<Fund>(fund, result.Versions[key]);
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == key)
        {
            throw new AlreadyExistsException("Fund", fund.Name, $"fund '{fund.Id}' already exists");
        }
    }

    public Task<Versioned<Fund>> RecordPaidInAsync(Caller caller, string name, Fen amount, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, name, etag, f => f.RecordPaidIn(amount, time.GetUtcNow()), ct);

    public Task<Versioned<Fund>> ChangeStatusAsync(Caller caller, string name, FundStatus status, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, name, etag, f => f.ChangeStatus(status, time.GetUtcNow()), ct);

    public async Task<int> SeedAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var funds = new Dictionary<string, Fund>(StringComparer.Ordinal);
        // Mother funds first: a sub-fund is checked against its mother.
        foreach (var f in seed.Funds.OrderBy(f => f.Draft.Role))
        {
            var parent = f.Draft.ParentFund is { } p ? funds.GetValueOrDefault(ResourceNames.Id(p, Fund.Collection, "parent_fund")) : null;
            funds[f.Id] = Fund.Create(f.Id, f.Draft, parent, now);
        }
        var records = funds.Values.Select(f =>
        {
            List<(string, string)> indexes = [(FinanceKeys.Funds, f.Id)];
            if (f.ParentFund is { } parent) indexes.Add((FinanceKeys.SubFundsOf(ResourceNames.Id(parent, Fund.Collection, "parent_fund")), f.Id));
            return new SeedRecord(FinanceKeys.Fund(f.Id), f, indexes);
        }).ToList();
        return await Seeding.SeedAsync(store, records, ct);
    }

    private async Task<Versioned<Fund>> ChangeAsync(Caller caller, string name, string? etag, Func<Fund, Fund> change, CancellationToken ct)
    {
        EnterpriseAccess.RequireZone(caller, "change funds");
        var current = await GetAsync(name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var next = change(current.Value);
        var key = FinanceKeys.Fund(next.Id);
        var result = await store.CommitAsync(new StateTransaction().PutJson(key, next, expected), ct);
        return new Versioned<Fund>(next, result.Versions[key]);
    }
}
