using Parks.Domain;
using Parks.Hosting.State;
using Parks.Units.Domain;
using Parks.Units.Events;
using Parks.Units.Storage;

namespace Parks.Units.Application;

/// <summary>An entry of the zone-wide ranking: position, evaluation.</summary>
public sealed record RankingEntry(int Rank, InnovationPointsEvaluation Evaluation);

/// <summary>
/// Innovation-points evaluations and the zone-wide annual ranking. An evaluation is stored zone-wide (one per
/// enterprise and year, wherever the enterprise is located) and written together with its ranking score, with a
/// check that the enterprise is still registered in the evaluating unit — so two units can never both score it.
/// </summary>
public sealed class InnovationPointsOperations(UnitsContext context, EnterpriseOperations enterprises)
{
    public const int TopCount = 100;

    private readonly Records<InnovationPointsEvaluation> _records = new(context.Store, _ => []);

    private IStateStore Store => context.Store;

    public async Task<Stored<InnovationPointsEvaluation>> EvaluateAsync(
        string? parent, int year, string? modelVersion, IReadOnlyDictionary<string, long> inputs, string? etag, CancellationToken cancellationToken = default)
    {
        var model = context.Models.Get(modelVersion);
        var enterprise = await enterprises.GetAsync(parent, cancellationToken);
        var key = ZoneKeys.Evaluation(year, enterprise.Value.Uscc);
        var previous = await _records.GetAsync(key, cancellationToken);
        if (previous is not null) Etags.Check(etag, previous.Version, previous.Value.Name);
        var evaluation = InnovationPointsEvaluation.Evaluate(enterprise.Value, year, model, inputs, previous?.Value, context.Clock.Today, context.Clock.Now);

        var registryKey = ZoneKeys.Registry(enterprise.Value.Uscc);
        var registry = await Store.GetAsync(registryKey, cancellationToken)
            ?? throw new InvalidOperationException($"enterprise {enterprise.Value.Name} has no registry entry");
        var dataSet = UnitKeys.DataSetOf(evaluation.Demo);
        var tx = new StateTransaction();
        _records.Put(tx, key, previous?.Value, evaluation, previous?.Version ?? 0);
        tx.Require(registryKey, registry.Version);
        tx.SetScore(ZoneKeys.Ranking(year, dataSet), evaluation.Uscc, evaluation.Score.TotalCentipoints);
        tx.AddToIndex(ZoneKeys.RankingMembers(year, dataSet), evaluation.Uscc);
        var result = await context.CommitAsync(tx,
            [new InnovationPointsEvaluatedEvent(evaluation) { Id = UnitEvent.NewId(), Time = evaluation.EvaluateTime }], cancellationToken);
        return new Stored<InnovationPointsEvaluation>(evaluation, result.Versions[key]);
    }

    public async Task<Stored<InnovationPointsEvaluation>> GetAsync(string? name, CancellationToken cancellationToken = default)
    {
        var (unit, uscc, year) = ResourceNames.ParseInnovationPoints(name);
        await context.Scope.RequireServedAsync(unit, cancellationToken);
        var evaluation = await _records.GetAsync(ZoneKeys.Evaluation(year, uscc), cancellationToken);
        // Evaluations are zone-wide; under a unit's name only while the enterprise is located there.
        if (evaluation is null || (await enterprises.TryLoadAsync(unit, uscc, cancellationToken)) is null)
            throw new NotFoundException("InnovationPointsEvaluation", name!);
        return evaluation with { Value = evaluation.Value with { Unit = unit } };
    }

    public InnovationPointsModel GetModel(string? name)
    {
        const string prefix = "innovationPointsModels/";
        if (name is null || !name.StartsWith(prefix, StringComparison.Ordinal) || name.Length == prefix.Length)
            throw new ValidationException("name", $"'{name}' is not of the form innovationPointsModels/{{version}} (or innovationPointsModels/current)");
        return context.Models.Get(name[prefix.Length..]);
    }

    public async Task<Page<RankingEntry>> ListRankingAsync(string? parent, int pageSize, string? pageToken, DataSetFilter dataSet, CancellationToken cancellationToken = default)
    {
        var year = ResourceNames.ParseInnovationRanking(parent, "parent");
        var set = RankingSet(dataSet);
        var fingerprint = $"ranking|{year}|{set}";
        var (offset, size) = Paging.Offset(pageSize, pageToken, fingerprint);
        var entries = await RankAsync(year, set, offset, size + 1, cancellationToken);
        var total = await Store.CountIndexAsync(ZoneKeys.RankingMembers(year, set), cancellationToken);
        var more = entries.Count > size;
        return new Page<RankingEntry>(
            [.. entries.Take(size)],
            more ? PageToken.Create(fingerprint, (offset + size).ToString(System.Globalization.CultureInfo.InvariantCulture)) : "",
            total);
    }

    /// <summary>The year's 百强 (top 100), as the zone published for 2020年度 (000:57).</summary>
    public async Task<IReadOnlyList<RankingEntry>> Top100Async(string? name, DataSetFilter dataSet, CancellationToken cancellationToken = default)
    {
        var year = ResourceNames.ParseInnovationRanking(name);
        return await RankAsync(year, RankingSet(dataSet), 0, TopCount, cancellationToken);
    }

    private async Task<IReadOnlyList<RankingEntry>> RankAsync(int year, string dataSet, int offset, int count, CancellationToken cancellationToken)
    {
        var ranked = await Store.RankAsync(ZoneKeys.Ranking(year, dataSet), offset, count, cancellationToken);
        var evaluations = await _records.GetManyAsync([.. ranked.Select(r => ZoneKeys.Evaluation(year, r.Member))], cancellationToken);
        // Named under the unit where the enterprise is registered now (it may have moved since it was evaluated).
        var registryKeys = ranked.Select(r => ZoneKeys.Registry(r.Member)).ToArray();
        var registry = await Store.GetManyAsync(registryKeys, cancellationToken);
        var entries = new List<RankingEntry>(ranked.Count);
        for (var i = 0; i < ranked.Count; i++)
        {
            if (evaluations[i] is not { } e) continue;
            var evaluation = e.Value;
            if (registry[i] is { } r && UnitRef.TryParse(StateJson.Deserialize<RegistryEntry>(r.Value, registryKeys[i]).Unit, out var unit))
                evaluation = evaluation with { Unit = unit };
            entries.Add(new RankingEntry(offset + i + 1, evaluation));
        }
        return entries;
    }

    /// <summary>Real and demo evaluations are ranked separately; the default is the real ranking.</summary>
    private static string RankingSet(DataSetFilter dataSet) => dataSet switch
    {
        DataSetFilter.Demo => UnitKeys.Demo,
        DataSetFilter.All or DataSetFilter.Real => UnitKeys.Real,
        _ => throw new ValidationException("data_set", $"unknown data set {(int)dataSet}"),
    };
}
