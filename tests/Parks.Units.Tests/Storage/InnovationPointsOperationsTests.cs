using Parks.Hosting.State;
using Parks.Domain;
using Parks.Units.Application;
using Parks.Units.Domain;
using Parks.Units.Events;
using Parks.Testing;
using Parks.Units.Tests.Support;
using static Parks.Units.Tests.TestData;

namespace Parks.Units.Tests.Storage;

public abstract class InnovationPointsOperationsTests : StoreTests
{
    private static Dictionary<string, long> Inputs(UnitsProcess p, long revenueWan) =>
        p.Context.Models.Current.Dimensions.SelectMany(d => d.Inputs).ToDictionary(i => i.Id, i => i.Id == "revenue_wan" ? revenueWan : 0L);

    private static async Task<string> Enterprise(UnitsProcess p, string unit) =>
        (await p.Enterprises.CreateAsync(unit, Draft(), null)).Value.Name;

    [Fact]
    public async Task Evaluations_from_several_units_form_one_zone_wide_ranking()
    {
        var (lingshui, qixianling, parks, store) = await ZoneAsync();
        var a = await Enterprise(lingshui, "districts/lingshui");
        var b = await Enterprise(qixianling, "districts/qixianling");
        var c = await Enterprise(parks, "parks/jinpu");

        await lingshui.Points.EvaluateAsync(a, 2023, null, Inputs(lingshui, 3000), null);    // 300 centipoints
        await qixianling.Points.EvaluateAsync(b, 2023, null, Inputs(qixianling, 9000), null); // 900
        await parks.Points.EvaluateAsync(c, 2023, null, Inputs(parks, 6000), null);          // 600

        var ranking = await parks.Points.ListRankingAsync("innovationRankings/2023", 2, null, DataSetFilter.All);
        Assert.Equal([b, c], ranking.Items.Select(e => e.Evaluation.Name.Split("/innovationPoints")[0]));
        Assert.Equal([1, 2], ranking.Items.Select(e => e.Rank));
        Assert.Equal(3, ranking.TotalSize);
        var rest = await lingshui.Points.ListRankingAsync("innovationRankings/2023", 2, ranking.NextPageToken, DataSetFilter.All);
        Assert.Equal(3, Assert.Single(rest.Items).Rank);
        Assert.Equal("", rest.NextPageToken);
        Assert.Equal(3, (await lingshui.Points.Top100Async("innovationRankings/2023", DataSetFilter.Real)).Count);
        Assert.Empty(await lingshui.Points.Top100Async("innovationRankings/2023", DataSetFilter.Demo));
        Assert.Empty(await lingshui.Points.Top100Async("innovationRankings/2022", DataSetFilter.Real));
        foreach (var process in new[] { lingshui, qixianling, parks })
            Assert.Single(await process.Outbox.CommittedAsync<InnovationPointsEvaluatedEvent>(store));
    }

    [Fact]
    public async Task A_re_evaluation_replaces_the_score_and_checks_the_etag()
    {
        var (lingshui, _, _, _) = await ZoneAsync();
        var a = await Enterprise(lingshui, "districts/lingshui");
        var first = await lingshui.Points.EvaluateAsync(a, 2023, null, Inputs(lingshui, 1000), null);

        var second = await lingshui.Points.EvaluateAsync(a, 2023, null, Inputs(lingshui, 5000), first.Etag);

        Assert.Equal(2, second.Value.Revision);
        Assert.Equal(500, Assert.Single(await lingshui.Points.Top100Async("innovationRankings/2023", DataSetFilter.Real)).Evaluation.Score.TotalCentipoints);
        await Assert.ThrowsAsync<ConcurrencyException>(() => lingshui.Points.EvaluateAsync(a, 2023, null, Inputs(lingshui, 1), first.Etag));
        var read = await lingshui.Points.GetAsync($"{a}/innovationPoints/2023");
        Assert.Equal(lingshui.Context.Models.Current.Version, read.Value.ModelVersion);
        Assert.Equal(5000, read.Value.Inputs["revenue_wan"]);
    }

    [Fact]
    public async Task The_evaluation_follows_the_enterprise_to_its_new_unit()
    {
        var (lingshui, _, parks, store) = await ZoneAsync();
        var a = await Enterprise(lingshui, "districts/lingshui");
        await lingshui.Points.EvaluateAsync(a, 2023, null, Inputs(lingshui, 1000), null);
        await lingshui.Enterprises.RelocateAsync(a, "parks/jinpu", Today, null, null);
        await parks.Enterprises.TakeOverAsync(Assert.Single(await lingshui.Outbox.CommittedAsync<EnterpriseRelocatedEvent>(store)));
        var moved = a.Replace("districts/lingshui", "parks/jinpu", StringComparison.Ordinal);

        var read = await parks.Points.GetAsync($"{moved}/innovationPoints/2023");
        var entry = Assert.Single(await parks.Points.Top100Async("innovationRankings/2023", DataSetFilter.Real));

        Assert.Equal($"{moved}/innovationPoints/2023", read.Value.Name);
        Assert.Equal("parks/jinpu", entry.Evaluation.Unit.ResourceName);
        await Assert.ThrowsAsync<NotFoundException>(() => lingshui.Points.GetAsync($"{a}/innovationPoints/2023"));
        await Assert.ThrowsAsync<NotFoundException>(() => lingshui.Points.EvaluateAsync(a, 2024, null, Inputs(lingshui, 1), null));
    }

    [Fact]
    public async Task Bad_evaluation_requests_are_refused_precisely()
    {
        var (lingshui, _, _, _) = await ZoneAsync();
        var a = await Enterprise(lingshui, "districts/lingshui");

        Assert.Equal("innovationPointsModels/v9", (await Assert.ThrowsAsync<NotFoundException>(() => lingshui.Points.EvaluateAsync(a, 2023, "v9", Inputs(lingshui, 1), null))).ResourceName);
        Assert.StartsWith("inputs[", (await Assert.ThrowsAsync<ValidationException>(() => lingshui.Points.EvaluateAsync(a, 2023, null, new Dictionary<string, long>(), null))).Violations[0].Field);
        Assert.Equal("year", (await Assert.ThrowsAsync<ValidationException>(() => lingshui.Points.EvaluateAsync(a, 2030, null, Inputs(lingshui, 1), null))).Violations[0].Field);
        Assert.Equal("parent", (await Assert.ThrowsAsync<ValidationException>(() => lingshui.Points.ListRankingAsync("rankings/2023", 10, null, DataSetFilter.All))).Violations[0].Field);
        Assert.Equal("name", (await Assert.ThrowsAsync<ValidationException>(() => Task.FromResult(lingshui.Points.GetModel("models/x")))).Violations[0].Field);
        Assert.True(lingshui.Points.GetModel("innovationPointsModels/current").Illustrative);
    }
}

public sealed class InnovationPointsOperationsInMemoryTests : InnovationPointsOperationsTests
{
    private protected override IStateStore CreateStore() => new InMemoryStateStore();
}

[Collection(RedisServerFixture.Collection)]
public sealed class InnovationPointsOperationsRedisTests(RedisServerFixture redis) : InnovationPointsOperationsTests
{
    private protected override IStateStore CreateStore() => RedisStores.For(redis);
}
