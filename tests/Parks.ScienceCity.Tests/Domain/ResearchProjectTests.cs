using Parks.Domain;
using Parks.ScienceCity.Domain;

namespace Parks.ScienceCity.Tests.Domain;

public sealed class ResearchProjectTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly Evidence[] Approval = [new("approval", "立项批复 2024-001", "DICP-2024-001")];

    private static ResearchProject NewProject(string id = "hydrogen-catalyst") =>
        ResearchProject.Initiate(id, new ResearchProjectDraft(
            "Low-cost water-electrolysis catalyst", "中科院大连化物所", ["大连理工大学"], "scienceCity/platforms/binhai-lab",
            ResearchDomain.CleanEnergy, "clean-energy", new DateOnly(2024, 1, 10), Approval, "Science City committee"), Now);

    private static ResearchProject AtPilotTrial()
    {
        var p = NewProject();
        p = p.Advance(ResearchStage.ResearchAndDevelopment, new DateOnly(2024, 2, 1), [new("report", "R&D plan", null)], "committee", null, Now).Project;
        return p.Advance(ResearchStage.PilotTrial, new DateOnly(2024, 4, 1), [new("trial-report", "Pilot line run 1", "PT-1")], "committee", null, Now).Project;
    }

    [Fact]
    public void Initiation_records_the_first_gate_with_its_evidence()
    {
        var p = NewProject();

        Assert.Equal(ResearchStage.Initiation, p.Stage);
        var gate = Assert.Single(p.Gates);
        Assert.Equal(ResearchStage.Initiation, gate.Stage);
        Assert.Equal("立项批复 2024-001", Assert.Single(gate.Evidence).Title);
        Assert.Equal("scienceCity/researchProjects/hydrogen-catalyst", p.Name);
    }

    [Fact]
    public void Initiation_without_evidence_is_rejected()
    {
        var ex = Assert.Throws<ValidationException>(() => ResearchProject.Initiate("p1", new ResearchProjectDraft(
            "t", "lead", [], null, null, "energy", new DateOnly(2024, 1, 1), [], "committee"), Now));
        Assert.Contains(ex.Violations, v => v.Field == "initiation_evidence");
    }

    [Fact]
    public void Stages_advance_one_at_a_time_recording_each_gate()
    {
        var p = AtPilotTrial();

        Assert.Equal(ResearchStage.PilotTrial, p.Stage);
        Assert.Equal([ResearchStage.Initiation, ResearchStage.ResearchAndDevelopment, ResearchStage.PilotTrial], p.Gates.Select(g => g.Stage));
        Assert.Equal("PT-1", p.Gates[^1].Evidence[0].Reference);
    }

    [Fact]
    public void Skipping_a_stage_is_a_failed_precondition_naming_the_missing_stage()
    {
        var p = NewProject();

        var ex = Assert.Throws<FailedPreconditionException>(() =>
            p.Advance(ResearchStage.PilotTrial, new DateOnly(2024, 2, 1), [new("report", "r", null)], "c", null, Now));

        var violation = Assert.Single(ex.Violations);
        Assert.Equal("STAGE_SKIP", violation.Type);
        Assert.Contains("研发", violation.Description);
    }

    [Fact]
    public void Skipping_straight_to_industrialisation_is_refused_even_with_a_landing_unit()
    {
        var p = NewProject();

        var ex = Assert.Throws<FailedPreconditionException>(() => p.Advance(ResearchStage.Industrialization, new DateOnly(2024, 2, 1),
            [new("report", "r", null)], "c", new LandingRequest(UnitRef.Park("jinpu"), null), Now));
        Assert.Equal("STAGE_SKIP", ex.Violations[0].Type);
    }

    [Fact]
    public void Going_back_or_repeating_a_stage_is_refused()
    {
        var p = AtPilotTrial();

        var again = Assert.Throws<FailedPreconditionException>(() =>
            p.Advance(ResearchStage.PilotTrial, new DateOnly(2024, 5, 1), [new("r", "r", null)], "c", null, Now));
        var back = Assert.Throws<FailedPreconditionException>(() =>
            p.Advance(ResearchStage.ResearchAndDevelopment, new DateOnly(2024, 5, 1), [new("r", "r", null)], "c", null, Now));

        Assert.Equal("STAGE_ORDER", again.Violations[0].Type);
        Assert.Equal("STAGE_ORDER", back.Violations[0].Type);
    }

    [Fact]
    public void A_gate_without_evidence_is_invalid()
    {
        var p = NewProject();

        var ex = Assert.Throws<ValidationException>(() => p.Advance(ResearchStage.ResearchAndDevelopment, new DateOnly(2024, 2, 1), [], "c", null, Now));
        Assert.Contains(ex.Violations, v => v.Field == "evidence");
    }

    [Fact]
    public void A_gate_dated_before_the_previous_one_is_invalid()
    {
        var p = NewProject();

        var ex = Assert.Throws<ValidationException>(() =>
            p.Advance(ResearchStage.ResearchAndDevelopment, new DateOnly(2023, 12, 31), [new("r", "r", null)], "c", null, Now));
        Assert.Equal("entered_date", ex.Violations[0].Field);
    }

    [Fact]
    public void Industrialisation_hands_the_project_to_the_landing_unit()
    {
        var p = AtPilotTrial();

        var (next, handOff) = p.Advance(ResearchStage.Industrialization, new DateOnly(2024, 5, 20), [new("contract", "Plant agreement", "X")],
            "committee", new LandingRequest(UnitRef.Park("jinpu"), Fen.FromYi(2)), Now);

        Assert.Equal(ResearchStage.Industrialization, next.Stage);
        Assert.Equal(LandingStatus.Referred, next.Landing!.Status);
        Assert.NotNull(handOff);
        Assert.Equal("scienceCity/researchProjects/hydrogen-catalyst", handOff.ResearchProject);
        Assert.Equal(UnitRef.Park("jinpu"), handOff.LandingUnit);
        Assert.Equal(20_000_000_000L, handOff.ExpectedInvestment.Value); // 2亿元 = 2 × 10^8 yuan × 100 fen
        Assert.Equal(1, handOff.Attempt);
    }

    [Fact]
    public void Industrialisation_needs_a_district_or_branch_park()
    {
        var p = AtPilotTrial();
        Evidence[] e = [new("r", "r", null)];

        var missing = Assert.Throws<ValidationException>(() => p.Advance(ResearchStage.Industrialization, new DateOnly(2024, 5, 20), e, "c", null, Now));
        var scienceCity = Assert.Throws<ValidationException>(() =>
            p.Advance(ResearchStage.Industrialization, new DateOnly(2024, 5, 20), e, "c", new LandingRequest(UnitRef.ScienceCity, null), Now));
        var unknownDistrict = Assert.Throws<ValidationException>(() =>
            p.Advance(ResearchStage.Industrialization, new DateOnly(2024, 5, 20), e, "c", new LandingRequest(UnitRef.District("nowhere"), null), Now));

        Assert.Equal("landing_unit", missing.Violations[0].Field);
        Assert.Equal("landing_unit", scienceCity.Violations[0].Field);
        Assert.Contains("six districts", unknownDistrict.Violations[0].Description);
    }

    [Fact]
    public void A_landing_unit_before_industrialisation_is_invalid()
    {
        var p = NewProject();

        var ex = Assert.Throws<ValidationException>(() => p.Advance(ResearchStage.ResearchAndDevelopment, new DateOnly(2024, 2, 1),
            [new("r", "r", null)], "c", new LandingRequest(UnitRef.Park("jinpu"), null), Now));
        Assert.Equal("landing_unit", ex.Violations[0].Field);
    }

    [Fact]
    public void Accepted_referral_records_the_landed_project_and_repeats_change_nothing()
    {
        var p = Industrialized("lvshun");

        var accepted = p.ApplyReferralResolution(UnitRef.Park("lvshun"), true, "parks/lvshun/referrals/r1", "parks/lvshun/projects/p9", null, Now);
        var repeated = accepted.ApplyReferralResolution(UnitRef.Park("lvshun"), false, "parks/lvshun/referrals/r1", null, "late", Now);

        Assert.Equal(LandingStatus.Accepted, accepted.Landing!.Status);
        Assert.Equal("parks/lvshun/projects/p9", accepted.Landing.Project);
        Assert.Same(accepted, repeated);
    }

    [Fact]
    public void An_answer_from_another_unit_is_ignored()
    {
        var p = Industrialized("lvshun");

        var after = p.ApplyReferralResolution(UnitRef.Park("jinpu"), true, "r", "parks/jinpu/projects/x", null, Now);

        Assert.Same(p, after);
    }

    [Fact]
    public void After_a_decline_the_project_can_be_referred_elsewhere_but_not_back()
    {
        var p = Industrialized("lvshun").ApplyReferralResolution(UnitRef.Park("lvshun"), false, "r1", null, "no land available", Now);

        var (next, handOff) = p.ReferElsewhere(new LandingRequest(UnitRef.District("huangnichuan"), null), Now);
        var back = Assert.Throws<FailedPreconditionException>(() =>
            next.ApplyReferralResolution(UnitRef.District("huangnichuan"), false, "r2", null, "no", Now)
                .ReferElsewhere(new LandingRequest(UnitRef.Park("lvshun"), null), Now));

        Assert.Equal("no land available", Assert.Single(next.PastLandings).Reason);
        Assert.Equal(2, handOff.Attempt);
        Assert.Equal(UnitRef.District("huangnichuan"), handOff.LandingUnit);
        Assert.Equal("LANDING_DECLINED_BEFORE", back.Violations[0].Type);
    }

    [Fact]
    public void A_pending_referral_cannot_be_replaced()
    {
        var p = Industrialized("lvshun");

        var ex = Assert.Throws<FailedPreconditionException>(() => p.ReferElsewhere(new LandingRequest(UnitRef.Park("jinpu"), null), Now));
        Assert.Equal("LANDING_STATE", ex.Violations[0].Type);
    }

    private static ResearchProject Industrialized(string park) =>
        AtPilotTrial().Advance(ResearchStage.Industrialization, new DateOnly(2024, 5, 20), [new("contract", "c", null)], "c",
            new LandingRequest(UnitRef.Park(park), Fen.FromWan(5000)), Now).Project;
}
