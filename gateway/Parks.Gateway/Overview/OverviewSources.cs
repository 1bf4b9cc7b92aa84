using Microsoft.Extensions.Options;
using Parks.BranchParks.V1;
using Parks.Domain;
using Parks.Finance.V1;
using Parks.Gateway.Domain;
using Parks.Gateway.Proxy;
using Parks.Gateway.V1;
using Parks.Rpc;
using Parks.ScienceCity.V1;
using Parks.Talent.V1;
using Parks.Units.V1;
using GatewayStageCount = Parks.Gateway.V1.StageCount;
using GatewayTierCount = Parks.Gateway.V1.TierCount;
using UnitKind = Parks.Gateway.V1.UnitKind;

namespace Parks.Gateway.Overview;

/// <summary>What one source contributes to the city overview (figures only; the composer adds freshness).</summary>
internal abstract record OverviewPart;

/// <summary>Sections of units: one for a district or the Science City, one per park for the branch-parks service.</summary>
internal sealed record UnitsPart(IReadOnlyList<UnitSection> Units) : OverviewPart;

internal sealed record TalentPart(TalentSection Section) : OverviewPart;

internal sealed record FinancePart(FinanceSection Section) : OverviewPart;

/// <summary>One backend the overview asks for its figures, each fetch with its own deadline (in the options).</summary>
internal interface IOverviewSource
{
    /// <summary>The backend (a key of <c>Parks:Services</c>), also the source's name.</summary>
    string Backend { get; }

    /// <summary>The unit sections this source stands for before it has ever answered (shown UNAVAILABLE, without figures).</summary>
    IReadOnlyList<UnitSection> Placeholders { get; }

    Task<OverviewPart> FetchAsync(Backend backend, CallOptions options);
}

/// <summary>Names of the units the overview always shows (the zone's layout, 000:152, 001:59, 001:61).</summary>
internal static class UnitCatalog
{
    public static UnitSection ScienceCity() => new()
    {
        Unit = UnitRef.ScienceCity.ResourceName,
        Kind = UnitKind.ScienceCity,
        DisplayNameZh = "英歌石科学城",
        DisplayNameEn = "Yinggeshi Science City",
    };

    public static UnitSection District(DistrictInfo district) => new()
    {
        Unit = UnitRef.District(district.Id).ResourceName,
        Kind = UnitKind.District,
        DisplayNameZh = district.NameZh,
        DisplayNameEn = district.NameEn,
    };

    /// <summary>The five branch parks the documents name (000:152, 001:61); the branch-parks service may list more.</summary>
    public static IReadOnlyList<UnitSection> SeedParks() =>
    [
        Park("changxingdao", "长兴岛分园", "Changxing Island Branch Park"),
        Park("jinpu", "金普分园", "Jinpu Branch Park"),
        Park("ganjingzi", "甘井子分园", "Ganjingzi Branch Park"),
        Park("lvshun", "旅顺分园", "Lüshun Branch Park"),
        Park("wafangdian", "瓦房店分园", "Wafangdian Branch Park"),
    ];

    public static UnitSection Park(string id, string nameZh, string nameEn) => new()
    {
        Unit = UnitRef.Park(id).ResourceName,
        Kind = UnitKind.BranchPark,
        DisplayNameZh = nameZh,
        DisplayNameEn = nameEn,
    };
}

/// <summary>
/// Reads a district's or branch park's figures from the units' services (parks.units.v1), all calls of one fetch in
/// parallel under the fetch's deadline: enterprises and the tier ladder (GetTierCounts), the project funnel
/// (GetPipelineCounts), and indicators against targets (IndicatorService definitions, targets and actuals).
/// </summary>
internal sealed class UnitFigures(IOptions<GatewayOptions> options, TimeProvider time)
{
    /// <summary>Days are the zone's (UTC+8): a period ends at the zone's midnight.</summary>
    private static readonly TimeSpan ZoneOffset = TimeSpan.FromHours(8);

    private const int PageSize = 1000;

    public bool IncludesDemoData => options.Value.Overview.IncludeDemoData;

    private DataSet DataSet => IncludesDemoData ? DataSet.Unspecified : DataSet.Real;

    public async Task<UnitSection> ReadAsync(RpcChannel channel, UnitSection section, CallOptions call)
    {
        var unit = section.Unit;
        var tiers = new EnterpriseService.EnterpriseServiceClient(channel).GetTierCountsAsync(new GetTierCountsRequest { Parent = unit, DataSet = DataSet }, call).ResponseAsync;
        var pipeline = new InvestmentProjectService.InvestmentProjectServiceClient(channel).GetPipelineCountsAsync(new GetPipelineCountsRequest { Parent = unit, DataSet = DataSet }, call).ResponseAsync;
        var indicators = ReadIndicatorsAsync(channel, unit, call);
        await Task.WhenAll(tiers, pipeline, indicators);

        var figures = section.Clone();
        figures.EnterpriseCount = tiers.Result.EnterpriseCount;
        figures.Tiers.AddRange(tiers.Result.Tiers.Select(t => new GatewayTierCount { Tier = t.Tier, Count = t.Count }));
        figures.Pipeline.AddRange(pipeline.Result.Stages.Select(s => new GatewayStageCount { Stage = StageId(s.Stage), Count = s.Count }));
        figures.Indicators.AddRange(indicators.Result);
        return figures;
    }

