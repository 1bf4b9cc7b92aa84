using System.Globalization;
using Parks.Domain;
using Parks.Hosting.State;
using Parks.Units.Application;
using Parks.Units.Domain;
using Parks.Units.Storage;

namespace Parks.Units.Data;

/// <summary>What one load did for one unit.</summary>
public sealed record SeedResult(UnitRef Unit, bool RealLoaded, int Observations, bool DemoLoaded, int DemoEnterprises, int DemoProjects, int DemoReferrals, int DemoEvaluations);

/// <summary>
/// Loads each served unit's share of the real seed data and, when enabled, the demo data set. Idempotent: a
/// marker per unit and data set records what was loaded, so a second start changes nothing; records that
/// already exist (e.g. revised by an operator) are never overwritten. Loading publishes no events.
/// </summary>
public sealed class SeedLoader(UnitsContext context, UnitsOptions options)
{
    private const int Batch = 200;

    private readonly Records<Enterprise> _enterprises = new(context.Store, e => EnterpriseOperations.IndexesOf(e, context.TierRules));
    private readonly Records<InvestmentProject> _projects = new(context.Store, ProjectOperations.ProjectIndexes);
    private readonly Records<Referral> _referrals = new(context.Store, ProjectOperations.ReferralIndexes);
    private readonly Records<Observation> _observations = new(context.Store, IndicatorOperations.IndexesOf);

    private IStateStore Store => context.Store;

