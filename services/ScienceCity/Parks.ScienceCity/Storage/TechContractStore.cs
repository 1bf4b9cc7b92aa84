using Parks.Domain;
using Parks.Hosting.State;
using Parks.ScienceCity.Domain;
using Parks.ScienceCity.Events;
using Parks.Hosting.Events;
using Parks.Storage;

namespace Parks.ScienceCity.Storage;

/// <summary>
/// Technology contracts on the state store. A registration commits the contract, its registration-number claim
/// (so a number is registered once), the year's turnover (技术合同成交额) and the indicator event together.
/// </summary>
internal sealed class TechContractStore(IStateStore store, IEventOutbox events, TimeProvider time)
{
    private static readonly string All = ScienceCityKeys.Index("tech-contracts");
    private static readonly string Years = ScienceCityKeys.Index("tech-contract-turnover-years");

    private static string ByYear(int year) => ScienceCityKeys.Index($"tech-contracts-year:{year:D4}");

    public Task<Versioned<TechContract>> GetAsync(string name, CancellationToken ct) =>
        store.ReadRequiredAsync<TechContract>(ScienceCityKeys.TechContract(ResourceNames.Id(name, TechContract.Collection, "name")), "TechContract", name, ct);

    public Task<Page<Versioned<TechContract>>> ListAsync(int? signedYear, int pageSize, string? pageToken, CancellationToken ct) =>
        store.ListAsync<TechContract>(signedYear is { } y ? ByYear(y) : All, ScienceCityKeys.TechContract, pageSize, pageToken, $"tech-contracts|{signedYear}", ct);

    public async Task<Versioned<TechContract>> CreateAsync(string? id, TechContractDraft draft, string? requestId, CancellationToken ct)
    {
        RequestIds.Validate(requestId);
        if (await RequestIds.FindAsync(store, ScienceCityKeys.Service, "CreateTechContract", requestId, ct) is { } existing) return await GetAsync(existing, ct);

        var contract = TechContract.Register(string.IsNullOrEmpty(id) ? Ids.New('c') : id, draft, time.GetUtcNow());
        // The year's turnover is shared by every registration of that year: a concurrent one only means re-reading it.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryCreateAsync(contract, requestId, ct);
            }
            catch (ConcurrencyException ex) when (ex.ResourceName == ScienceCityKeys.Turnover(contract.SignedDate.Year) && attempt < MaxTurnoverAttempts)
            {
            }
        }
    }

    private const int MaxTurnoverAttempts = 5;

    private async Task<Versioned<TechContract>> TryCreateAsync(TechContract contract, string? requestId, CancellationToken ct)
    {
        var key = ScienceCityKeys.TechContract(contract.Id);
        var numberKey = ScienceCityKeys.TechContractNumber(contract.RegistrationNumber);
        var year = contract.SignedDate.Year;
        var turnoverKey = ScienceCityKeys.Turnover(year);
        var turnover = await store.ReadAsync<TechContractTurnover>(turnoverKey, ct);
        var next = (turnover?.Value ?? TechContractTurnover.Empty(year)).Add(contract);

        var tx = new StateTransaction()
            .PutJson(key, contract, 0)
            .PutJson(numberKey, contract.Name, 0)
            .PutJson(turnoverKey, next, turnover?.Version ?? 0)
            .AddToIndex(All, contract.Id)
            .AddToIndex(ByYear(year), contract.Id)
            .AddToIndex(Years, year.ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
        if (contract.ResearchProject is { } projectName)
        {
            var project = await store.GetAsync(ScienceCityKeys.ResearchProject(ResourceNames.Id(projectName, ResearchProject.Collection, "tech_contract.research_project")), ct)
                ?? throw new NotFoundException("ResearchProject", projectName);
            tx.Require(project.Key, project.Version);
        }
        RequestIds.Remember(tx, ScienceCityKeys.Service, "CreateTechContract", requestId, contract.Name);
        events.Add(tx, Published.Turnover(next), contract.Name);
        try
        {
            var result = await store.CommitAsync(tx, ct);
            return new Versioned<TechContract>(contract, result.Versions[key]);
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == numberKey)
        {
            var other = await store.ReadAsync<string>(numberKey, ct);
            throw new AlreadyExistsException("TechContract", other?.Value ?? contract.Name,
                $"registration number '{contract.RegistrationNumber}' is already registered ({other?.Value})");
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == key)
        {
            throw new AlreadyExistsException("TechContract", contract.Name, $"tech contract '{contract.Id}' already exists");
        }
    }

    /// <summary>The turnover of the requested years of signing (all years with contracts when none are given).</summary>
    public async Task<IReadOnlyList<TechContractTurnover>> TurnoverAsync(IReadOnlyList<int> years, CancellationToken ct)
    {
        var wanted = years.Count > 0
            ? years.Distinct().Order().ToList()
            : (await store.ScanIndexAsync(Years, null, PageToken.MaxPageSize, ct)).Select(y => int.Parse(y, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var y in wanted)
        {
            if (y is < 1990 or > 2100) throw new ValidationException("years", $"{y} is not a calendar year");
        }
        var stored = await store.ReadManyAsync<TechContractTurnover>(wanted.Select(ScienceCityKeys.Turnover).ToList(), ct);
        return wanted.Select((y, i) => stored[i]?.Value ?? TechContractTurnover.Empty(y)).ToList();
    }
}