    /// <summary>The stage ids of the units' funnel (意向 → 签约 → 落地 → 开工 → 投产, or dropped).</summary>
    public static string StageId(ProjectStage stage) => stage switch
    {
        ProjectStage.Lead => "lead",
        ProjectStage.Signed => "signed",
        ProjectStage.Landed => "landed",
        ProjectStage.ConstructionStarted => "construction-started",
        ProjectStage.InProduction => "in-production",
        ProjectStage.Dropped => "dropped",
        _ => stage.ToString(),
    };

    private async Task<IReadOnlyList<IndicatorProgress>> ReadIndicatorsAsync(RpcChannel channel, string unit, CallOptions call)
    {
        var client = new IndicatorService.IndicatorServiceClient(channel);
        var definitions = ListDefinitionsAsync(client, unit, call);
        var targets = ListObservationsAsync(client, unit, ObservationKind.Target, call);
        var actuals = ListObservationsAsync(client, unit, ObservationKind.Actual, call);
        await Task.WhenAll(definitions, targets, actuals);

        var today = DateOnly.FromDateTime(time.GetUtcNow().ToOffset(ZoneOffset).DateTime);
        var standings = IndicatorProgressRules.Compute(
            definitions.Result.Select(d => new IndicatorInfo(d.Id, d.NameZh, d.NameEn, d.UnitOfMeasure, d.Scope)),
            targets.Result.Select(ValueOf), actuals.Result.Select(ValueOf), today);
        return [.. standings.Select(s => ToProto(unit, s))];
    }

    private static IndicatorProgress ToProto(string unit, IndicatorStanding s)
    {
        var progress = new IndicatorProgress
        {
            Indicator = $"{unit}/indicators/{s.Info.Id}",
            NameZh = s.Info.NameZh,
            NameEn = s.Info.NameEn,
            Period = s.TargetPeriod,
            UnitOfMeasure = s.Info.UnitOfMeasure,
            Target = s.Target,
            BehindTarget = s.BehindTarget,
            Breakdown = s.Breakdown,
            Scope = s.Info.Scope,
        };
        // Absent when the unit reported no actual of the target's period length: never shown as zero.
        if (s.Actual is { } actual) progress.Actual = actual;
        if (s.ActualPeriod is { } period) progress.ActualPeriod = period;
        if (s.CompletionPercent is { } completion) progress.CompletionPercent = completion;
        return progress;
    }

    private static IndicatorValue ValueOf(Observation o) =>
        new(o.Indicator, o.Breakdown, o.Period, o.ValueCase == Observation.ValueOneofCase.AmountFen ? o.AmountFen : o.Quantity);