    public async Task<IReadOnlyList<SeedResult>> LoadAsync(CancellationToken cancellationToken = default)
    {
        if (context.Scope is BranchParkScope) await new BranchParkOperations(context).LoadSeedAsync(cancellationToken);
        // The branch-parks service loads its parks side by side (each unit's data is independent).
        var results = new List<SeedResult>();
        await Parallel.ForEachAsync(await context.Scope.ServedUnitsAsync(cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (unit, ct) =>
            {
                var result = await LoadUnitAsync(unit, ct);
                lock (results) results.Add(result);
            });
        return [.. results.OrderBy(r => r.Unit.ResourceName, StringComparer.Ordinal)];
    }

    public async Task<SeedResult> LoadUnitAsync(UnitRef unit, CancellationToken cancellationToken = default)
    {
        var keys = new UnitKeys(unit);
        var (realLoaded, observations) = await LoadRealAsync(unit, keys, cancellationToken);
        if (!options.DemoData) return new SeedResult(unit, realLoaded, observations, false, 0, 0, 0, 0);

        var marker = $"{DemoData.GeneratorVersion}|seed={options.DemoSeed}|enterprises={options.DemoEnterprisesPerUnit}";
        if (await MarkerAsync(keys.SeedMarker(UnitKeys.Demo), cancellationToken) == marker)
            return new SeedResult(unit, realLoaded, observations, false, 0, 0, 0, 0);
        var (enterprises, projects, referrals, evaluations) = await LoadDemoAsync(unit, keys, cancellationToken);
        await SetMarkerAsync(keys.SeedMarker(UnitKeys.Demo), marker, cancellationToken);
        return new SeedResult(unit, realLoaded, observations, true, enterprises, projects, referrals, evaluations);
    }

    /// <summary>Removes the unit's demo data set (records, registry entries, indexes, demo evaluations and its marker).</summary>
    public async Task<int> PurgeDemoAsync(UnitRef unit, CancellationToken cancellationToken = default)
    {
        var keys = new UnitKeys(unit);
        var removed = 0;
        removed += await PurgeAsync(keys.Enterprises(UnitKeys.Demo), keys.Enterprise, _enterprises, (tx, e) => tx.Delete(ZoneKeys.Registry(e.Uscc), null), cancellationToken);
        removed += await PurgeAsync(keys.Projects(UnitKeys.Demo), keys.Project, _projects, null, cancellationToken);
        removed += await PurgeAsync(keys.Referrals(UnitKeys.Demo), keys.Referral, _referrals, null, cancellationToken);
        while (await Store.ScanIndexAsync(keys.DemoEvaluations, null, Batch, cancellationToken) is { Count: > 0 } page)
        {
            var tx = new StateTransaction();
            foreach (var member in page)
            {
                var year = int.Parse(member.AsSpan(0, member.IndexOf('|', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
                var uscc = member[(member.IndexOf('|', StringComparison.Ordinal) + 1)..];
                tx.Delete(ZoneKeys.Evaluation(year, uscc), null);
                tx.RemoveScore(ZoneKeys.Ranking(year, UnitKeys.Demo), uscc);
                tx.RemoveFromIndex(ZoneKeys.RankingMembers(year, UnitKeys.Demo), uscc);
                tx.RemoveFromIndex(keys.DemoEvaluations, member);
            }
            await Store.CommitAsync(tx, cancellationToken);
            removed += page.Count;
        }
        await Store.CommitAsync(new StateTransaction().Delete(keys.SeedMarker(UnitKeys.Demo), null), cancellationToken);
        return removed;
    }

    private async Task<(bool Loaded, int Count)> LoadRealAsync(UnitRef unit, UnitKeys keys, CancellationToken cancellationToken)
    {
        var observations = SeedData.ObservationsFor(unit);
        // The marker names the data version, so new figures in a later release are added (existing ones kept).
        var marker = "real-v1|observations=" + observations.Count.ToString(CultureInfo.InvariantCulture);
        if (await MarkerAsync(keys.SeedMarker(UnitKeys.Real), cancellationToken) == marker) return (false, 0);
        var now = context.Clock.Now;
        var written = await WriteAllAsync(observations.Select(o => o with { ReportTime = now }).ToList(),
            o => keys.Observation(o.Indicator, o.Id), _observations, null, cancellationToken);
        await SetMarkerAsync(keys.SeedMarker(UnitKeys.Real), marker, cancellationToken);
        return (true, written);
    }

    private async Task<(int Enterprises, int Projects, int Referrals, int Evaluations)> LoadDemoAsync(UnitRef unit, UnitKeys keys, CancellationToken cancellationToken)
    {
        var today = context.Clock.Today;
        var now = context.Clock.Now;
        var rules = context.TierRules;
        var generator = new DemoData(options.DemoSeed, context.Industries, rules, context.Models.Current);

        var enterprises = new List<Enterprise>(options.DemoEnterprisesPerUnit);
        foreach (var demo in generator.Enterprises(unit, options.DemoEnterprisesPerUnit, today))
        {
            var e = Enterprise.Register(unit, demo.Draft, context.Industries, demo: true, today, now);
            foreach (var c in demo.Certifications) e = e.Certify(c, rules, today, now).Enterprise;
            enterprises.Add(e);
        }
        var enterpriseCount = await WriteAllAsync(enterprises, e => keys.Enterprise(e.Uscc), _enterprises,
            (tx, e) => tx.Put(ZoneKeys.Registry(e.Uscc), StateJson.Serialize(new RegistryEntry(unit.ResourceName, true, now)), 0), cancellationToken);

        var projects = new List<InvestmentProject>();
        foreach (var demo in generator.Projects(unit, Math.Max(1, options.DemoEnterprisesPerUnit / 4), today))
        {
            var p = InvestmentProject.Create(unit, demo.Id, demo.Draft, context.Industries, context.InvestmentRules, true, demo.StageDates[0], now);
            for (var s = 1; s < demo.StageDates.Count; s++) p = p.Advance(ProjectStages.Next(p.Stage)!.Value, demo.StageDates[s], today, now);
            if (demo.Stage == ProjectStage.Dropped) p = p.Drop(demo.DropReason, p.StageDate, today, now);
            projects.Add(p);
        }

        var referrals = new List<Referral>();
        if (unit.Kind == UnitKind.BranchPark)
        {
            foreach (var demo in generator.Referrals(unit, 12))
            {
                var r = Referral.Create(unit, demo.Id, demo.Draft, context.Industries, context.InvestmentRules, true, now);
                switch (demo.Outcome)
                {
                    case ReferralState.Accepted:
                        var (accepted, project) = r.Accept($"{demo.Id}-p", null, context.Industries, context.InvestmentRules, today, now);
                        r = accepted;
                        projects.Add(project);
                        break;
                    case ReferralState.Declined:
                        r = r.Decline(demo.DeclineReason, now);
                        break;
                }
                referrals.Add(r);
            }
        }
        var projectCount = await WriteAllAsync(projects, p => keys.Project(p.Id), _projects, null, cancellationToken);
        var referralCount = await WriteAllAsync(referrals, r => keys.Referral(r.Id), _referrals, null, cancellationToken);

        var byUscc = enterprises.ToDictionary(e => e.Uscc, StringComparer.Ordinal);
        var evaluations = generator.Evaluations(unit, [.. byUscc.Keys], today)
            .Select(d => InnovationPointsEvaluation.Evaluate(byUscc[d.Uscc], d.Year, context.Models.Current, d.Inputs, null, today, now))
            .ToList();
        var evaluationCount = 0;
        foreach (var chunk in evaluations.Chunk(Batch))
        {
            var tx = new StateTransaction();
            foreach (var evaluation in chunk)
            {
                tx.Put(ZoneKeys.Evaluation(evaluation.Year, evaluation.Uscc), StateJson.Serialize(evaluation), null);
                tx.SetScore(ZoneKeys.Ranking(evaluation.Year, UnitKeys.Demo), evaluation.Uscc, evaluation.Score.TotalCentipoints);
                tx.AddToIndex(ZoneKeys.RankingMembers(evaluation.Year, UnitKeys.Demo), evaluation.Uscc);
                tx.AddToIndex(keys.DemoEvaluations, $"{evaluation.Year.ToString(CultureInfo.InvariantCulture)}|{evaluation.Uscc}");
            }
            await Store.CommitAsync(tx, cancellationToken);
            evaluationCount += chunk.Length;
        }
        return (enterpriseCount, projectCount, referralCount, evaluationCount);
    }

    /// <summary>
    /// Creates every record that does not exist yet, in batches; a batch that meets an existing record (an earlier
    /// partial load) is retried one record at a time so existing records stay as they are. Returns how many were written.
    /// </summary>
    private async Task<int> WriteAllAsync<T>(IReadOnlyList<T> items, Func<T, string> keyOf, Records<T> records,
        Action<StateTransaction, T>? also, CancellationToken cancellationToken) where T : class
    {
        var written = 0;
        foreach (var chunk in items.Chunk(Batch))
        {
            var tx = new StateTransaction();
            foreach (var item in chunk)
            {
                records.Put(tx, keyOf(item), null, item, 0);
                also?.Invoke(tx, item);
            }
            try
            {
                await Store.CommitAsync(tx, cancellationToken);
                written += chunk.Length;
                continue;
            }
            catch (ConcurrencyException)
            {
            }
            foreach (var item in chunk)
            {
                var single = new StateTransaction();
                records.Put(single, keyOf(item), null, item, 0);
                also?.Invoke(single, item);
                try
                {
                    await Store.CommitAsync(single, cancellationToken);
                    written++;
                }
                catch (ConcurrencyException)
                {
                    // Exists already (or its registry entry does): left as it is.
                }
            }
        }
        return written;
    }

    private async Task<int> PurgeAsync<T>(string index, Func<string, string> keyOf, Records<T> records, Action<StateTransaction, T>? also, CancellationToken cancellationToken) where T : class
    {
        var removed = 0;
        while (await Store.ScanIndexAsync(index, null, Batch, cancellationToken) is { Count: > 0 } page)
        {
            var found = await records.GetManyAsync([.. page.Select(keyOf)], cancellationToken);
            var tx = new StateTransaction();
            for (var i = 0; i < page.Count; i++)
            {
                if (found[i] is { } record)
                {
                    records.Delete(tx, keyOf(page[i]), record.Value, record.Version);
                    also?.Invoke(tx, record.Value);
                }
                else
                {
                    tx.RemoveFromIndex(index, page[i]);
                }
            }
            await Store.CommitAsync(tx, cancellationToken);
            removed += page.Count;
        }
        return removed;
    }

    private async Task<string?> MarkerAsync(string key, CancellationToken cancellationToken) =>
        await Store.GetAsync(key, cancellationToken) is { } entry ? System.Text.Encoding.UTF8.GetString(entry.Value.Span) : null;

    private Task SetMarkerAsync(string key, string marker, CancellationToken cancellationToken) =>
        Store.CommitAsync(new StateTransaction().Put(key, System.Text.Encoding.UTF8.GetBytes(marker), null), cancellationToken);
}
