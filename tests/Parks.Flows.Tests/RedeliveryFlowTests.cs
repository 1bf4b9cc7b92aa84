using Parks.DaprSidecarDouble;
using Parks.Domain;
using Parks.Flows.Tests.Support;
using Parks.Testing;

namespace Parks.Flows.Tests;

/// <summary>At-least-once delivery in a real flow: an event finance already applied comes again, and nothing is paid twice.</summary>
[Collection(FlowZone.Collection)]
public sealed class RedeliveryFlowTests(FlowZone zone)
{
    private static readonly UnitRef Longtou = UnitRef.District("longtou");

    [Fact]
    public async Task A_certification_redelivered_to_finance_after_it_was_applied_leaves_one_payout()
    {
        var uscc = FlowData.NewUscc();
        var registered = new DateOnly(2015, 9, 1);
        var certifiedFrom = new DateOnly(2019, 10, 15);
        var expected = DocumentRules.FirstHighTechCertification(registered, certifiedFrom);
        var enterprise = await Steps.RegisterAsync(zone, Longtou, uscc, registered);
        var sidecar = zone.Finance.Sidecar;
        const string topic = "parks.events.v1.EnterpriseTierCertified";

        // Finance's sidecar loses its acknowledgements: every event finance applies is delivered to it again.
        sidecar.LoseAcknowledgements = true;
        string trigger;
        try
        {
            await Steps.CertifyHighTechAsync(zone, Longtou, enterprise.Name, certifiedFrom);
            var payout = Assert.Single(await Steps.WaitForPayoutsAsync(zone, uscc, [.. expected.Keys], zone.UnitSystem(Longtou)));
            // The payout names the event that created it: "EnterpriseTierCertified {event id}".
            trigger = payout.Trigger.Split(' ')[^1];
            await Eventually.WaitUntilAsync(() => Successes(sidecar, topic, trigger) >= 2,
                "the applied certification to be delivered to finance again", FlowZone.EffectTimeout);
        }
        finally
        {
            sidecar.LoseAcknowledgements = false;
        }

        // Once an acknowledgement is kept the redeliveries stop; every copy was answered SUCCESS and one payout stands.
        var delivered = 0;
        await Eventually.WaitUntilAsync(async () =>
        {
            var before = Successes(sidecar, topic, trigger);
            await Task.Delay(TimeSpan.FromSeconds(7)); // longer than the sidecar's processing timeout and redelivery interval
            delivered = Successes(sidecar, topic, trigger);
            return delivered == before;
        }, "the redeliveries to stop", FlowZone.EffectTimeout);
        Assert.True(delivered >= 2);
        Assert.DoesNotContain(sidecar.Deliveries, d => d.EventId == trigger && d.Outcome != DeliveryOutcome.Success);
        var payouts = await Steps.PayoutsAsync(zone, uscc, zone.Operator);
        Assert.NotNull(payouts);
        var only = Assert.Single(payouts);
        Assert.Equal(expected.Single().Key, only.Policy);
        Assert.Equal(expected.Single().Value, only.AmountFen);
        zone.AssertNoErrorsLogged();
    }

    private static int Successes(SidecarDouble sidecar, string topic, string eventId) =>
        sidecar.Deliveries.Count(d => d.Topic == topic && d.EventId == eventId && d.Outcome == DeliveryOutcome.Success);
}
