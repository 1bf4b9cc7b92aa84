using Parks.Gateway.Domain;

namespace Parks.Gateway.Tests;

/// <summary>A unit's indicators against their targets (the overview's method, docs/architecture.md "City overview").</summary>
public sealed class IndicatorProgressTests
{
    private static readonly DateOnly Today = new(2025, 6, 15);
    private static readonly IndicatorInfo Revenue = new("revenue", "营业收入", "Operating revenue", "fen", "");

    private static IndicatorStanding Single(IEnumerable<IndicatorValue> targets, IEnumerable<IndicatorValue> actuals) =>
        Assert.Single(IndicatorProgressRules.Compute([Revenue], targets, actuals, Today));

    [Theory]
    [InlineData("2024", "2024-01-01", "2024-12-31", 12)]
    [InlineData("2024-H2", "2024-07-01", "2024-12-31", 6)]
    [InlineData("2024-Q1", "2024-01-01", "2024-03-31", 3)]
    [InlineData("2024-02", "2024-02-01", "2024-02-29", 1)]
    public void Periods_are_the_units_periods(string text, string start, string end, int months)
    {
        var period = IndicatorProgressRules.Period.TryParse(text);
        Assert.Equal(new IndicatorProgressRules.Period(DateOnly.Parse(start), DateOnly.Parse(end), months), period);
    }

    [Theory]
    [InlineData("2024-Q5")]
    [InlineData("2024-13")]
    [InlineData("24")]
    [InlineData("FY2024")]
    public void Other_periods_are_not_read(string text) => Assert.Null(IndicatorProgressRules.Period.TryParse(text));

    [Fact]
    public void The_current_target_is_the_earliest_not_ended_and_the_actual_the_latest_of_the_same_length()
    {
        var standing = Single(
            [new("revenue", "", "2024", 80), new("revenue", "", "2025", 100), new("revenue", "", "2030", 300)],
            [new("revenue", "", "2023", 40), new("revenue", "", "2024", 85), new("revenue", "", "2025-Q1", 30)]);

        Assert.Equal(("2025", 100.0), (standing.TargetPeriod, standing.Target));
        Assert.Equal(("2024", 85.0), (standing.ActualPeriod, standing.Actual));
        Assert.Equal(85.0, standing.CompletionPercent);
        // On the line from 40 (end 2023) to 100 (end 2025), the end of 2024 is at 70: 85 is ahead.
        Assert.False(standing.BehindTarget);
    }

    [Fact]
    public void Below_the_line_to_the_target_is_behind_and_a_missed_ended_target_is_behind()
    {
        var pace = Single([new("revenue", "", "2025", 100)], [new("revenue", "", "2023", 40), new("revenue", "", "2024", 60)]);
        var missed = Assert.Single(IndicatorProgressRules.Compute([Revenue], [new("revenue", "", "2024", 100)], [new("revenue", "", "2024", 99)], Today));

        Assert.True(pace.BehindTarget);
        Assert.Equal(60.0, pace.CompletionPercent);
        Assert.Equal(("2024", true, 99.0), (missed.TargetPeriod, missed.BehindTarget, missed.CompletionPercent));
    }

    [Fact]
    public void Without_an_actual_there_is_no_figure_and_no_verdict_and_one_actual_alone_says_nothing_of_pace()
    {
        var none = Single([new("revenue", "", "2025", 100)], [new("revenue", "", "2024-Q4", 20)]);
        var one = Single([new("revenue", "", "2025", 100)], [new("revenue", "", "2024", 10)]);

        Assert.Equal((null, null, null, false), (none.Actual, none.ActualPeriod, none.CompletionPercent, none.BehindTarget));
        Assert.Equal((10.0, false), (one.Actual, one.BehindTarget));
    }

    [Fact]
    public void Breakdowns_are_separate_series()
    {
        var standings = IndicatorProgressRules.Compute([Revenue],
            [new("revenue", "ai", "2025", 10), new("revenue", "", "2025", 100)],
            [new("revenue", "ai", "2025", 12)], new DateOnly(2026, 1, 10));

        Assert.Equal(["", "ai"], standings.Select(s => s.Breakdown));
        Assert.Equal((120.0, false), (standings[1].CompletionPercent, standings[1].BehindTarget));
        Assert.Null(standings[0].Actual);
    }
}
