using Microsoft.Extensions.DependencyInjection;
using Parks.Domain;
using Parks.Events.V1;
using Parks.Hosting.Events;
using Parks.Rpc;
using Parks.Talent.V1;
using Parks.Testing;
using Parks.Testing.Shared;
using static Parks.Talent.Tests.TestData;

namespace Parks.Talent.Tests.Functional;

/// <summary>The talent service with its own wiring, called over gRPC; employer locations arrive as events on its bus.</summary>
public sealed class TalentServiceTests : IAsyncLifetime
{
    private static readonly CallOptions Lingshui = ServiceHost.Unit(UnitRef.District("lingshui"));
    private static readonly CallOptions Qixianling = ServiceHost.Unit(UnitRef.District("qixianling"));

    private ServiceHost _host = null!;
    private TalentService.TalentServiceClient _talents = null!;
    private ServiceRequestService.ServiceRequestServiceClient _requests = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync(b => b.AddTalent(), a => a.MapTalent());
        _talents = new(_host.Channel);
        _requests = new(_host.Channel);
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(_host.Errors.Entries);
        await _host.DisposeAsync();
    }

    private async Task<string> EmployerInAsync(string unit)
    {
        var uscc = NewUscc();
        await _host.Services.GetRequiredService<IEventOutbox>().PublishAsync(new EnterpriseRegistered
        {
            Uscc = uscc, Enterprise = $"{unit}/enterprises/{uscc}", Unit = unit, DisplayName = "Demo employer", Industry = "software",
        });
        // The registration reaches the service through its event consumer; until then the employer is unknown.
        await Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                await _talents.ListTalentsAsync(new() { EmployerUscc = uscc }, ServiceHost.Operator);
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound) { return false; }
        }, "the employer's registration to be projected");
        return uscc;
    }

    private Task<CreateTalentResponse> CreateTalentAsync(string employer, CallOptions caller) =>
        _talents.CreateTalentAsync(new() { Talent = new Parks.Talent.V1.Talent { DisplayName = "Dr Chen", EmployerUscc = employer, Field = "AI", Degree = Degree.Doctorate } }, caller).ResponseAsync;

    [Fact]
    public async Task Districts_act_only_for_talents_of_their_own_enterprises()
    {
        var employer = await EmployerInAsync("districts/lingshui");

        var talent = (await CreateTalentAsync(employer, Lingshui)).Talent;
        var other = await Assert.ThrowsAsync<RpcException>(() => CreateTalentAsync(employer, Qixianling));
        var unknown = await Assert.ThrowsAsync<RpcException>(() => CreateTalentAsync(NewUscc(), Lingshui));
        var read = await Assert.ThrowsAsync<RpcException>(() => _talents.GetTalentAsync(new() { Name = talent.Name }, Qixianling).ResponseAsync);
        var dashboardWrite = await Assert.ThrowsAsync<RpcException>(() => CreateTalentAsync(employer, ServiceHost.Dashboard));

        Assert.Equal("districts/lingshui", talent.EmployerUnit);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, read.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, dashboardWrite.StatusCode);
    }

    [Fact]
    public async Task A_relocation_event_moves_access_to_the_new_unit()
    {
        var employer = await EmployerInAsync("districts/lingshui");
        var talent = (await CreateTalentAsync(employer, Lingshui)).Talent;

        await _host.Services.GetRequiredService<IEventOutbox>().PublishAsync(new EnterpriseRelocated
        {
            Uscc = employer, FromUnit = "districts/lingshui", ToUnit = "districts/qixianling", DisplayName = "Demo employer",
        });

        var moved = await Eventually.ResultAsync(async () =>
        {
            try { return (await _talents.GetTalentAsync(new() { Name = talent.Name }, Qixianling)).Talent; }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.PermissionDenied) { return null; }
        }, "the relocation to be projected");
        Assert.Equal("districts/qixianling", moved.EmployerUnit);
        var old = await Assert.ThrowsAsync<RpcException>(() => _talents.GetTalentAsync(new() { Name = talent.Name }, Lingshui).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, old.StatusCode);
    }

    [Fact]
    public async Task Certification_runs_application_review_certified_and_statistics_show_baseline_and_in_force()
    {
        var employer = await EmployerInAsync("districts/lingshui");
        var talent = (await CreateTalentAsync(employer, Lingshui)).Talent;

        var applied = (await _talents.CreateCertificationAsync(new()
        {
            Parent = talent.Name,
            Certification = new Certification { Level = TalentLevel.Provincial, Programme = "programmes/haichuang", Evidence = "provincial award" },
        }, Lingshui)).Certification;
        var duplicate = await Assert.ThrowsAsync<RpcException>(() => _talents.CreateCertificationAsync(new()
        {
            Parent = talent.Name,
            Certification = new Certification { Level = TalentLevel.Provincial, Programme = "programmes/haichuang", Evidence = "again" },
        }, Lingshui).ResponseAsync);
        await _talents.StartCertificationReviewAsync(new() { Name = applied.Name, Reviewer = "talent office" }, ServiceHost.Operator);
        var certified = (await _talents.ApproveCertificationAsync(new()
        {
            Name = applied.Name,
            ValidFrom = new Google.Type.Date { Year = 2024, Month = 1, Day = 1 },
            ValidTo = new Google.Type.Date { Year = 2099, Month = 12, Day = 31 },
        }, ServiceHost.Operator)).Certification;
        var stats = await _talents.GetTalentStatisticsAsync(new(), ServiceHost.Dashboard);

        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);
        Assert.Equal(CertificationStatus.Certified, certified.Status);
        Assert.Equal(2023, stats.BaselineYear);
        Assert.Equal([140, 170, 3800], stats.Levels.Select(l => l.BaselineCount));
        Assert.True(stats.Levels.Single(l => l.Level == TalentLevel.Municipal).BaselineApproximatelyMore);
        Assert.Equal(1, stats.Levels.Single(l => l.Level == TalentLevel.Provincial).CertifiedInForce);
    }

    [Fact]
    public async Task Service_requests_run_the_workflow_and_take_a_rating()
    {
        var employer = await EmployerInAsync("districts/lingshui");
        var talent = (await CreateTalentAsync(employer, Lingshui)).Talent;

        var created = (await _requests.CreateServiceRequestAsync(new()
        {
            ServiceRequest = new ServiceRequest { Talent = talent.Name, ServiceType = "serviceTypes/children-schooling", Description = "primary school place" },
            Actor = "lingshui desk",
        }, Lingshui)).ServiceRequest;
        var unknownType = await Assert.ThrowsAsync<RpcException>(() => _requests.CreateServiceRequestAsync(new()
        {
            ServiceRequest = new ServiceRequest { Talent = talent.Name, ServiceType = "serviceTypes/yacht-mooring", Description = "x" },
            Actor = "desk",
        }, Lingshui).ResponseAsync);
        await _requests.AcceptServiceRequestAsync(new() { Name = created.Name, Actor = "talent port" }, ServiceHost.Operator);
        await _requests.StartServiceRequestAsync(new() { Name = created.Name, Actor = "education bureau" }, ServiceHost.Operator);
        await _requests.FulfillServiceRequestAsync(new() { Name = created.Name, Actor = "talent port" }, ServiceHost.Operator);
        var rated = (await _requests.RateServiceRequestAsync(new() { Name = created.Name, Score = 5 }, Lingshui)).ServiceRequest;
        var badScore = await Assert.ThrowsAsync<RpcException>(() => _requests.RateServiceRequestAsync(new() { Name = created.Name, Score = 9 }, Lingshui).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, unknownType.StatusCode);
        Assert.Equal(ServiceRequestStatus.Fulfilled, rated.Status);
        Assert.Equal(4, rated.History.Count);
        Assert.Equal(5, rated.Satisfaction.Score);
        Assert.False(rated.Late);
        Assert.Equal(StatusCode.InvalidArgument, badScore.StatusCode);
    }
}

