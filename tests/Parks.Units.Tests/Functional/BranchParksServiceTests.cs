using Parks.BranchParks.V1;
using Parks.Rpc;
using Parks.Testing;
using Parks.Units.V1;

namespace Parks.Units.Tests.Functional;

/// <summary>The Branch Parks service (and a District service beside it) over gRPC.</summary>
public sealed class BranchParksServiceTests
{
    private static readonly CallOptions Jinpu = Zone.UnitSystem("parks/jinpu");

    [Fact]
    public async Task Lists_the_five_parks_of_the_documents_and_operators_add_more()
    {
        var zone = new Zone();
        await using var host = await UnitsHost.BranchParksAsync(zone);
        var parks = new BranchParkService.BranchParkServiceClient(host.Channel);

        var listed = await parks.ListBranchParksAsync(new ListBranchParksRequest(), Zone.Dashboard);
        Assert.Equal(["parks/changxingdao", "parks/ganjingzi", "parks/jinpu", "parks/lvshun", "parks/wafangdian"], listed.BranchParks.Select(p => p.Name));
        Assert.All(listed.BranchParks, p => Assert.Contains("000:152", p.Src));

        var denied = await Assert.ThrowsAsync<RpcException>(() => parks.CreateBranchParkAsync(new CreateBranchParkRequest { BranchParkId = "pulandian", BranchPark = new BranchPark { NameZh = "普兰店分园" } }, Jinpu).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        var created = (await parks.CreateBranchParkAsync(new CreateBranchParkRequest { BranchParkId = "pulandian", BranchPark = new BranchPark { NameZh = "普兰店分园" }, RequestId = "p1" }, Zone.Operator)).BranchPark;
        Assert.Equal("parks/pulandian", created.Name);
        Assert.Empty(created.Src);

        var enterprises = new EnterpriseService.EnterpriseServiceClient(host.Channel);
        var listedThere = await enterprises.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = "parks/pulandian" }, Zone.Dashboard);
        Assert.Empty(listedThere.Enterprises);
        Assert.Empty(host.Errors.Entries);
    }

    [Fact]
    public async Task A_project_referred_to_jinpu_is_accepted_there_and_counted_in_its_pipeline()
    {
        var zone = new Zone();
        await using var host = await UnitsHost.BranchParksAsync(zone);
        var projects = new InvestmentProjectService.InvestmentProjectServiceClient(host.Channel);
        var referral = new Referral { FromUnit = "scienceCity", DisplayName = "液流电池产业化", Industry = "clean-energy", AmountFen = 20_000_000_000L, ResearchProject = "scienceCity/researchProjects/rfb" };

        var wrongSource = await Assert.ThrowsAsync<RpcException>(() => projects.CreateReferralAsync(new CreateReferralRequest { Parent = "parks/jinpu", Referral = referral }, Zone.UnitSystem("districts/lingshui")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, wrongSource.StatusCode);
        var created = (await projects.CreateReferralAsync(new CreateReferralRequest { Parent = "parks/jinpu", Referral = referral, RequestId = "ref-1" }, Zone.UnitSystem("scienceCity"))).Referral;
        var referred = await projects.ListReferralsAsync(new ListReferralsRequest { Parent = "parks/jinpu" }, Zone.Dashboard);
        var accepted = await projects.AcceptReferralAsync(new AcceptReferralRequest { Name = created.Name, ProjectId = "rfb-plant", Etag = created.Etag }, Jinpu);
        var pipeline = await projects.GetPipelineCountsAsync(new GetPipelineCountsRequest { Parent = "parks/jinpu" }, Zone.Dashboard);

        Assert.Equal(created.Name, Assert.Single(referred.Referrals).Name);
        Assert.Equal(ReferralState.Accepted, accepted.Referral.State);
        Assert.Equal("parks/jinpu/projects/rfb-plant", accepted.Project.Name);
        Assert.True(accepted.Project.Major);
        Assert.Equal("scienceCity", accepted.Project.ReferredFrom);
        Assert.Equal(1, pipeline.Stages.Single(s => s.Stage == ProjectStage.Lead).Count);
        Assert.Equal(1, pipeline.Total);

        var advanced = await projects.AdvanceInvestmentProjectAsync(new AdvanceInvestmentProjectRequest { Name = accepted.Project.Name, Stage = ProjectStage.Signed, Etag = accepted.Project.Etag }, Jinpu);
        Assert.Equal(ProjectStage.Signed, advanced.Project.Stage);
        var skipped = await Assert.ThrowsAsync<RpcException>(() => projects.AdvanceInvestmentProjectAsync(new AdvanceInvestmentProjectRequest { Name = accepted.Project.Name, Stage = ProjectStage.InProduction }, Jinpu).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, skipped.StatusCode);
        Assert.Empty(host.Errors.Entries);
    }

    [Fact]
    public async Task A_relocation_from_a_district_reaches_the_park_through_the_event()
    {
        var zone = new Zone();
        await using var lingshui = await UnitsHost.DistrictAsync(zone, "lingshui");
        await using var parks = await UnitsHost.BranchParksAsync(zone);
        var source = new EnterpriseService.EnterpriseServiceClient(lingshui.Channel);
        var target = new EnterpriseService.EnterpriseServiceClient(parks.Channel);
        var created = (await source.CreateEnterpriseAsync(new CreateEnterpriseRequest
        {
            Parent = "districts/lingshui",
            Enterprise = new Enterprise { Uscc = TestData.NewUscc(), DisplayName = "迁移示例有限公司", Industry = "intelligent-manufacturing", RegistrationDate = new Google.Type.Date { Year = 2015, Month = 5, Day = 5 } },
        }, Zone.UnitSystem("districts/lingshui"))).Enterprise;

        var moved = (await source.RelocateEnterpriseAsync(new RelocateEnterpriseRequest
        {
            Name = created.Name, TargetUnit = "parks/jinpu", RelocationDate = new Google.Type.Date { Year = 2024, Month = 5, Day = 1 }, Reason = "扩大产能", Etag = created.Etag,
        }, Zone.UnitSystem("districts/lingshui"))).Enterprise;

        Assert.Equal($"parks/jinpu/enterprises/{created.Uscc}", moved.Name);
        var there = await Eventually.ResultAsync(async () =>
        {
            try { return (await target.GetEnterpriseAsync(new GetEnterpriseRequest { Name = moved.Name }, Zone.Dashboard)).Enterprise; }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { return null; }
        }, "the park takes the enterprise over");
        Assert.Equal("扩大产能", Assert.Single(there.Locations).Reason);
        Assert.Equal("districts/lingshui", there.Locations[0].FromUnit);
        var gone = await Assert.ThrowsAsync<RpcException>(() => source.GetEnterpriseAsync(new GetEnterpriseRequest { Name = created.Name }, Zone.Dashboard).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Empty(lingshui.Errors.Entries);
        Assert.Empty(parks.Errors.Entries);
    }

    [Fact]
    public async Task The_local_run_shows_demo_enterprises_in_qixianling_and_demo_referrals_to_jinpu()
    {
        var zone = new Zone();
        await using var qixianling = await UnitsHost.DistrictAsync(zone, "qixianling", demo: true);
        await using var parks = await UnitsHost.BranchParksAsync(zone, demo: true);

        var enterprises = await new EnterpriseService.EnterpriseServiceClient(qixianling.Channel)
            .ListEnterprisesAsync(new ListEnterprisesRequest { Parent = "districts/qixianling", PageSize = 10 }, Zone.Dashboard);
        var referrals = await new InvestmentProjectService.InvestmentProjectServiceClient(parks.Channel)
            .ListReferralsAsync(new ListReferralsRequest { Parent = "parks/jinpu" }, Zone.Dashboard);
        var real = await new EnterpriseService.EnterpriseServiceClient(qixianling.Channel)
            .ListEnterprisesAsync(new ListEnterprisesRequest { Parent = "districts/qixianling", DataSet = DataSet.Real }, Zone.Dashboard);

        Assert.Equal(30, enterprises.TotalSize);
        Assert.All(enterprises.Enterprises, e => Assert.True(e.Demo));
        Assert.NotEmpty(referrals.Referrals);
        Assert.All(referrals.Referrals, r => Assert.True(r.Demo));
        Assert.Empty(real.Enterprises);
    }
}
