using Microsoft.Playwright;
using Parks.Domain;
using Parks.Finance.V1;
using Parks.Gateway.Tests.Infrastructure;
using Parks.Gateway.V1;
using Parks.Rpc;
using Parks.Talent.V1;
using Parks.Testing;
using Parks.Units.V1;
using Xunit.Abstractions;
using GatewayStageCount = Parks.Gateway.V1.StageCount;
using Tier = Parks.Common.V1.EnterpriseTier;

namespace Parks.Gateway.Tests;

/// <summary>
/// The city overview over the product's real services (in process, one zone of its own): what the test writes —
/// enterprises certified up the ladder, projects moved through the funnel, an indicator's target and actuals, a talent
/// and a service request, a granted innovation-points loan, a paid payout — is exactly what GetCityOverview reports,
/// the expected figures worked out here from what was written; a district that stops answering keeps its last good
/// figures, marked degraded, while the others stay current; and the dashboard in Chromium draws the figures.
/// </summary>
public sealed class OverviewRealServicesTests(ITestOutputHelper output)
{
    private static readonly UnitRef Lingshui = UnitRef.District("lingshui");
    private static readonly UnitRef Longtou = UnitRef.District("longtou");
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));

    private static Google.Type.Date D(DateOnly day) => new() { Year = day.Year, Month = day.Month, Day = day.Day };

    [Fact]
    public async Task The_overview_reports_what_the_units_and_shared_services_hold_and_keeps_a_stopped_districts_last_figures()
    {
        await using var zone = await RealZone.StartAsync();
        var lingshui = zone.Channels["district-lingshui"];
        var enterprises = new EnterpriseService.EnterpriseServiceClient(lingshui);
        var asLingshui = RealZone.UnitSystem(Lingshui);

        // Enterprises in Lingshui: a tech SME; one certified 高企 in 2020 (inside 大政发〔2017〕52号's window, so finance
        // pays its 免申即享 award), whose three-year 高企 certificate has ended, leaving it a tech SME now; one 高企 now;
        // one without a tier. One more in Longtou. So Lingshui holds 4: 2 tech SMEs and 1 高企.
        var sme = await RegisterAsync(enterprises, Lingshui, asLingshui);
        var climber = await RegisterAsync(enterprises, Lingshui, asLingshui);
        var highTech = await RegisterAsync(enterprises, Lingshui, asLingshui);
        await RegisterAsync(enterprises, Lingshui, asLingshui);
        await RegisterAsync(new EnterpriseService.EnterpriseServiceClient(zone.Channels["district-longtou"]), Longtou, RealZone.UnitSystem(Longtou));
        await CertifyAsync(enterprises, sme.Name, Tier.TechSme, Today.AddDays(-30), asLingshui);
        await CertifyAsync(enterprises, climber.Name, Tier.TechSme, Today.AddDays(-30), asLingshui);
        await CertifyAsync(enterprises, climber.Name, Tier.HighTech, new DateOnly(2020, 12, 1), asLingshui);
        await CertifyAsync(enterprises, highTech.Name, Tier.TechSme, Today.AddDays(-60), asLingshui);
        await CertifyAsync(enterprises, highTech.Name, Tier.HighTech, Today.AddDays(-10), asLingshui);

        // Projects: one stays a lead, one is signed, one signed and landed.
        var projects = new InvestmentProjectService.InvestmentProjectServiceClient(lingshui);
        var created = new List<InvestmentProject>();
        for (var i = 0; i < 3; i++)
        {
            created.Add((await projects.CreateInvestmentProjectAsync(new CreateInvestmentProjectRequest
            {
                Parent = Lingshui.ResourceName,
                Project = new InvestmentProject { DisplayName = $"总览测试项目 {i}", Industry = "software-it", AmountFen = 10_000_000_000 },
            }, asLingshui)).Project);
        }
        await projects.AdvanceInvestmentProjectAsync(new AdvanceInvestmentProjectRequest { Name = created[1].Name, Stage = ProjectStage.Signed }, asLingshui);
        await projects.AdvanceInvestmentProjectAsync(new AdvanceInvestmentProjectRequest { Name = created[2].Name, Stage = ProjectStage.Signed }, asLingshui);
        await projects.AdvanceInvestmentProjectAsync(new AdvanceInvestmentProjectRequest { Name = created[2].Name, Stage = ProjectStage.Landed }, asLingshui);

        // Revenue: 40亿 two years ago, 50亿 last year, target 100亿 this year.
        var indicators = new IndicatorService.IndicatorServiceClient(lingshui);
        long Yi(long yi) => yi * 10_000_000_000;
        foreach (var (year, yi) in new[] { (Today.Year - 2, 40L), (Today.Year - 1, 50L) })
        {
            await indicators.ReportObservationAsync(new ReportObservationRequest
            {
                Parent = Lingshui.ResourceName,
                Observation = new Observation { Indicator = "revenue", Period = $"{year}", AmountFen = Yi(yi), UnitOfMeasure = "fen" },
            }, asLingshui);
        }
        await indicators.SetIndicatorTargetAsync(new SetIndicatorTargetRequest
        {
            Parent = Lingshui.ResourceName,
            Observation = new Observation { Indicator = "revenue", Period = $"{Today.Year}", Kind = ObservationKind.Target, AmountFen = Yi(100), UnitOfMeasure = "fen" },
        }, asLingshui);

        // Talent: one talent of the SME with one open service request.
        var talents = new TalentService.TalentServiceClient(zone.Channels["talent"]);
        var talent = await Eventually.ResultAsync(async () =>
        {
            try
            {
                return (await talents.CreateTalentAsync(new CreateTalentRequest
                {
                    Talent = new Parks.Talent.V1.Talent { DisplayName = "Dr Overview", EmployerUscc = sme.Uscc, Field = "AI", Degree = Degree.Doctorate },
                    RequestId = Guid.NewGuid().ToString(),
                }, asLingshui)).Talent;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { return null; } // the employer is not projected yet
        }, "talent to know the SME");
        await new ServiceRequestService.ServiceRequestServiceClient(zone.Channels["talent"]).CreateServiceRequestAsync(new CreateServiceRequestRequest
        {
            ServiceRequest = new ServiceRequest { Talent = talent.Name, ServiceType = "serviceTypes/children-schooling", Description = "primary school place" },
            Actor = "lingshui desk",
        }, asLingshui);

        // Finance: the 高企's automatic payout is paid; its innovation points earn it a 创新积分贷 of 200万.
        var payouts = new PayoutService.PayoutServiceClient(zone.Channels["finance"]);
        var automatic = await Eventually.ResultAsync(async () =>
        {
            try { return (await payouts.ListPayoutsAsync(new ListPayoutsRequest { SubjectUscc = climber.Uscc }, RealZone.Operator)).Payouts.FirstOrDefault(p => p.Policy == "policies/gaoqi-first-certification"); }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { return null; }
        }, "finance to pay the 高企 award automatically");
        var paid = (await payouts.PayPayoutAsync(new PayPayoutRequest { Name = automatic.Name, PaymentReference = TestIds.New("pay") }, RealZone.Operator)).Payout;
        await EvaluatePointsAsync(lingshui, climber.Name, asLingshui);
        var bank = (await new InstitutionService.InstitutionServiceClient(zone.Channels["finance"]).CreateInstitutionAsync(new CreateInstitutionRequest
        {
            InstitutionId = TestIds.New("bank"),
            Institution = new Institution { DisplayName = "总览测试银行", Kind = InstitutionKind.Bank, PartnerProducts = { "loanProducts/innovation-points-loan" } },
        }, RealZone.Operator)).Institution;
        var loans = new LoanService.LoanServiceClient(zone.Channels["finance"]);
        var loan = await Eventually.ResultAsync(async () =>
        {
            try
            {
                return (await loans.CreateLoanApplicationAsync(new CreateLoanApplicationRequest
                {
                    LoanApplication = new LoanApplication { Uscc = climber.Uscc, Product = "loanProducts/innovation-points-loan", Bank = bank.Name, RequestedFen = 300_000_000, TermMonths = 12, Purpose = "R&D" },
                }, asLingshui)).LoanApplication;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.Aborted) { return null; } // points not projected yet
        }, "the 高企 to become eligible for an innovation-points loan");
        await loans.ApproveLoanApplicationAsync(new ApproveLoanApplicationRequest { Name = loan.Name, CreditLineFen = 200_000_000, ApprovedBy = "credit committee" }, RealZone.Operator);
        var stillPending = new List<Payout>();
        foreach (var uscc in new[] { sme.Uscc, climber.Uscc, highTech.Uscc })
            stillPending.AddRange((await payouts.ListPayoutsAsync(new ListPayoutsRequest { SubjectUscc = uscc }, RealZone.Operator)).Payouts
                .Where(p => p.Status is PayoutStatus.Submitted or PayoutStatus.UnderReview or PayoutStatus.Approved or PayoutStatus.AwaitingBudget));

        var client = new CityOverviewService.CityOverviewServiceClient(zone.Gateway.Channel);
        var overview = (await client.GetCityOverviewAsync(new GetCityOverviewRequest(), zone.Gateway.As("dashboard"))).Overview;

        Assert.All(overview.Units, u => Assert.Equal(Freshness.Current, u.Status.Freshness));
        var district = overview.Units.Single(u => u.Unit == Lingshui.ResourceName);
        Assert.Equal(4, district.EnterpriseCount);
        Assert.Equal(
            [(Tier.TechSme, 2L), (Tier.HighTech, 1L), (Tier.Eaglet, 0L), (Tier.Gazelle, 0L), (Tier.Unicorn, 0L), (Tier.Leader, 0L), (Tier.Listed, 0L)],
            district.Tiers.Select(t => (t.Tier, t.Count)));
        Assert.Equal(
            [("lead", 1L), ("signed", 1L), ("landed", 1L), ("construction-started", 0L), ("in-production", 0L), ("dropped", 0L)],
            district.Pipeline.Select(s => (s.Stage, s.Count)));
        Assert.All(district.Pipeline, s => Assert.False(s.HasAmountFen)); // the units' pipeline gives counts, not amounts
        var revenue = Assert.Single(district.Indicators);
        Assert.Equal("districts/lingshui/indicators/revenue", revenue.Indicator);
        Assert.Equal($"{Today.Year}", revenue.Period);
        Assert.Equal($"{Today.Year - 1}", revenue.ActualPeriod);
        Assert.Equal((double)Yi(50), revenue.Actual);
        Assert.Equal((double)Yi(100), revenue.Target);
        Assert.Equal(50.0, revenue.CompletionPercent);
        // From 40亿 at the end of the year before last to 100亿 at the end of this year, last year's end is about
        // half way (the line gives ≈ 70亿 there): 50亿 is behind.
        Assert.True(revenue.BehindTarget);
        Assert.Contains(overview.Warnings, w => w.Kind == WarningKind.BehindTarget && w.Subject == revenue.Indicator);
        Assert.Equal(1, overview.Units.Single(u => u.Unit == Longtou.ResourceName).EnterpriseCount);
        // Nobody else has enterprises or projects in this zone: the totals are this test's.
        Assert.Equal(5, overview.Totals.EnterpriseCount);
        Assert.True(overview.Totals.Complete);
        Assert.Equal(1, overview.Totals.Tiers.Single(t => t.Tier == Tier.HighTech).Count);
        Assert.Equal(1, overview.Totals.Pipeline.Single(s => s.Stage == "landed").Count);
        // The branch parks the service lists, each with its figures.
        Assert.Equal(["parks/changxingdao", "parks/ganjingzi", "parks/jinpu", "parks/lvshun", "parks/wafangdian"],
            overview.Units.Where(u => u.Kind == Parks.Gateway.V1.UnitKind.BranchPark).Select(u => u.Unit));
        Assert.All(overview.Units.Where(u => u.Kind == Parks.Gateway.V1.UnitKind.BranchPark), u => Assert.Equal(0, u.EnterpriseCount));

        Assert.Equal((1L, 1L, 0L), (overview.Talent.TalentCount, overview.Talent.OpenServiceRequests, overview.Talent.OverdueServiceRequests));
        Assert.Equal((1L, 200_000_000L), (overview.Finance.InnovationPointsLoanCount, overview.Finance.InnovationPointsLoanFen));
        Assert.Equal((1L, paid.AmountFen, (long)stillPending.Count), (overview.Finance.PayoutsPaidCount, overview.Finance.PayoutsPaidFen, overview.Finance.PayoutsPendingCount));
        Assert.Equal(20_000_000, paid.AmountFen); // 002:163: 首次认定 20万元

        await CheckScienceCityAsync(zone, overview);
        await CheckDashboardAsync(zone);

        // Longtou stops: its section keeps its last good figures, marked degraded with their time; the rest stay current.
        await zone.StopAsync("district-longtou");
        var during = await PollAsync(client, zone.Gateway, o => o.Units.Single(u => u.Unit == Longtou.ResourceName).Status.Freshness == Freshness.Degraded);
        var longtou = during.Units.Single(u => u.Unit == Longtou.ResourceName);
        Assert.Equal(1, longtou.EnterpriseCount);
        Assert.NotNull(longtou.Status.AsOf);
        Assert.StartsWith("UNAVAILABLE", longtou.Status.Error, StringComparison.Ordinal);
        Assert.All(during.Units.Where(u => u.Unit != Longtou.ResourceName), u => Assert.Equal(Freshness.Current, u.Status.Freshness));
        Assert.Equal(4, during.Units.Single(u => u.Unit == Lingshui.ResourceName).EnterpriseCount);
        Assert.False(during.Totals.Complete);
        Assert.Equal(4, during.Totals.EnterpriseCount); // current units only
        Assert.Contains(during.Warnings, w => w.Kind == WarningKind.Degraded && w.Subject == Longtou.ResourceName);

        var errors = zone.Errors.Entries.Concat(zone.Gateway.Errors.Entries).ToArray();
        Assert.True(errors.Length == 0, string.Join("\n", errors));
    }

    private static async Task<Enterprise> RegisterAsync(EnterpriseService.EnterpriseServiceClient client, UnitRef unit, CallOptions caller) =>
        (await client.CreateEnterpriseAsync(new CreateEnterpriseRequest
        {
            Parent = unit.ResourceName,
            Enterprise = new Enterprise { Uscc = NewUscc(), DisplayName = "总览测试科技有限公司", Industry = "software-it", RegistrationDate = D(new DateOnly(2017, 6, 1)) },
        }, caller)).Enterprise;

    private static Task<CertifyEnterpriseTierResponse> CertifyAsync(EnterpriseService.EnterpriseServiceClient client, string enterprise, Tier tier, DateOnly from, CallOptions caller) =>
        client.CertifyEnterpriseTierAsync(new CertifyEnterpriseTierRequest
        {
            Parent = enterprise, Tier = tier, Authority = "大连市科学技术局", AuthorityLevel = AuthorityLevel.Municipal, ValidFrom = D(from),
        }, caller).ResponseAsync;

    /// <summary>Evaluates last year's innovation points with every input of the current model at its cap (deductions at zero).</summary>
    private static async Task EvaluatePointsAsync(RpcChannel channel, string enterprise, CallOptions caller)
    {
        var points = new InnovationPointsService.InnovationPointsServiceClient(channel);
        var model = (await points.GetInnovationPointsModelAsync(new GetInnovationPointsModelRequest { Name = "innovationPointsModels/current" }, caller)).Model;
        var request = new EvaluateInnovationPointsRequest { Parent = enterprise, Year = Today.Year - 1 };
        foreach (var dimension in model.Dimensions)
            foreach (var input in dimension.Inputs) request.Inputs[input.Id] = dimension.Deducts ? 0 : 1_000_000_000;
        var evaluation = (await points.EvaluateInnovationPointsAsync(request, caller)).Evaluation;
        Assert.True(evaluation.TotalCentipoints >= 6_000, $"the evaluation reaches the loan's 60 points (it gave {evaluation.TotalCentipoints / 100.0})");
    }

    /// <summary>The Science City's figures are its lists' sizes and its contracts' total, counted here by paging through them.</summary>
    private static async Task CheckScienceCityAsync(RealZone zone, CityOverview overview)
    {
        var channel = zone.Channels["sciencecity"];
        var platforms = new Parks.ScienceCity.V1.PlatformService.PlatformServiceClient(channel);
        var projects = new Parks.ScienceCity.V1.ResearchProjectService.ResearchProjectServiceClient(channel);
        var contracts = new Parks.ScienceCity.V1.TechContractService.TechContractServiceClient(channel);
        long platformCount = 0, projectCount = 0, turnover = 0;
        var token = "";
        do
        {
            var page = await platforms.ListPlatformsAsync(new Parks.ScienceCity.V1.ListPlatformsRequest { PageSize = 50, PageToken = token }, RealZone.Operator);
            platformCount += page.Platforms.Count;
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        do
        {
            var page = await projects.ListResearchProjectsAsync(new Parks.ScienceCity.V1.ListResearchProjectsRequest { PageSize = 50, PageToken = token }, RealZone.Operator);
            projectCount += page.ResearchProjects.Count;
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        do
        {
            var page = await contracts.ListTechContractsAsync(new Parks.ScienceCity.V1.ListTechContractsRequest { PageSize = 50, PageToken = token }, RealZone.Operator);
            turnover += page.TechContracts.Sum(c => c.ValueFen);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        var scienceCity = overview.Units.Single(u => u.Kind == Parks.Gateway.V1.UnitKind.ScienceCity);
        Assert.Equal((platformCount, projectCount, turnover), (scienceCity.PlatformCount, scienceCity.ResearchProjectCount, scienceCity.TechContractTurnoverFen));
    }

    /// <summary>The dashboard in Chromium draws the figures written above: Lingshui's row, the funnel, the indicator, finance.</summary>
    private async Task CheckDashboardAsync(RealZone zone)
    {
        using var playwright = await Playwright.CreateAsync();
        var profile = Directory.CreateTempSubdirectory("parks-chromium-");
        try
        {
            await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(profile.FullName, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
                ViewportSize = new ViewportSize { Width = 1440, Height = 2000 },
            });
            browser.SetDefaultTimeout(30_000);
            var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
            var problems = new List<string>();
            page.PageError += (_, error) => problems.Add("page error: " + error);
            await page.GotoAsync($"{zone.Gateway.HttpAddress}/#key={zone.Gateway.Keys["dashboard"]}");
            await page.WaitForSelectorAsync("body[data-ready='true']");

            var row = page.Locator($"#league tr[data-unit='{Lingshui.ResourceName}']");
            Assert.Equal(["4", "1", "3", "1"], (await row.Locator("td.num").AllInnerTextsAsync()).Select(s => s.Trim()));
            Assert.Equal("1", (await page.Locator("#funnel-counts b[data-stage='landed']").InnerTextAsync()).Trim());
            var revenue = page.Locator("#unit-indicators tr[data-indicator='districts/lingshui/indicators/revenue']");
            Assert.Equal("50%", (await revenue.Locator(".completion").InnerTextAsync()).Trim());
            Assert.Contains("100", await revenue.Locator(".target").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains("200", await page.Locator("#finance").InnerTextAsync(), StringComparison.Ordinal); // 200万元 of innovation-points loans
            var path = Path.Combine(Repo.ArtifactsDir, "dashboard-real-services.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
            output.WriteLine($"screenshot: {path}");
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    private static async Task<CityOverview> PollAsync(CityOverviewService.CityOverviewServiceClient client, GatewayHost gateway, Func<CityOverview, bool> until)
    {
        for (var attempt = 0; ; attempt++)
        {
            var overview = (await client.GetCityOverviewAsync(new GetCityOverviewRequest(), gateway.As("dashboard"))).Overview;
            if (until(overview)) return overview;
            if (attempt > 300) throw new Xunit.Sdk.XunitException("the overview never reached the expected state: " + overview);
            await Task.Delay(50);
        }
    }

    /// <summary>A valid unified social credit code (GB 32100-2015) no other test uses (organisation code "G" + a random number).</summary>
    private static string NewUscc() => UnifiedSocialCreditCode.FromBody($"91210200G{Random.Shared.Next(0, 100_000_000):00000000}").Value;
}
