using Parks.Domain;
using Parks.ScienceCity.Domain;

namespace Parks.ScienceCity.Tests.Domain;

public sealed class PlatformTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 8, 0, 0, TimeSpan.Zero);

    private static Platform NewPlatform(string id = "binhai-lab") => Platform.Create(id, new PlatformDraft(
        "辽宁滨海实验室", PlatformKind.LiaoningLab, PlatformLevel.Provincial, "中科院大连化物所", null, null, "000:59"), Now);

    [Fact]
    public void First_batch_is_planned_at_233_and_refuses_a_234th_platform()
    {
        var batch = AdmissionBatch.Create("first", "首批入驻", 233, "001:75");
        for (var i = 0; i < 233; i++) batch = batch.CountListed();

        var ex = Assert.Throws<OutOfRangeException>(() => batch.CountListed());

        Assert.Equal(233, batch.ListedCount);
        Assert.Contains("233 of 233", ex.Message);
    }

    [Fact]
    public void Admission_goes_listed_then_admitted()
    {
        var batch = AdmissionBatch.Create("first", "首批入驻", 233, "001:75");

        var listed = NewPlatform().EnlistForAdmission(batch, new DateOnly(2022, 6, 1), Now);
        var admitted = listed.Admit(new DateOnly(2022, 9, 1), Now);

        Assert.Equal(AdmissionStatus.Listed, listed.Admission.Status);
        Assert.Equal(AdmissionStatus.Admitted, admitted.Admission.Status);
        Assert.Equal("first", admitted.Admission.Batch);
        Assert.Equal(new DateOnly(2022, 9, 1), admitted.Admission.AdmittedDate);
    }

    [Fact]
    public void Admitting_an_unlisted_platform_is_a_failed_precondition()
    {
        var ex = Assert.Throws<FailedPreconditionException>(() => NewPlatform().Admit(new DateOnly(2022, 9, 1), Now));
        Assert.Equal("ADMISSION_STATE", ex.Violations[0].Type);
    }

    [Fact]
    public void Listing_twice_is_refused_and_admission_cannot_precede_listing()
    {
        var batch = AdmissionBatch.Create("first", "首批入驻", 233, null);
        var listed = NewPlatform().EnlistForAdmission(batch, new DateOnly(2022, 6, 1), Now);

        Assert.Throws<FailedPreconditionException>(() => listed.EnlistForAdmission(batch, new DateOnly(2022, 6, 2), Now));
        var early = Assert.Throws<ValidationException>(() => listed.Admit(new DateOnly(2022, 5, 1), Now));
        Assert.Equal("admitted_date", early.Violations[0].Field);
    }

    [Fact]
    public void A_declined_platform_may_be_listed_again()
    {
        var batch = AdmissionBatch.Create("first", "首批入驻", 233, null);
        var declined = NewPlatform().EnlistForAdmission(batch, new DateOnly(2022, 6, 1), Now).DeclineAdmission("space not ready", Now);

        var relisted = declined.EnlistForAdmission(batch, new DateOnly(2023, 1, 1), Now);

        Assert.Equal("space not ready", declined.Admission.DeclineReason);
        Assert.Equal(AdmissionStatus.Listed, relisted.Admission.Status);
        Assert.Null(relisted.Admission.DeclineReason);
    }

    [Fact]
    public void One_evaluation_per_year()
    {
        var p = NewPlatform().RecordEvaluation(new PlatformEvaluation(2023, EvaluationResult.Excellent, "省科技厅", new DateOnly(2024, 3, 1)), Now);

        var ex = Assert.Throws<AlreadyExistsException>(() =>
            p.RecordEvaluation(new PlatformEvaluation(2023, EvaluationResult.Good, "省科技厅", new DateOnly(2024, 4, 1)), Now));

        Assert.Equal(EvaluationResult.Excellent, Assert.Single(p.Evaluations).Result);
        Assert.Contains("2023", ex.Message);
    }

    [Fact]
    public void Evaluation_in_the_future_or_before_its_year_is_invalid()
    {
        var p = NewPlatform();

        var future = Assert.Throws<ValidationException>(() =>
            p.RecordEvaluation(new PlatformEvaluation(2024, EvaluationResult.Good, "x", new DateOnly(2024, 12, 1)), Now));
        var early = Assert.Throws<ValidationException>(() =>
            p.RecordEvaluation(new PlatformEvaluation(2023, EvaluationResult.Good, "x", new DateOnly(2022, 12, 1)), Now));

        Assert.Equal("evaluation_date", future.Violations[0].Field);
        Assert.Equal("evaluation_date", early.Violations[0].Field);
    }

    [Fact]
    public void Create_reports_every_bad_field_at_once()
    {
        var ex = Assert.Throws<ValidationException>(() => Platform.Create("X", new PlatformDraft("", 0, 0, " ", (ResearchDomain)99, null, null), Now));

        Assert.Equal(["platform_id", "display_name", "kind", "level", "host_institution", "domain"], ex.Violations.Select(v => v.Field));
    }

    [Fact]
    public void Update_changes_only_the_given_fields_and_revalidates()
    {
        var p = NewPlatform();

        var updated = p.Update(new PlatformChanges(Domain: ResearchDomain.CleanEnergy, StatusNote: "phase 1 under construction"), Now.AddDays(1));

        Assert.Equal(ResearchDomain.CleanEnergy, updated.Domain);
        Assert.Equal(p.DisplayName, updated.DisplayName);
        Assert.Throws<ValidationException>(() => p.Update(new PlatformChanges(DisplayName: "  "), Now));
    }
}
