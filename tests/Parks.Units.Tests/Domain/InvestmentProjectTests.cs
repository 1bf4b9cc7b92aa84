using Parks.Domain;
using Parks.Units.Domain;
using static Parks.Units.Tests.TestData;

namespace Parks.Units.Tests.Domain;

public sealed class InvestmentProjectTests
{
    private static ProjectDraft Draft(long amountFen = 150_000_000_00L) =>
        new("氢能示范项目", "示例能源集团", ProjectKind.Industrialization, "clean-energy", amountFen, Fortune500: true, IndustryLeader: false);

    private static InvestmentProject NewProject(long amountFen = 150_000_000_00L) =>
        InvestmentProject.Create(Jinpu, "hydrogen-demo", Draft(amountFen), Industries, Investment, false, Today, Now);

    [Fact]
    public void A_new_project_starts_as_a_lead()
    {
        var p = NewProject();

        Assert.Equal("parks/jinpu/projects/hydrogen-demo", p.Name);
        Assert.Equal(ProjectStage.Lead, p.Stage);
        Assert.Equal(Today, p.StageDate);
        Assert.Single(p.History);
        Assert.True(p.Fortune500);
    }

    [Theory]
    [InlineData(10_000_000_000L, true)]     // exactly 1亿元: "亿元以上" (000:107)
    [InlineData(9_999_999_999L, false)]
    [InlineData(0L, false)]                 // not known yet
    public void Projects_of_one_yi_and_more_are_major(long amountFen, bool major)
    {
        Assert.Equal(major, NewProject(amountFen).Major);
    }

    [Theory]
    [InlineData(-1L, "must not be negative")]
    [InlineData(100_000_000_000_001L, "above the largest believable project")]
    public void Negative_and_absurd_amounts_are_refused_with_a_field_reason(long amountFen, string reason)
    {
        var error = Assert.Throws<ValidationException>(() => NewProject(amountFen));

        Assert.Equal("project.amount_fen", error.Violations[0].Field);
        Assert.Contains(reason, error.Violations[0].Description);
    }

    [Fact]
    public void The_stage_machine_runs_lead_signed_landed_construction_production()
    {
        var p = NewProject();
        foreach (var stage in new[] { ProjectStage.Signed, ProjectStage.Landed, ProjectStage.ConstructionStarted, ProjectStage.InProduction })
        {
            p = p.Advance(stage, Today, Today, Now);
            Assert.Equal(stage, p.Stage);
        }

        Assert.Equal(5, p.History.Count);
        Assert.Equal([ProjectStage.Lead, ProjectStage.Signed, ProjectStage.Landed, ProjectStage.ConstructionStarted], p.History.Skip(1).Select(h => h.From));
        Assert.Contains("no further stage", Assert.Throws<FailedPreconditionException>(() => p.Advance(ProjectStage.InProduction, Today, Today, Now)).Message);
        Assert.Throws<FailedPreconditionException>(() => p.Drop("late", Today, Today, Now));
    }

    [Fact]
    public void Stages_are_not_skipped_and_do_not_go_back()
    {
        var signed = NewProject().Advance(ProjectStage.Signed, Today, Today, Now);

        var skip = Assert.Throws<FailedPreconditionException>(() => signed.Advance(ProjectStage.ConstructionStarted, Today, Today, Now));
        Assert.Contains("the next stage is 落地", skip.Message);
        Assert.Equal("PROJECT_STAGE", skip.Violations[0].Type);
        Assert.Contains("do not go back", Assert.Throws<FailedPreconditionException>(() => signed.Advance(ProjectStage.Signed, Today, Today, Now)).Message);
        Assert.Equal("stage", Assert.Throws<ValidationException>(() => signed.Advance(ProjectStage.Dropped, Today, Today, Now)).Violations[0].Field);
    }

    [Fact]
    public void Stage_dates_are_not_in_the_future_nor_before_the_current_stage()
    {
        var signed = NewProject().Advance(ProjectStage.Signed, Today, Today, Now);

        Assert.Equal("stage_date", Assert.Throws<ValidationException>(() => signed.Advance(ProjectStage.Landed, Today.AddDays(1), Today, Now)).Violations[0].Field);
        Assert.Equal("stage_date", Assert.Throws<ValidationException>(() => signed.Advance(ProjectStage.Landed, Today.AddDays(-1), Today, Now)).Violations[0].Field);
    }

