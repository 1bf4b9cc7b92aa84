using Google.Rpc;
using Parks.Hosting.Rpc;
using Parks.Rpc;
using Parks.Testing;
using Parks.Units.V1;
using Tier = Parks.Common.V1.EnterpriseTier;

namespace Parks.Units.Tests.Functional;

/// <summary>The District service started in process and called over gRPC with the generated clients.</summary>
public sealed class DistrictServiceTests
{
    private static readonly CallOptions Lingshui = Zone.UnitSystem("districts/lingshui");

    private static Enterprise NewEnterprise(string? uscc = null) => new()
    {
        Uscc = uscc ?? TestData.NewUscc(),
        DisplayName = "大连凌水示例软件有限公司",
        Industry = "software-it",
        RegistrationDate = new Google.Type.Date { Year = 2019, Month = 4, Day = 1 },
        Address = "凌水街道",
    };

    /// <summary>A date relative to the zone's today (the services run on the real clock).</summary>
    private static Google.Type.Date DaysAgo(int days)
    {
        var day = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).AddDays(-days);
        return new Google.Type.Date { Year = day.Year, Month = day.Month, Day = day.Day };
    }

    private static async Task<RpcException> Fails(Func<Task> call, StatusCode code)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, error.StatusCode);
        return error;
    }

    [Fact]
    public async Task Registers_reads_certifies_and_lists_enterprises_over_grpc()
    {
        var zone = new Zone();
        await using var host = await UnitsHost.DistrictAsync(zone, "lingshui");
        var client = new EnterpriseService.EnterpriseServiceClient(host.Channel);

        var created = (await client.CreateEnterpriseAsync(new CreateEnterpriseRequest { Parent = "districts/lingshui", Enterprise = NewEnterprise(), RequestId = "r1" }, Lingshui)).Enterprise;
        var certified = await client.CertifyEnterpriseTierAsync(new CertifyEnterpriseTierRequest
        {
            Parent = created.Name,
            Tier = Tier.TechSme,
            Authority = "大连市科学技术局",
            AuthorityLevel = AuthorityLevel.Municipal,
            Batch = "大连市2022年第一批入库科技型中小企业",
            ValidFrom = DaysAgo(30),
            Etag = created.Etag,
        }, Lingshui);
        var read = (await client.GetEnterpriseAsync(new GetEnterpriseRequest { Name = created.Name }, Zone.Dashboard)).Enterprise;
        var listed = await client.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = "districts/lingshui", Tier = Tier.TechSme, Industry = "software-it" }, Zone.Dashboard);

        Assert.Equal($"districts/lingshui/enterprises/{created.Uscc}", created.Name);
        Assert.Equal("1", created.Etag);
        Assert.Equal(Tier.TechSme, certified.Enterprise.Tier);
        Assert.Equal($"{created.Name}/certifications/1", certified.Certification.Name);
        Assert.Equal(certified.Enterprise.Etag, read.Etag);
        Assert.Equal(created.Name, Assert.Single(listed.Enterprises).Name);
        Assert.Equal(1, listed.TotalSize);
        Assert.Empty(host.Errors.Entries);
    }

    [Fact]
    public async Task Tier_counts_give_every_rung_of_the_ladder_and_the_enterprise_count_from_the_indexes()
    {
        var zone = new Zone();
        await using var host = await UnitsHost.DistrictAsync(zone, "lingshui");
        var client = new EnterpriseService.EnterpriseServiceClient(host.Channel);
        async Task<Enterprise> CertifyAsync(Enterprise enterprise, Tier tier, int daysAgo) => (await client.CertifyEnterpriseTierAsync(new CertifyEnterpriseTierRequest
        {
            Parent = enterprise.Name, Tier = tier, Authority = "大连市科学技术局", AuthorityLevel = AuthorityLevel.Municipal, ValidFrom = DaysAgo(daysAgo), Etag = enterprise.Etag,
        }, Lingshui)).Enterprise;

        var sme = (await client.CreateEnterpriseAsync(new CreateEnterpriseRequest { Parent = "districts/lingshui", Enterprise = NewEnterprise() }, Lingshui)).Enterprise;
        var climber = (await client.CreateEnterpriseAsync(new CreateEnterpriseRequest { Parent = "districts/lingshui", Enterprise = NewEnterprise() }, Lingshui)).Enterprise;
        await client.CreateEnterpriseAsync(new CreateEnterpriseRequest { Parent = "districts/lingshui", Enterprise = NewEnterprise() }, Lingshui);
        await CertifyAsync(sme, Tier.TechSme, 30);
        var highTech = await CertifyAsync(await CertifyAsync(climber, Tier.TechSme, 60), Tier.HighTech, 10);

        var counts = await client.GetTierCountsAsync(new GetTierCountsRequest { Parent = "districts/lingshui" }, Zone.Dashboard);
        var demo = await client.GetTierCountsAsync(new GetTierCountsRequest { Parent = "districts/lingshui", DataSet = DataSet.Demo }, Zone.Dashboard);
        await Fails(() => client.GetTierCountsAsync(new GetTierCountsRequest { Parent = "districts/longtou" }, Zone.Dashboard).ResponseAsync, StatusCode.FailedPrecondition);

        Assert.Equal(Tier.HighTech, highTech.Tier);
        Assert.Equal(3, counts.EnterpriseCount);
        Assert.Equal([Tier.TechSme, Tier.HighTech, Tier.Eaglet, Tier.Gazelle, Tier.Unicorn, Tier.Leader, Tier.Listed], counts.Tiers.Select(t => t.Tier));
        Assert.Equal([1L, 1, 0, 0, 0, 0, 0], counts.Tiers.Select(t => t.Count));
        Assert.Equal(0, demo.EnterpriseCount);
        Assert.All(demo.Tiers, t => Assert.Equal(0, t.Count));
        Assert.Empty(host.Errors.Entries);
    }

    [Fact]
    public async Task Bad_input_gets_the_precise_status_and_field_reason()
    {
        var zone = new Zone();
        await using var host = await UnitsHost.DistrictAsync(zone, "lingshui");
        var client = new EnterpriseService.EnterpriseServiceClient(host.Channel);
        var projects = new InvestmentProjectService.InvestmentProjectServiceClient(host.Channel);

        var badCode = await Fails(() => client.CreateEnterpriseAsync(new CreateEnterpriseRequest { Parent = "districts/lingshui", Enterprise = NewEnterprise("91350100M000100Y44") }, Lingshui).ResponseAsync, StatusCode.InvalidArgument);
        var violation = Assert.Single(badCode.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("enterprise.uscc", violation.Field);
        Assert.Contains("GB 32100-2015 requires '3'", violation.Description);

        await Fails(() => client.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = "districts/nowhere" }, Zone.Dashboard).ResponseAsync, StatusCode.NotFound);
        await Fails(() => client.GetEnterpriseAsync(new GetEnterpriseRequest { Name = $"districts/lingshui/enterprises/{TestData.NewUscc()}" }, Zone.Dashboard).ResponseAsync, StatusCode.NotFound);

        var created = (await client.CreateEnterpriseAsync(new CreateEnterpriseRequest { Parent = "districts/lingshui", Enterprise = NewEnterprise() }, Lingshui)).Enterprise;
        await Fails(() => client.CreateEnterpriseAsync(new CreateEnterpriseRequest { Parent = "districts/lingshui", Enterprise = NewEnterprise(created.Uscc) }, Lingshui).ResponseAsync, StatusCode.AlreadyExists);

        var jump = await Fails(() => client.CertifyEnterpriseTierAsync(new CertifyEnterpriseTierRequest
        {
            Parent = created.Name, Tier = Tier.Gazelle, Authority = "辽宁省科学技术厅", AuthorityLevel = AuthorityLevel.Provincial,
            ValidFrom = new Google.Type.Date { Year = 2024, Month = 1, Day = 2 },
        }, Lingshui).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Equal("TIER_TRANSITION", Assert.Single(jump.GetDetail<PreconditionFailure>()!.Violations).Type);

        var update = new Enterprise { Name = created.Name, DisplayName = "新名称", Etag = created.Etag };
        await client.UpdateEnterpriseAsync(new UpdateEnterpriseRequest { Enterprise = update, UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "display_name" } } }, Lingshui);
        var stale = await Fails(() => client.UpdateEnterpriseAsync(new UpdateEnterpriseRequest { Enterprise = update, UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "display_name" } } }, Lingshui).ResponseAsync, StatusCode.Aborted);
        Assert.Equal("CONCURRENT_MODIFICATION", stale.GetDetail<ErrorInfo>()!.Reason);

        var amount = await Fails(() => projects.CreateInvestmentProjectAsync(new CreateInvestmentProjectRequest
        {
            Parent = "districts/lingshui",
            Project = new InvestmentProject { DisplayName = "x", Industry = "software-it", AmountFen = -1 },
        }, Lingshui).ResponseAsync, StatusCode.InvalidArgument);
        Assert.Equal("project.amount_fen", Assert.Single(amount.GetDetail<BadRequest>()!.FieldViolations).Field);

        var page = await client.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = "districts/lingshui", PageSize = 1 }, Zone.Dashboard);
        await client.CreateEnterpriseAsync(new CreateEnterpriseRequest { Parent = "districts/lingshui", Enterprise = NewEnterprise() }, Lingshui);
        var next = await client.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = "districts/lingshui", PageSize = 1 }, Zone.Dashboard);
        var token = await Fails(() => client.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = "districts/lingshui", PageSize = 1, Tier = Tier.TechSme, PageToken = next.NextPageToken }, Zone.Dashboard).ResponseAsync, StatusCode.InvalidArgument);
        Assert.Equal("page_token", Assert.Single(token.GetDetail<BadRequest>()!.FieldViolations).Field);
        Assert.Empty(host.Errors.Entries);
    }

    [Fact]
    public async Task Callers_write_only_what_they_may()
    {
        var zone = new Zone();
        await using var host = await UnitsHost.DistrictAsync(zone, "lingshui");
        var client = new EnterpriseService.EnterpriseServiceClient(host.Channel);
        var request = new CreateEnterpriseRequest { Parent = "districts/lingshui", Enterprise = NewEnterprise() };

        await Fails(() => client.CreateEnterpriseAsync(request, Zone.UnitSystem("districts/qixianling")).ResponseAsync, StatusCode.PermissionDenied);
        await Fails(() => client.CreateEnterpriseAsync(request, Zone.Dashboard).ResponseAsync, StatusCode.PermissionDenied);
        await Fails(() => client.CreateEnterpriseAsync(request).ResponseAsync, StatusCode.Unauthenticated);
        var forged = new Metadata { { "x-parks-caller", "operator" }, { "x-parks-caller-role", "operator" }, { "x-parks-caller-sig", "00" } };
        await Fails(() => client.CreateEnterpriseAsync(request, new CallOptions(forged)).ResponseAsync, StatusCode.PermissionDenied);
        Assert.Equal("districts/lingshui", (await client.CreateEnterpriseAsync(request, Zone.Operator)).Enterprise.Name[..18]);
    }

    [Fact]
    public async Task An_instance_answers_for_its_own_district_and_tells_its_profile()
    {
        var zone = new Zone();
        await using var host = await UnitsHost.DistrictAsync(zone, "qixianling");
        var districts = new Parks.District.V1.DistrictService.DistrictServiceClient(host.Channel);
        var enterprises = new EnterpriseService.EnterpriseServiceClient(host.Channel);

        var district = (await districts.GetDistrictAsync(new Parks.District.V1.GetDistrictRequest { Name = "districts/qixianling" }, Zone.Dashboard)).District;

        Assert.Equal("数字技术开发应用区", district.PositioningZh);
        Assert.Contains("000:152", district.PositioningSrc);
        Assert.True(district.IsZoneStreet);
        var other = await Fails(() => enterprises.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = "districts/lingshui" }, Zone.Dashboard).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Equal("UNIT_NOT_SERVED", other.GetDetail<PreconditionFailure>()!.Violations[0].Type);
    }

    [Fact]
    public async Task Innovation_points_are_evaluated_explained_and_ranked()
    {
        var zone = new Zone();
        await using var host = await UnitsHost.DistrictAsync(zone, "lingshui");
        var enterprises = new EnterpriseService.EnterpriseServiceClient(host.Channel);
        var points = new InnovationPointsService.InnovationPointsServiceClient(host.Channel);
        var created = (await enterprises.CreateEnterpriseAsync(new CreateEnterpriseRequest { Parent = "districts/lingshui", Enterprise = NewEnterprise() }, Lingshui)).Enterprise;
        var model = (await points.GetInnovationPointsModelAsync(new GetInnovationPointsModelRequest { Name = "innovationPointsModels/current" }, Zone.Dashboard)).Model;
        var request = new EvaluateInnovationPointsRequest { Parent = created.Name, Year = 2023 };
        foreach (var input in model.Dimensions.SelectMany(d => d.Inputs)) request.Inputs[input.Id] = input.Id == "invention_patents_granted" ? 3 : 0;

        var evaluation = (await points.EvaluateInnovationPointsAsync(request, Lingshui)).Evaluation;
        var top = await points.GetInnovationTop100Async(new GetInnovationTop100Request { Name = "innovationRankings/2023" }, Zone.Dashboard);

        Assert.True(model.Illustrative);
        Assert.Equal(["tech-innovation", "growth-operation", "positive-auxiliary", "negative-auxiliary"], model.Dimensions.Select(d => d.Id));
        Assert.Equal(600, evaluation.TotalCentipoints);
        Assert.Equal(model.Version, evaluation.ModelVersion);
        Assert.Equal(3, evaluation.Inputs["invention_patents_granted"]);
        Assert.Equal(evaluation.Name, Assert.Single(top.Entries).Evaluation);
        Assert.Equal(1, top.Entries[0].Rank);
    }

    [Fact]
    public async Task Indicators_are_reported_with_units_and_periods_checked()
    {
        var zone = new Zone();
        await using var host = await UnitsHost.DistrictAsync(zone, "lingshui");
        var indicators = new IndicatorService.IndicatorServiceClient(host.Channel);

        var definitions = await indicators.ListIndicatorDefinitionsAsync(new ListIndicatorDefinitionsRequest { Parent = "districts/lingshui", PageSize = 100 }, Zone.Dashboard);
        var reported = (await indicators.ReportObservationAsync(new ReportObservationRequest
        {
            Parent = "districts/lingshui",
            Observation = new Observation { Indicator = "revenue", Period = "2023", AmountFen = 12_300_000_000_000L, UnitOfMeasure = "fen" },
        }, Lingshui)).Observation;
        var wrongUnit = await Fails(() => indicators.ReportObservationAsync(new ReportObservationRequest
        {
            Parent = "districts/lingshui",
            Observation = new Observation { Indicator = "revenue", Period = "2023-H1", AmountFen = 1, UnitOfMeasure = "CNY_100M" },
        }, Lingshui).ResponseAsync, StatusCode.InvalidArgument);

        Assert.Contains(definitions.Definitions, d => d.Id == "revenue" && d.UnitOfMeasure == "fen");
        Assert.Equal("districts/lingshui/indicators/revenue/observations/actual-2023", reported.Name);
        Assert.Equal(Observation.ValueOneofCase.AmountFen, reported.ValueCase);
        Assert.Equal("observation.unit_of_measure", wrongUnit.GetDetail<BadRequest>()!.FieldViolations[0].Field);
        var observations = await indicators.ListObservationsAsync(new ListObservationsRequest { Parent = "districts/lingshui" }, Zone.Dashboard);
        Assert.Equal(reported.Name, Assert.Single(observations.Observations).Name);
    }
}