    private static async Task<List<IndicatorDefinition>> ListDefinitionsAsync(IndicatorService.IndicatorServiceClient client, string unit, CallOptions call)
    {
        var all = new List<IndicatorDefinition>();
        var token = "";
        do
        {
            var page = await client.ListIndicatorDefinitionsAsync(new ListIndicatorDefinitionsRequest { Parent = unit, PageSize = PageSize, PageToken = token }, call);
            all.AddRange(page.Definitions);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return all;
    }

    private async Task<List<Observation>> ListObservationsAsync(IndicatorService.IndicatorServiceClient client, string unit, ObservationKind kind, CallOptions call)
    {
        var all = new List<Observation>();
        var token = "";
        do
        {
            var page = await client.ListObservationsAsync(new ListObservationsRequest { Parent = unit, Kind = kind, PageSize = PageSize, PageToken = token, DataSet = DataSet }, call);
            all.AddRange(page.Observations);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return all;
    }
}

/// <summary>One district instance (<c>Parks:Services:district-{id}</c>): its own section with its figures.</summary>
internal sealed class DistrictSource(DistrictInfo district, UnitFigures figures) : IOverviewSource
{
    private readonly UnitSection _section = UnitCatalog.District(district);

    public string Backend { get; } = "district-" + district.Id;

    public IReadOnlyList<UnitSection> Placeholders => [_section];

    public async Task<OverviewPart> FetchAsync(Backend backend, CallOptions options) =>
        new UnitsPart([await figures.ReadAsync(backend.Channel, _section, options)]);
}

/// <summary>
/// The branch-parks service: one section per park it lists (ListBranchParks, so parks an operator added appear), each
/// with its figures. A park of the documents the service does not list keeps its section, without figures.
/// </summary>
internal sealed class BranchParksSource(UnitFigures figures) : IOverviewSource
{
    public string Backend => "branchparks";

    public IReadOnlyList<UnitSection> Placeholders { get; } = UnitCatalog.SeedParks();

    public async Task<OverviewPart> FetchAsync(Backend backend, CallOptions options)
    {
        var client = new BranchParkService.BranchParkServiceClient(backend.Channel);
        var parks = new List<BranchPark>();
        var token = "";
        do
        {
            var page = await client.ListBranchParksAsync(new ListBranchParksRequest { PageSize = 100, PageToken = token }, options);
            parks.AddRange(page.BranchParks);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        var listed = await Task.WhenAll(parks.Select(p => figures.ReadAsync(backend.Channel, new UnitSection
        {
            Unit = p.Name,
            Kind = UnitKind.BranchPark,
            DisplayNameZh = p.NameZh,
            DisplayNameEn = string.IsNullOrEmpty(p.NameEn) ? p.NameZh : p.NameEn,
        }, options)));
        var names = listed.Select(s => s.Unit).ToHashSet(StringComparer.Ordinal);
        return new UnitsPart([.. Placeholders.Where(p => !names.Contains(p.Unit)).Concat(listed).OrderBy(s => s.Unit, StringComparer.Ordinal)]);
    }
}

/// <summary>The Science City: platforms, research projects (their lists' total_size) and the technology-contract turnover.</summary>
internal sealed class ScienceCitySource : IOverviewSource
{
    private readonly UnitSection _section = UnitCatalog.ScienceCity();

    public string Backend => "sciencecity";

    public IReadOnlyList<UnitSection> Placeholders => [_section];

    public async Task<OverviewPart> FetchAsync(Backend backend, CallOptions options)
    {
        var platforms = new PlatformService.PlatformServiceClient(backend.Channel).ListPlatformsAsync(new ListPlatformsRequest { PageSize = 1 }, options).ResponseAsync;
        var projects = new ResearchProjectService.ResearchProjectServiceClient(backend.Channel).ListResearchProjectsAsync(new ListResearchProjectsRequest { PageSize = 1 }, options).ResponseAsync;
        var turnover = new TechContractService.TechContractServiceClient(backend.Channel).GetTechContractTurnoverAsync(new GetTechContractTurnoverRequest(), options).ResponseAsync;
        await Task.WhenAll(platforms, projects, turnover);
        var section = _section.Clone();
        section.PlatformCount = platforms.Result.TotalSize;
        section.ResearchProjectCount = projects.Result.TotalSize;
        section.TechContractTurnoverFen = turnover.Result.TotalFen;
        return new UnitsPart([section]);
    }
}

/// <summary>Talent: talents registered (GetTalentStatistics) and open and overdue service requests (GetServiceRequestStatistics).</summary>
internal sealed class TalentSource : IOverviewSource
{
    public string Backend => "talent";

    public IReadOnlyList<UnitSection> Placeholders => [];

    public async Task<OverviewPart> FetchAsync(Backend backend, CallOptions options)
    {
        var talents = new TalentService.TalentServiceClient(backend.Channel).GetTalentStatisticsAsync(new GetTalentStatisticsRequest(), options).ResponseAsync;
        var requests = new ServiceRequestService.ServiceRequestServiceClient(backend.Channel).GetServiceRequestStatisticsAsync(new GetServiceRequestStatisticsRequest(), options).ResponseAsync;
        await Task.WhenAll(talents, requests);
        return new TalentPart(new TalentSection
        {
            TalentCount = talents.Result.TalentCount,
            OpenServiceRequests = requests.Result.OpenCount,
            OverdueServiceRequests = requests.Result.OverdueCount,
        });
    }
}

/// <summary>Finance: innovation-points loans granted (创新积分贷, GetLoanStatistics) and payouts paid and pending (GetPayoutStatistics).</summary>
internal sealed class FinanceSource : IOverviewSource
{
    /// <summary>The 创新积分贷 product of the finance catalogue (loan-products.json, 000:57).</summary>
    public const string InnovationPointsLoan = "loanProducts/innovation-points-loan";

    public string Backend => "finance";

    public IReadOnlyList<UnitSection> Placeholders => [];

    public async Task<OverviewPart> FetchAsync(Backend backend, CallOptions options)
    {
        var loans = new LoanService.LoanServiceClient(backend.Channel).GetLoanStatisticsAsync(new GetLoanStatisticsRequest(), options).ResponseAsync;
        var payouts = new PayoutService.PayoutServiceClient(backend.Channel).GetPayoutStatisticsAsync(new GetPayoutStatisticsRequest(), options).ResponseAsync;
        await Task.WhenAll(loans, payouts);
        var section = new FinanceSection
        {
            PayoutsPaidCount = payouts.Result.PaidCount,
            PayoutsPaidFen = payouts.Result.PaidFen,
            PayoutsPendingCount = payouts.Result.PendingCount,
        };
        // A catalogue without the product gives no loan figures (absent, not zero).
        if (loans.Result.Products.FirstOrDefault(p => p.Product == InnovationPointsLoan) is { } points)
        {
            section.InnovationPointsLoanCount = points.GrantedCount;
            section.InnovationPointsLoanFen = points.CreditLineFen;
        }
        return new FinancePart(section);
    }
}
