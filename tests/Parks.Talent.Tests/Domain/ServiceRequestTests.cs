using Parks.Domain;
using Parks.Talent.Domain;
using static Parks.Talent.Tests.TestData;

namespace Parks.Talent.Tests.Domain;

public sealed class ServiceRequestTests
{
    private static readonly DateTimeOffset Now = new(2024, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly UnitRef Lingshui = UnitRef.District("lingshui");

    private static readonly TalentRecord Talent = TalentRecord.Create("dr-wang", new TalentDraft("Dr Wang", NewUscc(), "ocean engineering", true, Degree.Doctorate), Now);

    private static ServiceRequest Schooling(IEnumerable<ServiceRequest>? existing = null) =>
        ServiceRequest.Submit("r1", Talent, Seed.GetServiceType("children-schooling"), "primary school place for one child", "lingshui talent desk", existing ?? [], Now);

    [Fact]
    public void The_named_service_types_are_configured_with_illustrative_SLAs()
    {
        string[] named = ["children-schooling", "spouse-employment", "housing", "elderly-care-medical", "hukou", "entry-exit"];

        Assert.All(named, id => Assert.True(Seed.GetServiceType(id).Sla > TimeSpan.Zero));
        Assert.All(Seed.ServiceTypes, t => Assert.True(t.SlaIllustrative));
    }

    [Fact]
    public void The_request_is_due_one_SLA_after_submission()
    {
        var r = Schooling();

        Assert.Equal(Now + Seed.GetServiceType("children-schooling").Sla, r.DueTime);
        Assert.Equal(ServiceRequestStatus.Submitted, r.Status);
    }

    [Fact]
    public void The_workflow_runs_submitted_accepted_in_progress_fulfilled()
    {
        var done = Schooling().Accept("desk", null, Now.AddDays(1)).Start("education bureau", "school assigned", Now.AddDays(3)).Fulfil("desk", null, Now.AddDays(10));

        Assert.Equal(ServiceRequestStatus.Fulfilled, done.Status);
        Assert.Equal([ServiceRequestStatus.Submitted, ServiceRequestStatus.Accepted, ServiceRequestStatus.InProgress, ServiceRequestStatus.Fulfilled],
            done.History.Select(h => h.Status));
        Assert.False(done.IsLate(Now.AddDays(100)));
    }

    [Fact]
    public void Steps_cannot_be_skipped_and_closed_requests_stay_closed()
    {
        var r = Schooling();

        Assert.Equal("REQUEST_STATE", Assert.Throws<FailedPreconditionException>(() => r.Fulfil("desk", null, Now)).Violations[0].Type);
        Assert.Throws<FailedPreconditionException>(() => r.Start("desk", null, Now));
        var rejected = r.Reject("desk", "not eligible: the talent holds no zone certification", Now);
        Assert.Throws<FailedPreconditionException>(() => rejected.Accept("desk", null, Now));
        Assert.Throws<FailedPreconditionException>(() => rejected.Reject("desk", "again", Now));
    }

    [Fact]
    public void An_open_request_of_the_same_type_is_a_duplicate()
    {
        var open = Schooling();

        var ex = Assert.Throws<AlreadyExistsException>(() => Schooling([open]));
        var otherType = ServiceRequest.Submit("r2", Talent, Seed.GetServiceType("housing"), "apartment", "desk", [open], Now);
        var afterClose = Schooling([open.Reject("desk", "withdrawn", Now)]);

        Assert.Contains("serviceRequests/r1", ex.Message);
        Assert.Equal("housing", otherType.Type);
        Assert.Equal(ServiceRequestStatus.Submitted, afterClose.Status);
    }

    [Fact]
    public void Overdue_is_flagged_once_after_the_due_time()
    {
        var r = Schooling().Accept("desk", null, Now);
        var due = r.DueTime;

        var (onTime, none) = r.DetectOverdue(Lingshui, due);
        var (late, evt) = r.DetectOverdue(Lingshui, due.AddSeconds(1));
        var (again, second) = late.DetectOverdue(Lingshui, due.AddDays(5));

        Assert.Null(none);
        Assert.Same(r, onTime);
        Assert.NotNull(evt);
        Assert.Equal("serviceRequests/r1", evt.Request);
        Assert.Equal(due, evt.DueTime);
        Assert.Equal(Lingshui, evt.EmployerUnit);
        Assert.Null(second);
        Assert.Same(late, again);
    }

    [Fact]
    public void Closed_requests_are_never_overdue_but_remember_lateness()
    {
        var r = Schooling().Accept("d", null, Now).Start("d", null, Now);
        var fulfilledLate = r.Fulfil("d", null, r.DueTime.AddDays(2));

        Assert.Null(fulfilledLate.DetectOverdue(Lingshui, r.DueTime.AddDays(3)).Overdue);
        Assert.True(fulfilledLate.IsLate(r.DueTime.AddDays(3)));
    }

    [Fact]
    public void Satisfaction_is_rated_once_from_1_to_5_after_closing()
    {
        var open = Schooling();
        var done = open.Accept("d", null, Now).Start("d", null, Now).Fulfil("d", null, Now);

        Assert.Equal("REQUEST_STATE", Assert.Throws<FailedPreconditionException>(() => open.Rate(5, null, Now)).Violations[0].Type);
        Assert.Equal("score", Assert.Throws<ValidationException>(() => done.Rate(6, null, Now)).Violations[0].Field);
        Assert.Equal("score", Assert.Throws<ValidationException>(() => done.Rate(0, null, Now)).Violations[0].Field);
        var rated = done.Rate(4, "quick", Now);
        Assert.Equal(4, rated.Satisfaction!.Score);
        Assert.Throws<AlreadyExistsException>(() => rated.Rate(5, null, Now));
    }
}
