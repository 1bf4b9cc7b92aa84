using Parks.Hosting.State;
using Parks.Domain;
using Parks.Units.Application;
using Parks.Units.Domain;
using Parks.Units.Events;
using Parks.Testing;
using Parks.Units.Tests.Support;

namespace Parks.Units.Tests.Storage;

public abstract class IndicatorOperationsTests : StoreTests
{
    private static ObservationDraft Revenue(string period, long fen) =>
        new("revenue", period, ObservationKind.Unspecified, null, fen, null, "fen", Qualifier.Unspecified, null);

    private static ObservationDraft Patents(string period, double count) =>
        new("patents_granted", period, ObservationKind.Unspecified, null, null, count, "count", Qualifier.Unspecified, null);

    [Fact]
    public async Task Reports_actuals_and_targets_and_lists_them_by_indicator_and_kind()
    {
        var (lingshui, _, _, store) = await ZoneAsync();
        await lingshui.Indicators.ReportAsync("districts/lingshui", Revenue("2023", 1_000_000_000_000L), null);
        await lingshui.Indicators.ReportAsync("districts/lingshui", Revenue("2024-Q1", 300_000_000_000L), null);
        await lingshui.Indicators.SetTargetAsync("districts/lingshui", Revenue("2025", 2_000_000_000_000L), null);
        await lingshui.Indicators.ReportAsync("districts/lingshui", Patents("2023", 120), null);

        var revenue = await lingshui.Indicators.ListAsync(new ObservationQuery("districts/lingshui/indicators/revenue", 10, null, ObservationKind.Unspecified, DataSetFilter.All));
        var targets = await lingshui.Indicators.ListAsync(new ObservationQuery("districts/lingshui", 10, null, ObservationKind.Target, DataSetFilter.All));
        var all = await lingshui.Indicators.ListAsync(new ObservationQuery("districts/lingshui", 2, null, ObservationKind.Unspecified, DataSetFilter.All));
        var next = await lingshui.Indicators.ListAsync(new ObservationQuery("districts/lingshui", 2, all.NextPageToken, ObservationKind.Unspecified, DataSetFilter.All));

        Assert.Equal(["actual-2023", "actual-2024-Q1", "target-2025"], revenue.Items.Select(o => o.Value.Id));
        Assert.Equal("target-2025", Assert.Single(targets.Items).Value.Id);
        Assert.Equal(4, all.Items.Count + next.Items.Count);
        Assert.Equal("", next.NextPageToken);
        Assert.Equal(4, (await lingshui.Outbox.CommittedAsync<IndicatorReportedEvent>(store)).Count);
    }

    [Fact]
    public async Task A_revision_checks_the_etag_and_counts()
    {
        var (lingshui, _, _, _) = await ZoneAsync();
        var first = await lingshui.Indicators.ReportAsync("districts/lingshui", Patents("2023", 120), null);

        var revised = await lingshui.Indicators.ReportAsync("districts/lingshui", Patents("2023", 125), first.Etag);

        Assert.Equal(2, revised.Value.Revision);
        Assert.Equal(125, (await lingshui.Indicators.GetAsync(first.Value.Name)).Value.Quantity);
        await Assert.ThrowsAsync<ConcurrencyException>(() => lingshui.Indicators.ReportAsync("districts/lingshui", Patents("2023", 130), first.Etag));
    }

    [Fact]
    public async Task Units_and_periods_are_validated_and_nothing_is_written()
    {
        var (lingshui, _, _, store) = await ZoneAsync();
        var before = store.Keys();

        Assert.Equal("observation.unit_of_measure", (await Assert.ThrowsAsync<ValidationException>(() =>
            lingshui.Indicators.ReportAsync("districts/lingshui", Revenue("2023", 1) with { UnitOfMeasure = "CNY_100M" }, null))).Violations[0].Field);
        Assert.Equal("observation.period", (await Assert.ThrowsAsync<ValidationException>(() =>
            lingshui.Indicators.ReportAsync("districts/lingshui", Revenue("2024-13", 1), null))).Violations[0].Field);
        Assert.Equal("observation.period", (await Assert.ThrowsAsync<ValidationException>(() =>
            lingshui.Indicators.ReportAsync("districts/lingshui", Revenue("2024", 1), null))).Violations[0].Field);   // the year has not ended
        await Assert.ThrowsAsync<NotFoundException>(() => lingshui.Indicators.ListAsync(new ObservationQuery("districts/lingshui/indicators/gdp", 10, null, ObservationKind.Unspecified, DataSetFilter.All)));

        Assert.Equal(before, store.Keys());
    }

    [Fact]
    public async Task Each_unit_sees_its_own_definitions()
    {
        var (lingshui, _, parks, _) = await ZoneAsync();

        var district = await lingshui.Indicators.ListDefinitionsAsync("districts/lingshui", 100, null);
        var jinpu = await parks.Indicators.ListDefinitionsAsync("parks/jinpu", 100, null);

        Assert.DoesNotContain(district.Items, d => d.Id.StartsWith("jinpu.", StringComparison.Ordinal));
        Assert.Contains(jinpu.Items, d => d.Id == "jinpu.revenue_future_pioneer" && d.Scope == "area:jinpu-new-area");
        Assert.Equal(district.TotalSize + 20, jinpu.TotalSize);
    }
}

public sealed class IndicatorOperationsInMemoryTests : IndicatorOperationsTests
{
    private protected override IStateStore CreateStore() => new InMemoryStateStore();
}

[Collection(RedisServerFixture.Collection)]
public sealed class IndicatorOperationsRedisTests(RedisServerFixture redis) : IndicatorOperationsTests
{
    private protected override IStateStore CreateStore() => RedisStores.For(redis);
}
