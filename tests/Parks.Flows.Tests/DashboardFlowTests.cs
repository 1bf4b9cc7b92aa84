using Parks.Domain;
using Parks.Finance.V1;
using Parks.Flows.Tests.Support;
using Parks.Testing;
using Parks.Units.V1;

namespace Parks.Flows.Tests;

/// <summary>Facts of the shared services and the units reach the dashboard's read model (the gateway's live feed).</summary>
[Collection(FlowZone.Collection)]
public sealed class DashboardFlowTests(FlowZone zone)
{
    private static readonly UnitRef Lingshui = UnitRef.District("lingshui");
    private static readonly UnitRef Longtou = UnitRef.District("longtou");

    [Fact]
    public async Task A_paid_automatic_payout_shows_on_the_live_feed_with_its_amount()
    {
        var uscc = FlowData.NewUscc();
        var registered = new DateOnly(2017, 6, 1);
        var certifiedFrom = new DateOnly(2020, 12, 1);
        var expected = DocumentRules.FirstHighTechCertification(registered, certifiedFrom);
        var enterprise = await Steps.RegisterAsync(zone, Lingshui, uscc, registered);
        await Steps.CertifyHighTechAsync(zone, Lingshui, enterprise.Name, certifiedFrom);
        var payout = Assert.Single(await Steps.WaitForPayoutsAsync(zone, uscc, [.. expected.Keys], zone.UnitSystem(Lingshui)));
        Assert.Equal(expected.Single().Value, payout.AmountFen);

        var paid = (await new PayoutService.PayoutServiceClient(zone.Front).PayPayoutAsync(
            new PayPayoutRequest { Name = payout.Name, PaymentReference = TestIds.New("pay"), Etag = payout.Etag }, zone.Operator)).Payout;

        Assert.Equal(PayoutStatus.Paid, paid.Status);
        var item = await Steps.WaitForFeedAsync(zone, "parks.events.v1.PayoutMade", uscc);
        Assert.Equal(Lingshui.ResourceName, item.Unit);
        Assert.Equal($"{uscc} 获政策兑现 {expected.Single().Value / 1_000_000}万元(免申即享)", item.TextZh);
        zone.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task An_indicator_reported_by_a_district_shows_on_the_live_feed()
    {
        var indicators = new IndicatorService.IndicatorServiceClient(zone.Front);
        var period = $"{FlowData.Today.Year - 1}";

        var reported = (await indicators.ReportObservationAsync(new ReportObservationRequest
        {
            Parent = Longtou.ResourceName,
            Observation = new Observation { Indicator = "revenue", Period = period, AmountFen = 4_560_000_000_000, UnitOfMeasure = "fen" },
        }, zone.UnitSystem(Longtou))).Observation;

        Assert.Equal($"{Longtou.ResourceName}/indicators/revenue/observations/actual-{period}", reported.Name);
        var item = await Steps.WaitForFeedAsync(zone, "parks.events.v1.IndicatorReported", $"{Longtou.ResourceName} 报送指标 revenue({period})");
        Assert.Equal(Longtou.ResourceName, item.Unit);
        zone.AssertNoErrorsLogged();
    }
}
