using System.Text.Json;
using Parks.Domain;
using Parks.Finance.V1;
using Parks.Flows.Tests.Support;
using Parks.Gateway.V1;
using Parks.Hosting.State;
using Parks.Testing;
using Parks.Units.V1;

namespace Parks.Flows.Tests;

/// <summary>
/// Enterprise facts recorded by a district or branch park reach finance (免申即享 payouts, its projection of where
/// enterprises are), talent (employer locations) and the dashboard, through the outbox, the Dapr sidecars and the inbox.
/// </summary>
[Collection(FlowZone.Collection)]
public sealed class EnterpriseFlowTests(FlowZone zone)
{
    private static readonly UnitRef Lingshui = UnitRef.District("lingshui");
    private static readonly UnitRef Longtou = UnitRef.District("longtou");
    private static readonly UnitRef Jinpu = UnitRef.Park("jinpu");

    [Fact]
    public async Task An_enterprise_certified_high_tech_in_a_district_gets_its_automatic_payouts_and_shows_on_the_dashboard()
    {
        var uscc = FlowData.NewUscc();
        var registered = new DateOnly(2022, 3, 15);
        var highTechFrom = new DateOnly(2022, 11, 1);
        var expected = DocumentRules.FirstHighTechCertification(registered, highTechFrom);
        Assert.Equal(3, expected.Count); // the dates are chosen so that every rule applies

        var enterprise = await Steps.RegisterAsync(zone, Lingshui, uscc, registered);
        await Steps.CertifyHighTechAsync(zone, Lingshui, enterprise.Name, highTechFrom);

        // Finance: the 免申即享 payouts, found by the district's own system (finance knows the enterprise is lingshui's).
        var payouts = await Steps.WaitForPayoutsAsync(zone, uscc, [.. expected.Keys], zone.UnitSystem(Lingshui));
        Assert.Equal(expected.OrderBy(e => e.Key), payouts.Select(p => KeyValuePair.Create(p.Policy, p.AmountFen)).OrderBy(e => e.Key));
        var finance = new PayoutService.PayoutServiceClient(zone.Front);
        foreach (var payout in payouts)
        {
            Assert.Equal(PayoutMode.Automatic, payout.Mode);
            Assert.Equal(PayoutStatus.Approved, payout.Status);
            Assert.Equal(Lingshui.ResourceName, payout.SubjectUnit);
            Assert.True((await finance.VerifyPayoutComputationAsync(new VerifyPayoutComputationRequest { Name = payout.Name }, zone.Operator)).Matches,
                $"{payout.Name} does not recompute to the same amount");
        }
        Assert.False(await Steps.FinanceLetsActAsync(zone, Longtou, uscc), "finance let another district act for lingshui's enterprise");

        // Talent: the employer's location.
        await Eventually.WaitUntilAsync(() => Steps.TalentLetsActAsync(zone, Lingshui, uscc), "talent to place the employer in lingshui", FlowZone.EffectTimeout);
        Assert.False(await Steps.TalentLetsActAsync(zone, Longtou, uscc), "talent let another district act for lingshui's enterprise");

        // The dashboard: the live feed shows the registration and the certification; the overview reads lingshui.
        await Steps.WaitForFeedAsync(zone, "parks.events.v1.EnterpriseRegistered", enterprise.DisplayName);
        var certified = await Steps.WaitForFeedAsync(zone, "parks.events.v1.EnterpriseTierCertified", $"{uscc} 认定为高新技术企业");
        Assert.Equal(Lingshui.ResourceName, certified.Unit);
        var overview = await GatewayCalls.OverviewAsync(zone);
        Assert.Equal(Freshness.Current, overview.Units.Single(u => u.Unit == Lingshui.ResourceName).Status.Freshness);
        zone.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task An_enterprise_relocated_from_a_district_to_a_branch_park_is_held_by_the_park_and_finance_and_talent_follow()
    {
        var uscc = FlowData.NewUscc();
        var enterprise = await Steps.RegisterAsync(zone, Longtou, uscc, new DateOnly(2016, 5, 10), "intelligent-manufacturing");
        await Eventually.WaitUntilAsync(async () => await Steps.FinanceLetsActAsync(zone, Longtou, uscc) && await Steps.TalentLetsActAsync(zone, Longtou, uscc),
            "finance and talent to place the enterprise in longtou", FlowZone.EffectTimeout);

        var enterprises = new EnterpriseService.EnterpriseServiceClient(zone.Front);
        await enterprises.RelocateEnterpriseAsync(new RelocateEnterpriseRequest
        {
            Name = enterprise.Name,
            TargetUnit = Jinpu.ResourceName,
            RelocationDate = FlowData.Date(FlowData.Today),
            Reason = "扩产迁入金普分园",
        }, zone.UnitSystem(Longtou));

        // The park holds it, with the move in its history.
        var parks = new EnterpriseService.EnterpriseServiceClient(zone.Front);
        var moved = await Eventually.ResultAsync(async () =>
        {
            try { return (await parks.GetEnterpriseAsync(new GetEnterpriseRequest { Name = $"{Jinpu.ResourceName}/enterprises/{uscc}" }, zone.UnitSystem(Jinpu))).Enterprise; }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { return null; }
        }, "jinpu to take the enterprise over", FlowZone.EffectTimeout);
        Assert.Equal(enterprise.DisplayName, moved.DisplayName);
        var move = Assert.Single(moved.Locations);
        Assert.Equal((Longtou.ResourceName, Jinpu.ResourceName), (move.FromUnit, move.ToUnit));

        // The district no longer answers for it, and keeps it as history (its "departed" record: no RPC reads it yet).
        var gone = await Assert.ThrowsAsync<RpcException>(() => enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name }, zone.UnitSystem(Longtou)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        using (var store = new RedisStateStore(zone.RedisConnectionString, TimeSpan.FromSeconds(10)))
        {
            var departed = await store.GetAsync(StateKeys.For("district", "longtou", "departed", uscc));
            Assert.NotNull(departed);
            using var history = JsonDocument.Parse(departed.Value);
            Assert.Contains(uscc, history.RootElement.GetRawText(), StringComparison.Ordinal);
            Assert.Contains(Jinpu.ResourceName, history.RootElement.GetRawText(), StringComparison.Ordinal);
        }

        // Finance and talent now let the park act for it, and no longer the district.
        await Eventually.WaitUntilAsync(async () => await Steps.FinanceLetsActAsync(zone, Jinpu, uscc) && await Steps.TalentLetsActAsync(zone, Jinpu, uscc),
            "finance and talent to place the enterprise in jinpu", FlowZone.EffectTimeout);
        Assert.False(await Steps.FinanceLetsActAsync(zone, Longtou, uscc), "finance still lets longtou act for an enterprise that left");
        Assert.False(await Steps.TalentLetsActAsync(zone, Longtou, uscc), "talent still lets longtou act for an enterprise that left");

        var relocated = await Steps.WaitForFeedAsync(zone, "parks.events.v1.EnterpriseRelocated", enterprise.DisplayName);
        Assert.Equal(Jinpu.ResourceName, relocated.Unit);
        zone.AssertNoErrorsLogged();
    }
}
