using Parks.Domain;
using Parks.Units.Data;
using Parks.Units.Domain;
using static Parks.Units.Tests.TestData;

namespace Parks.Units.Tests.Domain;

public sealed class IndicatorTests
{
    private static IndicatorCatalog Catalog => SeedData.Indicators;

    [Theory]
    [InlineData("2023", PeriodKind.Year, "2023-01-01", "2023-12-31")]
    [InlineData("2023-H2", PeriodKind.HalfYear, "2023-07-01", "2023-12-31")]
    [InlineData("2024-Q1", PeriodKind.Quarter, "2024-01-01", "2024-03-31")]
    [InlineData("2024-02", PeriodKind.Month, "2024-02-01", "2024-02-29")]
    public void Parses_periods_with_their_bounds(string text, PeriodKind kind, string start, string end)
    {
        Assert.True(IndicatorPeriod.TryParse(text, out var period, out _));
        Assert.Equal(kind, period.Kind);
        Assert.Equal(DateOnly.Parse(start), period.Start);
        Assert.Equal(DateOnly.Parse(end), period.End);
        Assert.Equal(text, period.ToString());
    }

    [Theory]
    [InlineData("", "is required")]
    [InlineData("1990", "year must be between 1991")]
    [InlineData("2023-H3", "must be YYYY")]
    [InlineData("2023-Q0", "must be YYYY")]
    [InlineData("2023-13", "must be YYYY")]
    [InlineData("2023/01", "must be YYYY")]
    [InlineData("23", "must be YYYY")]
    [InlineData("2023-1", "must be YYYY")]
    public void Rejects_malformed_periods(string text, string reason)
    {
        Assert.False(IndicatorPeriod.TryParse(text, out _, out var why));
        Assert.Contains(reason, why);
    }

    private static ObservationDraft Revenue(string period = "2023", long? fen = 1_000_000_000L, string unit = "fen", ObservationKind kind = ObservationKind.Actual) =>
        new("revenue", period, kind, null, fen, null, unit, Qualifier.Unspecified, null);

    [Fact]
    public void A_money_observation_is_in_fen_and_gets_its_identity()
    {
        var o = Observation.Create(Lingshui, Revenue(), Catalog, null, Today, Now);

        Assert.Equal("districts/lingshui/indicators/revenue/observations/actual-2023", o.Name);
        Assert.Equal(1_000_000_000L, o.AmountFen);
        Assert.Equal(Qualifier.Eq, o.Qualifier);
        Assert.Equal(1, o.Revision);
        Assert.Null(o.Src);
    }

    [Fact]
    public void The_unit_of_measure_must_match_the_definition()
    {
        var error = Assert.Throws<ValidationException>(() => Observation.Create(Lingshui, Revenue(unit: "CNY_100M"), Catalog, null, Today, Now));

        Assert.Equal("observation.unit_of_measure", error.Violations[0].Field);
        Assert.Contains("measured in 'fen'", error.Violations[0].Description);
    }

    [Fact]
    public void Money_needs_amount_fen_and_counts_need_whole_quantities()
    {
        var money = Assert.Throws<ValidationException>(() =>
            Observation.Create(Lingshui, Revenue(fen: null) with { Quantity = 12.5 }, Catalog, null, Today, Now));
        Assert.Equal(["observation.amount_fen", "observation.quantity"], money.Violations.Select(v => v.Field));

        var count = Assert.Throws<ValidationException>(() => Observation.Create(Lingshui,
            new ObservationDraft("patents_granted", "2023", ObservationKind.Actual, null, null, 12.5, "count", default, null), Catalog, null, Today, Now));
        Assert.Contains("counts whole", count.Violations[0].Description);

        var negative = Assert.Throws<ValidationException>(() => Observation.Create(Lingshui, Revenue(fen: -1), Catalog, null, Today, Now));
        Assert.Contains("at least 0", negative.Violations[0].Description);
    }

    [Fact]
    public void Actuals_wait_for_the_end_of_their_period_targets_do_not()
    {
        var early = Assert.Throws<ValidationException>(() => Observation.Create(Lingshui, Revenue("2024-Q2"), Catalog, null, Today, Now));
        Assert.Contains("once the period has ended (2024-06-30)", early.Violations[0].Description);

        var target = Observation.Create(Lingshui, Revenue("2025", kind: ObservationKind.Target), Catalog, null, Today, Now);
        Assert.Equal("districts/lingshui/indicators/revenue/observations/target-2025", target.Name);
        Assert.NotNull(Observation.Create(Lingshui, Revenue("2024-Q1"), Catalog, null, Today, Now));
    }

    [Fact]
    public void Unknown_indicators_and_host_area_series_of_other_units_are_refused()
    {
        var unknown = Assert.Throws<ValidationException>(() => Observation.Create(Lingshui, Revenue() with { Indicator = "gdp" }, Catalog, null, Today, Now));
        Assert.Equal("observation.indicator", unknown.Violations[0].Field);

        var jinpuOnly = new ObservationDraft("jinpu.national_incubators", "2019", ObservationKind.Target, null, null, 3, "count", Qualifier.Eq, null);
        Assert.Throws<ValidationException>(() => Observation.Create(Lingshui, jinpuOnly, Catalog, null, Today, Now));
        Assert.Equal("area:jinpu-new-area", Observation.Create(Jinpu, jinpuOnly, Catalog, null, Today, Now).Scope);
        var monthly = Assert.Throws<ValidationException>(() => Observation.Create(Jinpu, jinpuOnly with { Period = "2019-H1" }, Catalog, null, Today, Now));
        Assert.Contains("per year only", monthly.Violations[0].Description);
    }

    [Fact]
    public void A_breakdown_becomes_part_of_the_identity_and_a_revision_is_counted()
    {
        var draft = new ObservationDraft("revenue", "2023", ObservationKind.Target, "ai", 5_000_000_000_000L, null, "fen", Qualifier.Gte, "AI");
        var first = Observation.Create(Lingshui, draft, Catalog, null, Today, Now);
        var second = Observation.Create(Lingshui, draft, Catalog, first, Today, Now);

        Assert.Equal("target-2023-ai", first.Id);
        Assert.Equal(2, second.Revision);
        Assert.Equal(Qualifier.Gte, second.Qualifier);
        Assert.Equal("observation.breakdown", Assert.Throws<ValidationException>(() =>
            Observation.Create(Lingshui, draft with { Breakdown = "AI" }, Catalog, null, Today, Now)).Violations[0].Field);
    }
}