/// <summary>海创周 over gRPC: the seeded editions with the documents' figures, and a project from registration to landing.</summary>
public sealed class RoadshowServiceTests : IAsyncLifetime
{
    private ServiceHost _host = null!;
    private RoadshowService.RoadshowServiceClient _roadshows = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync(b => b.AddTalent(), a => a.MapTalent());
        _roadshows = new(_host.Channel);
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(_host.Errors.Entries);
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_project_is_registered_reviewed_shortlisted_and_landed_and_the_edition_counts_it()
    {
        var edition = await Eventually.ResultAsync(async () =>
        {
            try { return (await _roadshows.GetRoadshowEditionAsync(new() { Name = "roadshowEditions/haichuangzhou-2022" }, ServiceHost.Operator)).RoadshowEdition; }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound) { return null; }
        }, "the seeded editions");
        var project = (await _roadshows.CreateRoadshowProjectAsync(new()
        {
            Parent = edition.Name,
            RoadshowProject = new RoadshowProject { Title = "Solid-state battery", TeamLead = "Dr Wu", Country = "United States", Industry = "clean-energy" },
        }, ServiceHost.Operator)).RoadshowProject;

        foreach (var (reviewer, score) in new[] { ("investor", 84), ("university", 91), ("zone", 90) })
        {
            await _roadshows.ReviewRoadshowProjectAsync(new() { Name = project.Name, Reviewer = reviewer, Score = score }, ServiceHost.Operator);
        }
        var shortlisted = (await _roadshows.DecideRoadshowProjectAsync(new() { Name = project.Name, Shortlisted = true }, ServiceHost.Operator)).RoadshowProject;
        var landed = (await _roadshows.LandRoadshowProjectAsync(new()
        {
            Name = project.Name, EnterpriseUscc = NewUscc(), LandedUnit = "scienceCity", LandedDate = new Google.Type.Date { Year = 2022, Month = 9, Day = 1 },
        }, ServiceHost.Operator)).RoadshowProject;
        var district = await Assert.ThrowsAsync<RpcException>(() => _roadshows.ReviewRoadshowProjectAsync(new() { Name = project.Name, Reviewer = "x", Score = 1 },
            ServiceHost.Unit(UnitRef.District("lingshui"))).ResponseAsync);
        var counted = (await _roadshows.GetRoadshowEditionAsync(new() { Name = edition.Name }, ServiceHost.Dashboard)).RoadshowEdition;

        Assert.Equal(200, edition.ReportedFigures["projectsRegisteredApproxMore"]); // 001:81: 200余 projects registered
        Assert.Equal(8833, shortlisted.ShortlistAverageCentiscore);                 // (84 + 91 + 90) / 3 = 88.33
        Assert.Equal(RoadshowProjectStatus.Landed, landed.Status);
        Assert.Equal(StatusCode.PermissionDenied, district.StatusCode);
        Assert.Equal((1, 1, 1), (counted.RegisteredProjects, counted.ShortlistedProjects, counted.LandedProjects));
    }
}