    [Fact]
    public void A_dropped_project_keeps_its_reason_and_no_longer_changes()
    {
        var dropped = NewProject().Drop("投资方撤回", null, Today, Now);

        Assert.Equal(ProjectStage.Dropped, dropped.Stage);
        Assert.Equal("投资方撤回", dropped.History[^1].Reason);
        Assert.Throws<FailedPreconditionException>(() => dropped.Advance(ProjectStage.Signed, Today, Today, Now));
        Assert.Throws<FailedPreconditionException>(() => dropped.Update(["display_name"], Draft() with { DisplayName = "x" }, Industries, Investment, Now));
        Assert.Equal("reason", Assert.Throws<ValidationException>(() => NewProject().Drop(" ", null, Today, Now)).Violations[0].Field);
    }

    [Fact]
    public void Update_applies_masked_fields_and_refuses_the_stage()
    {
        var p = NewProject();

        var updated = p.Update(["amount_fen", "industry_leader"], Draft(20_000_000_000L) with { IndustryLeader = true, DisplayName = "ignored" }, Industries, Investment, Now);

        Assert.Equal(20_000_000_000L, updated.AmountFen);
        Assert.True(updated.IndustryLeader);
        Assert.Equal(p.DisplayName, updated.DisplayName);
        Assert.Contains("AdvanceInvestmentProject", Assert.Throws<ValidationException>(() => p.Update(["stage"], Draft(), Industries, Investment, Now)).Violations[0].Description);
        Assert.Equal("project.amount_fen", Assert.Throws<ValidationException>(() => p.Update(["amount_fen"], Draft(-5), Industries, Investment, Now)).Violations[0].Field);
    }

    private static ReferralDraft Referral(string from = "scienceCity") =>
        new(from, "液流电池产业化", "融科储能", ProjectKind.Industrialization, "clean-energy", 50_000_000_000L, false, true, "scienceCity/researchProjects/flow-battery");

    [Fact]
    public void An_accepted_referral_becomes_a_lead_project_in_the_receiving_park()
    {
        var referral = Parks.Units.Domain.Referral.Create(Jinpu, "flow-battery", Referral(), Industries, Investment, false, Now);

        var (accepted, project) = referral.Accept("flow-battery-p", null, Industries, Investment, Today, Now);

        Assert.Equal(ReferralState.Accepted, accepted.State);
        Assert.Equal("parks/jinpu/projects/flow-battery-p", accepted.Project);
        Assert.Equal(ProjectStage.Lead, project.Stage);
        Assert.Equal("scienceCity", project.ReferredFrom);
        Assert.Equal("parks/jinpu/referrals/flow-battery", project.Referral);
        Assert.Equal("scienceCity/researchProjects/flow-battery", project.ResearchProject);
        Assert.True(project.Major);
        Assert.Throws<FailedPreconditionException>(() => accepted.Decline("too late", Now));
    }

    [Fact]
    public void A_declined_referral_keeps_its_reason_and_cannot_be_accepted()
    {
        var referral = Parks.Units.Domain.Referral.Create(Jinpu, "flow-battery", Referral("zone"), Industries, Investment, false, Now);

        var declined = referral.Decline("用地不足", Now);

        Assert.Equal(ReferralState.Declined, declined.State);
        Assert.Equal("用地不足", declined.Reason);
        Assert.Contains("declined (用地不足)", Assert.Throws<FailedPreconditionException>(() => declined.Accept("x1", null, Industries, Investment, Today, Now)).Message);
        Assert.Equal("reason", Assert.Throws<ValidationException>(() => referral.Decline("", Now)).Violations[0].Field);
    }

    [Fact]
    public void A_referral_without_an_industry_gets_one_on_acceptance()
    {
        var referral = Parks.Units.Domain.Referral.Create(Jinpu, "flow-battery", Referral() with { Industry = null }, Industries, Investment, false, Now);
        Assert.Null(referral.Industry);

        Assert.Equal("industry", Assert.Throws<ValidationException>(() => referral.Accept("p1", null, Industries, Investment, Today, Now)).Violations[0].Field);
        Assert.Equal("industry", Assert.Throws<ValidationException>(() => referral.Accept("p1", "steel", Industries, Investment, Today, Now)).Violations[0].Field);
        Assert.Equal("smart-ocean", referral.Accept("p1", "smart-ocean", Industries, Investment, Today, Now).Project.Industry);
        Assert.Equal("referral.industry", Assert.Throws<ValidationException>(() =>
            Parks.Units.Domain.Referral.Create(Jinpu, "x1", Referral() with { Industry = "steel" }, Industries, Investment, false, Now)).Violations[0].Field);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("city")]
    [InlineData("parks/jinpu")]
    public void The_referring_unit_must_be_valid_and_not_the_receiver(string? from)
    {
        var error = Assert.Throws<ValidationException>(() =>
            Parks.Units.Domain.Referral.Create(Jinpu, "x1", Referral() with { FromUnit = from }, Industries, Investment, false, Now));

        Assert.Equal("referral.from_unit", error.Violations[0].Field);
    }
}
