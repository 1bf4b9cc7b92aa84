using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Parks.Domain;
using Parks.Events.V1;
using Parks.Hosting.Events;
using Parks.Rpc;
using Parks.ScienceCity.V1;
using Parks.Testing;
using Parks.Testing.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Parks.ScienceCity.Tests.Functional;

/// <summary>The Science City service started with its own wiring and called over gRPC with the generated clients.</summary>
public sealed class ScienceCityServiceTests : IAsyncLifetime
{
    private ServiceHost _host = null!;
    private PlatformService.PlatformServiceClient _platforms = null!;
    private ResearchProjectService.ResearchProjectServiceClient _projects = null!;
    private TechContractService.TechContractServiceClient _contracts = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync(b => b.AddScienceCity(), a => a.MapScienceCity());
        _platforms = new(_host.Channel);
        _projects = new(_host.Channel);
        _contracts = new(_host.Channel);
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(_host.Errors.Entries);
        await _host.DisposeAsync();
    }

    private static readonly CallOptions Operator = ServiceHost.Operator;

    [Fact]
    public async Task The_seed_is_served_the_first_batch_and_the_Liaoning_labs()
    {
        var batch = await Eventually.ResultAsync(async () =>
        {
            try { return (await _platforms.GetAdmissionBatchAsync(new() { Name = "scienceCity/admissionBatches/first" }, Operator)).AdmissionBatch; }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound) { return null; }
        }, "the seed to be loaded");
        var binhai = (await _platforms.GetPlatformAsync(new() { Name = "scienceCity/platforms/liaoning-binhai-lab" }, Operator)).Platform;

        Assert.Equal(233, batch.PlannedCount);
        Assert.Equal("001:75", batch.Source);
        Assert.Equal("中科院大连化物所", binhai.HostInstitution);
        Assert.Equal(PlatformKind.LiaoningLab, binhai.Kind);
    }

    [Fact]
    public async Task A_call_without_caller_identity_is_unauthenticated()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => _platforms.ListPlatformsAsync(new()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task Districts_and_the_dashboard_may_read_but_not_write_Science_City_records()
    {
        var district = ServiceHost.Unit(UnitRef.District("lingshui"));

        await _platforms.ListPlatformsAsync(new(), district);
        await _platforms.ListPlatformsAsync(new(), ServiceHost.Dashboard);
        var denied = await Assert.ThrowsAsync<RpcException>(() => _platforms.CreatePlatformAsync(NewPlatform(), district).ResponseAsync);
        var readOnly = await Assert.ThrowsAsync<RpcException>(() => _platforms.CreatePlatformAsync(NewPlatform(), ServiceHost.Dashboard).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, readOnly.StatusCode);
        var scienceCity = ServiceHost.Unit(UnitRef.ScienceCity);
        Assert.NotEmpty((await _platforms.CreatePlatformAsync(NewPlatform(), scienceCity)).Platform.Name);
    }

    private static CreatePlatformRequest NewPlatform(string? id = null) => new()
    {
        PlatformId = id ?? "",
        Platform = new Platform
        {
            DisplayName = "Ocean robotics pilot base",
            Kind = PlatformKind.PilotBase,
            Level = PlatformLevel.Municipal,
            HostInstitution = "大连理工大学",
            Domain = ResearchDomain.OceanEngineering,
        },
    };

    [Fact]
    public async Task Bad_input_is_invalid_argument_with_every_field_violation()
    {
        var request = new CreatePlatformRequest { PlatformId = "Bad Id", Platform = new Platform { DisplayName = "", HostInstitution = "" } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => _platforms.CreatePlatformAsync(request, Operator).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var status = Google.Rpc.Status.Parser.ParseFrom(ex.StatusDetails);
        var badRequest = status.Details.Single(d => d.Is(BadRequest.Descriptor)).Unpack<BadRequest>();
        Assert.Equal(["platform_id", "display_name", "kind", "level", "host_institution"], badRequest.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task Update_with_a_field_mask_and_a_stale_etag_is_aborted()
    {
        var created = (await _platforms.CreatePlatformAsync(NewPlatform(TestIds.New("p")), Operator)).Platform;
        var update = new UpdatePlatformRequest
        {
            Platform = new Platform { Name = created.Name, StatusNote = "phase 1 built", Etag = created.Etag },
            UpdateMask = new FieldMask { Paths = { "status_note" } },
        };

        var updated = (await _platforms.UpdatePlatformAsync(update, Operator)).Platform;
        var stale = await Assert.ThrowsAsync<RpcException>(() => _platforms.UpdatePlatformAsync(update, Operator).ResponseAsync);
        var badMask = await Assert.ThrowsAsync<RpcException>(() => _platforms.UpdatePlatformAsync(new UpdatePlatformRequest
        {
            Platform = new Platform { Name = created.Name },
            UpdateMask = new FieldMask { Paths = { "admission" } },
        }, Operator).ResponseAsync);

        Assert.Equal("phase 1 built", updated.StatusNote);
        Assert.Equal(created.DisplayName, updated.DisplayName);
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, badMask.StatusCode);
    }

    [Fact]
    public async Task A_research_project_runs_the_lifecycle_and_a_skip_is_a_failed_precondition()
    {
        var project = (await _projects.CreateResearchProjectAsync(new CreateResearchProjectRequest
        {
            ResearchProject = new ResearchProject { Title = "Flow battery stack", LeadInstitution = "中科院大连化物所", Domain = ResearchDomain.CleanEnergy, Industry = "clean-energy" },
            InitiatedDate = new Google.Type.Date { Year = 2024, Month = 1, Day = 5 },
            InitiationEvidence = { new Evidence { Kind = "approval", Title = "立项批复" } },
            ApprovedBy = "Science City committee",
        }, Operator)).ResearchProject;

        var skip = await Assert.ThrowsAsync<RpcException>(() => _projects.AdvanceResearchProjectAsync(Advance(project.Name, ResearchStage.PilotTrial, 2), Operator).ResponseAsync);
        await _projects.AdvanceResearchProjectAsync(Advance(project.Name, ResearchStage.ResearchAndDevelopment, 2), Operator);
        await _projects.AdvanceResearchProjectAsync(Advance(project.Name, ResearchStage.PilotTrial, 3), Operator);
        var industrial = Advance(project.Name, ResearchStage.Industrialization, 4);
        industrial.LandingUnit = "parks/wafangdian";
        industrial.ExpectedInvestmentFen = 50_000_000_000; // 5亿元
        var done = (await _projects.AdvanceResearchProjectAsync(industrial, Operator)).ResearchProject;

        Assert.Equal(StatusCode.FailedPrecondition, skip.StatusCode);
        var failure = Google.Rpc.Status.Parser.ParseFrom(skip.StatusDetails).Details.Single(d => d.Is(PreconditionFailure.Descriptor)).Unpack<PreconditionFailure>();
        Assert.Equal("STAGE_SKIP", failure.Violations[0].Type);
        Assert.Equal(ResearchStage.Industrialization, done.Stage);
        Assert.Equal(4, done.Gates.Count);
        Assert.Equal(LandingStatus.Referred, done.Landing.Status);
        Assert.Equal("parks/wafangdian", done.Landing.Unit);
    }

    private static AdvanceResearchProjectRequest Advance(string name, ResearchStage stage, int month) => new()
    {
        Name = name,
        Stage = stage,
        EnteredDate = new Google.Type.Date { Year = 2024, Month = month, Day = 1 },
        Evidence = { new Evidence { Kind = "report", Title = $"gate {stage}" } },
        ApprovedBy = "committee",
    };

    [Fact]
    public async Task The_landing_units_answer_arrives_through_the_event_bus()
    {
        var project = (await _projects.CreateResearchProjectAsync(new CreateResearchProjectRequest
        {
            ResearchProject = new ResearchProject { Title = "Hydrogen compressor", LeadInstitution = "大连理工大学", Industry = "equipment" },
            InitiatedDate = new Google.Type.Date { Year = 2024, Month = 1, Day = 5 },
            InitiationEvidence = { new Evidence { Kind = "approval", Title = "立项" } },
            ApprovedBy = "committee",
        }, Operator)).ResearchProject;
        await _projects.AdvanceResearchProjectAsync(Advance(project.Name, ResearchStage.ResearchAndDevelopment, 2), Operator);
        await _projects.AdvanceResearchProjectAsync(Advance(project.Name, ResearchStage.PilotTrial, 3), Operator);
        var industrial = Advance(project.Name, ResearchStage.Industrialization, 4);
        industrial.LandingUnit = "districts/longtou";
        await _projects.AdvanceResearchProjectAsync(industrial, Operator);

        // The units service's answer, published on the same bus the service consumes.
        await _host.Services.GetRequiredService<IEventOutbox>().PublishAsync(new ReferralResolved
        {
            Referral = "districts/longtou/referrals/r-1",
            FromUnit = "scienceCity",
            ToUnit = "districts/longtou",
            Accepted = true,
            Project = "districts/longtou/projects/p-7",
            ResearchProject = project.Name,
        });

        var landed = await Eventually.ResultAsync(async () =>
        {
            var p = (await _projects.GetResearchProjectAsync(new() { Name = project.Name }, Operator)).ResearchProject;
            return p.Landing.Status == LandingStatus.Accepted ? p : null;
        }, "the referral answer to be applied");
        Assert.Equal("districts/longtou/projects/p-7", landed.Landing.Project);
    }

    [Fact]
    public async Task Tech_contract_turnover_is_the_sum_and_a_duplicate_number_is_already_exists()
    {
        var number = TestIds.New("n");
        TechContract Contract(string registration, long fen) => new()
        {
            RegistrationNumber = registration,
            Type = TechContractType.PatentLicence,
            Seller = new ContractParty { DisplayName = "大连海事大学", Kind = PartyKind.University },
            Buyer = new ContractParty { DisplayName = "Ship systems", Kind = PartyKind.Enterprise, Uscc = UnifiedSocialCreditCode.FromBody("91210200MA0QXXXX3").Value },
            ValueFen = fen,
            SignedDate = new Google.Type.Date { Year = 2021, Month = 3, Day = 9 },
        };

        await _contracts.CreateTechContractAsync(new() { TechContract = Contract(number, 250_000_000) }, Operator);   // 250万元
        await _contracts.CreateTechContractAsync(new() { TechContract = Contract(TestIds.New("n"), 75_050) }, Operator); // 750.50元
        var duplicate = await Assert.ThrowsAsync<RpcException>(() => _contracts.CreateTechContractAsync(new() { TechContract = Contract(number, 1) }, Operator).ResponseAsync);
        var zero = await Assert.ThrowsAsync<RpcException>(() => _contracts.CreateTechContractAsync(new() { TechContract = Contract(TestIds.New("n"), 0) }, Operator).ResponseAsync);
        var turnover = await _contracts.GetTechContractTurnoverAsync(new() { Years = { 2021 } }, Operator);

        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, zero.StatusCode);
        Assert.Equal(250_075_050L, turnover.TotalFen);
        Assert.Equal(2, turnover.ContractCount);
    }
}

/// <summary>Admission into the Science City over gRPC: a platform listed on a batch, admitted, and the batch counts it.</summary>
public sealed class AdmissionServiceTests : IAsyncLifetime
{
    private ServiceHost _host = null!;
    private PlatformService.PlatformServiceClient _platforms = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync(b => b.AddScienceCity(), a => a.MapScienceCity());
        _platforms = new(_host.Channel);
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(_host.Errors.Entries);
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_platform_is_enlisted_on_the_first_batch_admitted_and_evaluated()
    {
        await Eventually.ResultAsync(async () =>
        {
            try { return (await _platforms.GetAdmissionBatchAsync(new() { Name = "scienceCity/admissionBatches/first" }, ServiceHost.Operator)).AdmissionBatch; }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound) { return null; }
        }, "the seed to be loaded");
        const string name = "scienceCity/platforms/liaoning-huanghai-lab";

        var enlisted = (await _platforms.EnlistPlatformForAdmissionAsync(new() { Name = name, AdmissionBatch = "scienceCity/admissionBatches/first", ListedDate = new Google.Type.Date { Year = 2022, Month = 6, Day = 1 } }, ServiceHost.Operator)).Platform;
        var early = await Assert.ThrowsAsync<RpcException>(() => _platforms.AdmitPlatformAsync(new() { Name = name, AdmittedDate = new Google.Type.Date { Year = 2022, Month = 5, Day = 1 } }, ServiceHost.Operator).ResponseAsync);
        var admitted = (await _platforms.AdmitPlatformAsync(new() { Name = name, AdmittedDate = new Google.Type.Date { Year = 2022, Month = 9, Day = 1 }, Etag = enlisted.Etag }, ServiceHost.Operator)).Platform;
        var evaluated = (await _platforms.RecordPlatformEvaluationAsync(new()
        {
            Name = name,
            Evaluation = new PlatformEvaluation { Year = 2023, Result = EvaluationResult.Excellent, Evaluator = "辽宁省科技厅", EvaluationDate = new Google.Type.Date { Year = 2024, Month = 3, Day = 1 } },
        }, ServiceHost.Operator)).Platform;
        var batch = (await _platforms.GetAdmissionBatchAsync(new() { Name = "scienceCity/admissionBatches/first" }, ServiceHost.Dashboard)).AdmissionBatch;
        var admittedList = await _platforms.ListPlatformsAsync(new() { AdmissionStatus = AdmissionStatus.Admitted }, ServiceHost.Dashboard);

        Assert.Equal(StatusCode.InvalidArgument, early.StatusCode);
        Assert.Equal(AdmissionStatus.Admitted, admitted.Admission.Status);
        Assert.Equal(EvaluationResult.Excellent, Assert.Single(evaluated.Evaluations).Result);
        Assert.Equal((233, 1, 1), (batch.PlannedCount, batch.ListedCount, batch.AdmittedCount));
        Assert.Equal(name, Assert.Single(admittedList.Platforms).Name);
    }
}
