using Parks.Domain;
using Parks.Finance.V1;
using Parks.Testing;
using Parks.Units.V1;
using Tier = Parks.Common.V1.EnterpriseTier;

namespace Parks.Flows.Tests.Support;

/// <summary>What the unit systems do in the flows, and how the tests wait for what follows from it.</summary>
internal static class Steps
{
    /// <summary>The district's or park's system registers an enterprise in its unit.</summary>
    public static async Task<Enterprise> RegisterAsync(FlowZone zone, UnitRef unit, string uscc, DateOnly registered, string industry = "software-it")
    {
        var client = new EnterpriseService.EnterpriseServiceClient(zone.Front);
        var response = await client.CreateEnterpriseAsync(new CreateEnterpriseRequest
        {
            Parent = unit.ResourceName,
            Enterprise = new Enterprise { Uscc = uscc, DisplayName = $"流程测试科技有限公司 {uscc[^6..]}", Industry = industry, RegistrationDate = FlowData.Date(registered) },
            RequestId = Guid.NewGuid().ToString(),
        }, zone.UnitSystem(unit));
        return response.Enterprise;
    }

    /// <summary>
    /// Certifies the enterprise 高企 from <paramref name="highTechFrom"/>. The ladder is entered at 科技型中小企业 (000:110),
    /// so the enterprise is first certified a tech SME for this year, then 高企 one rung up.
    /// </summary>
    public static async Task<Units.V1.Certification> CertifyHighTechAsync(FlowZone zone, UnitRef unit, string enterprise, DateOnly highTechFrom)
    {
        var client = new EnterpriseService.EnterpriseServiceClient(zone.Front);
        await client.CertifyEnterpriseTierAsync(new CertifyEnterpriseTierRequest
        {
            Parent = enterprise,
            Tier = Tier.TechSme,
            Authority = "大连市科学技术局",
            AuthorityLevel = AuthorityLevel.Municipal,
            Batch = $"大连市{FlowData.Today.Year}年第一批入库科技型中小企业",
            ValidFrom = FlowData.Date(FlowData.Today.AddDays(-30)),
        }, zone.UnitSystem(unit));
        var certified = await client.CertifyEnterpriseTierAsync(new CertifyEnterpriseTierRequest
        {
            Parent = enterprise,
            Tier = Tier.HighTech,
            Authority = "辽宁省高新技术企业认定管理工作领导小组",
            AuthorityLevel = AuthorityLevel.Provincial,
            ValidFrom = FlowData.Date(highTechFrom),
        }, zone.UnitSystem(unit));
        return certified.Certification;
    }

    /// <summary>
    /// Finance's payouts for an enterprise, read as <paramref name="caller"/>; null while finance refuses the caller
    /// (PERMISSION_DENIED) or does not know the enterprise yet (NOT_FOUND).
    /// </summary>
    public static async Task<IReadOnlyList<Payout>?> PayoutsAsync(FlowZone zone, string uscc, CallOptions caller)
    {
        try
        {
            var response = await new PayoutService.PayoutServiceClient(zone.Front)
                .ListPayoutsAsync(new ListPayoutsRequest { SubjectUscc = uscc, PageSize = 100 }, caller);
            return response.Payouts;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.PermissionDenied or StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Waits until finance holds exactly the expected policies' payouts for the enterprise, and returns them.</summary>
    public static async Task<IReadOnlyList<Payout>> WaitForPayoutsAsync(FlowZone zone, string uscc, IReadOnlyCollection<string> policies, CallOptions caller)
    {
        IReadOnlyList<Payout>? payouts = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            payouts = await PayoutsAsync(zone, uscc, caller);
            return payouts is not null && policies.All(p => payouts.Any(x => x.Policy == p));
        }, $"finance to create the payouts {string.Join(", ", policies)} for {uscc}", FlowZone.EffectTimeout, TimeSpan.FromMilliseconds(200));
        return payouts!;
    }

    /// <summary>
    /// Whether a service's projection of enterprise locations lets <paramref name="unit"/>'s system act for the
    /// enterprise: a unit lists enterprise-bound records only with a filter naming one of its own enterprises.
    /// </summary>
    public static async Task<bool> TalentLetsActAsync(FlowZone zone, UnitRef unit, string uscc)
    {
        try
        {
            await new Talent.V1.TalentService.TalentServiceClient(zone.Front)
                .ListTalentsAsync(new Talent.V1.ListTalentsRequest { EmployerUscc = uscc }, zone.UnitSystem(unit));
            return true;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.PermissionDenied or StatusCode.NotFound)
        {
            return false;
        }
    }

    public static async Task<bool> FinanceLetsActAsync(FlowZone zone, UnitRef unit, string uscc) =>
        await PayoutsAsync(zone, uscc, zone.UnitSystem(unit)) is not null;

    /// <summary>Waits for a live-feed item of the event type that mentions <paramref name="mention"/>.</summary>
    public static async Task<FeedEntry> WaitForFeedAsync(FlowZone zone, string eventType, string mention) =>
        await Eventually.ResultAsync(() => Task.FromResult(zone.Feed.Of(eventType, mention).FirstOrDefault()),
            $"the dashboard's live feed to show {eventType} about {mention}", FlowZone.EffectTimeout);
}
