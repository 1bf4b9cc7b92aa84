using Parks.Domain;
using Parks.Units.Data;
using Parks.Units.Domain;

namespace Parks.Units.Tests;

/// <summary>The copied data files agree with each other, with the shared kernel and with the rules' constants.</summary>
public sealed class SeedDataTests
{
    [Fact]
    public void The_six_districts_match_the_zone_layout_and_carry_citations()
    {
        Assert.Equal(Zone.Districts.Select(d => d.Id), SeedData.Districts.Select(d => d.Id));
        Assert.All(SeedData.Districts, d =>
        {
            Assert.Equal(Zone.GetDistrict(d.Id).PositioningZh, d.PositioningZh);
            Assert.Contains("000:152", d.PositioningSrc);
        });
        Assert.Contains("No document gives any district", SeedData.DistrictsNote);
    }

    [Fact]
    public void The_five_branch_parks_match_the_zone_layout()
    {
        Assert.Equal(Zone.SeedBranchParkIds, SeedData.BranchParks.Select(p => p.Id));
        Assert.All(SeedData.BranchParks, p => Assert.NotEmpty(p.Src!));
        Assert.Contains(SeedData.BranchParks.Single(p => p.Id == "changxingdao").NameVariants, v => v.Text.StartsWith("长岭岛分园", StringComparison.Ordinal));
    }

    [Fact]
    public void The_industries_are_the_one_plus_eight()
    {
        Assert.Equal(9, SeedData.Industries.All.Count);
        Assert.Single(SeedData.Industries.All, i => i.Role == "1");
        Assert.All(SeedData.Industries.All, i => Assert.NotEmpty(i.Src));
    }

    [Fact]
    public void The_ladder_in_the_data_matches_the_code()
    {
        Assert.Equal(TierLadder.All, SeedData.Ladder.Select(l => l.Tier));
        Assert.All(SeedData.Ladder, l => Assert.Equal(TierLadder.Rung(l.Tier), l.Order));
    }

    [Fact]
    public void The_rules_constants_match_the_policy_facts()
    {
        Assert.Equal(SeedData.PolicyFact("major-project-threshold").AmountFen, InvestmentProject.MajorThreshold.Value);
        Assert.Equal(SeedData.PolicyFact("leader-output-threshold").AmountFen, TierLadder.LeaderOutputThreshold.Value);
        Assert.Equal(SeedData.PolicyFact("zone-founded").Year, IndicatorPeriod.FirstYear);
        Assert.Equal(SeedData.PolicyFact("innovation-points-first-list").Year, InnovationPointsEvaluation.FirstYear);
    }

    [Fact]
    public void Districts_start_without_observations_and_jinpu_holds_its_host_areas_targets()
    {
        foreach (var d in Zone.Districts) Assert.Empty(SeedData.ObservationsFor(UnitRef.District(d.Id)));
        foreach (var p in Zone.SeedBranchParkIds.Where(p => p != "jinpu")) Assert.Empty(SeedData.ObservationsFor(UnitRef.Park(p)));

        var jinpu = SeedData.ObservationsFor(UnitRef.Park("jinpu"));

        Assert.Equal(SeedData.ObservationCount, jinpu.Count);
        Assert.All(jinpu, o =>
        {
            Assert.Equal("area:jinpu-new-area", o.Scope);
            Assert.Equal(ObservationKind.Target, o.Kind);
            Assert.Matches(@"^00[0-4]:\d+$", o.Src);
        });
        Assert.Equal(jinpu.Count, jinpu.Select(o => (o.Indicator, o.Id)).Distinct().Count());
    }

    [Fact]
    public void Money_figures_are_converted_exactly_from_yi_to_fen()
    {
        var revenue2019 = SeedData.ObservationsFor(UnitRef.Park("jinpu")).Single(o => o.Indicator == "jinpu.revenue_future_pioneer" && o.Period == "2019");

        Assert.Equal(Fen.FromYi(1000).Value, revenue2019.AmountFen);   // 1000亿元, 002:567
        Assert.Equal("002:567", revenue2019.Src);
        Assert.Equal("fen", revenue2019.UnitOfMeasure);
    }

    [Fact]
    public void Every_seeded_observation_passes_the_observation_rules()
    {
        var jinpu = UnitRef.Park("jinpu");
        foreach (var o in SeedData.ObservationsFor(jinpu))
        {
            var draft = new ObservationDraft(o.Indicator, o.Period, o.Kind, o.Breakdown, o.AmountFen, o.Quantity, o.UnitOfMeasure, o.Qualifier, o.Note);
            var checkedAgain = Observation.Create(jinpu, draft, SeedData.Indicators, null, new DateOnly(2024, 1, 1), DateTimeOffset.UnixEpoch);
            Assert.Equal(o.Name, checkedAgain.Name);
        }
    }
}
