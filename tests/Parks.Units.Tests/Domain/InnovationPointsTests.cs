using Parks.Domain;
using Parks.Units.Data;
using Parks.Units.Domain;
using static Parks.Units.Tests.TestData;

namespace Parks.Units.Tests.Domain;

public sealed class InnovationPointsTests
{
    private static InnovationPointsModel Model => SeedData.InnovationPointsModels.Current;

    private static Dictionary<string, long> Inputs(Action<Dictionary<string, long>>? change = null)
    {
        var inputs = Model.Dimensions.SelectMany(d => d.Inputs).ToDictionary(i => i.Id, _ => 0L);
        change?.Invoke(inputs);
        return inputs;
    }

    [Fact]
    public void The_default_model_is_illustrative_and_has_the_four_documented_dimensions()
    {
        Assert.True(Model.Illustrative);
        Assert.Contains("ILLUSTRATIVE", Model.Note);
        Assert.Equal(InnovationPointsModel.DimensionIds, Model.Dimensions.Select(d => d.Id));
        Assert.Equal(["技术创新", "成长经营", "正向辅助", "逆向辅助"], Model.Dimensions.Select(d => d.NameZh));
        Assert.Equal([false, false, false, true], Model.Dimensions.Select(d => d.Deducts));
        Assert.Empty(Model.Problems());
    }

    [Fact]
    public void Scores_each_input_and_deducts_the_negative_dimension()
    {
        var score = Model.Score(Inputs(i =>
        {
            i["rd_expense_ratio_bp"] = 800;             // 8%: 800 centipoints
            i["invention_patents_granted"] = 3;         // 3 x 200
            i["revenue_wan"] = 5_000;                   // 5000万元 / 10: 500
            i["tier_certifications_held"] = 2;          // 2 x 500
            i["credit_violations"] = 1;                 // -1000
        }));

        Assert.Equal(800 + 600 + 500 + 1000 - 1000, score.TotalCentipoints);
        var tech = score.Dimensions.Single(d => d.Dimension == "tech-innovation");
        Assert.Equal(1400, tech.Centipoints);
        Assert.Equal(600, tech.Contributions.Single(c => c.Input == "invention_patents_granted").Centipoints);
        var negative = score.Dimensions.Single(d => d.Dimension == "negative-auxiliary");
        Assert.True(negative.Deducts);
        Assert.Equal(1000, negative.Centipoints);
    }

    [Fact]
    public void Inputs_and_dimensions_are_capped_and_the_cap_is_visible()
    {
        var score = Model.Score(Inputs(i =>
        {
            i["rd_expense_ratio_bp"] = 10_000;          // capped at 1500
            i["invention_patents_granted"] = 100;       // capped at 1000
            i["pct_applications"] = 100;                // capped at 600
            i["tech_contract_value_wan"] = 100_000;     // capped at 900; sum 4000 = dimension cap
        }));

        var tech = score.Dimensions.Single(d => d.Dimension == "tech-innovation");
        Assert.All(tech.Contributions, c => Assert.True(c.Capped));
        Assert.Equal(4000, tech.Centipoints);
        Assert.False(tech.Capped);
    }

    [Fact]
    public void A_total_may_be_negative_when_deductions_dominate()
    {
        var score = Model.Score(Inputs(i => i["credit_violations"] = 5));

        Assert.Equal(-2000, score.TotalCentipoints);
    }

    [Fact]
    public void Every_input_is_required_none_unknown_none_negative()
    {
        var inputs = Inputs(i =>
        {
            i.Remove("revenue_wan");
            i["employees"] = 3;
            i["pct_applications"] = -1;
        });

        var error = Assert.Throws<ValidationException>(() => Model.Score(inputs));

        Assert.Equal(["inputs[employees]", "inputs[pct_applications]", "inputs[revenue_wan]"], error.Violations.Select(v => v.Field).Order());
    }

    [Fact]
    public void An_evaluation_records_the_model_version_and_inputs_and_counts_revisions()
    {
        var e = NewEnterprise();
        var inputs = Inputs(i => i["revenue_wan"] = 100);

        var first = InnovationPointsEvaluation.Evaluate(e, 2023, Model, inputs, null, Today, Now);
        var second = InnovationPointsEvaluation.Evaluate(e, 2023, Model, inputs, first, Today, Now);

        Assert.Equal(Model.Version, first.ModelVersion);
        Assert.True(first.ModelIllustrative);
        Assert.Equal(inputs.OrderBy(kv => kv.Key, StringComparer.Ordinal), first.Inputs);
        Assert.Equal(10, first.Score.TotalCentipoints);
        Assert.Equal(1, first.Revision);
        Assert.Equal(2, second.Revision);
        Assert.Equal($"districts/lingshui/enterprises/{e.Uscc}/innovationPoints/2023", first.Name);
    }

    [Theory]
    [InlineData(2019)]
    [InlineData(2025)]
    public void The_year_lies_between_the_first_evaluation_year_and_now(int year)
    {
        var error = Assert.Throws<ValidationException>(() => InnovationPointsEvaluation.Evaluate(NewEnterprise(), year, Model, Inputs(), null, Today, Now));

        Assert.Equal("year", error.Violations[0].Field);
    }

    [Fact]
    public void An_enterprise_registered_after_the_year_is_not_evaluated_for_it()
    {
        var e = Enterprise.Register(Lingshui, Draft() with { RegistrationDate = new DateOnly(2023, 2, 1) }, Industries, false, Today, Now);

        Assert.Throws<FailedPreconditionException>(() => InnovationPointsEvaluation.Evaluate(e, 2022, Model, Inputs(), null, Today, Now));
    }

    [Fact]
    public void Models_resolve_by_version_and_unknown_versions_are_not_found()
    {
        var models = SeedData.InnovationPointsModels;

        Assert.Same(models.Current, models.Get(null));
        Assert.Same(models.Current, models.Get("current"));
        Assert.Same(models.Current, models.Get(models.Current.Version));
        Assert.Equal("innovationPointsModels/v0", Assert.Throws<NotFoundException>(() => models.Get("v0")).ResourceName);
    }

    [Fact]
    public void A_model_with_the_wrong_dimensions_does_not_load()
    {
        var broken = Model with { Dimensions = Model.Dimensions.Take(3).ToArray() };

        var error = Assert.Throws<InvalidOperationException>(() => new InnovationPointsModels([broken], broken.Version));

        Assert.Contains("000:57", error.Message);
    }
}
