using Parks.Domain;
using Parks.Events.V1;
using Parks.Hosting.Events;
using Parks.ScienceCity.Storage;

namespace Parks.ScienceCity.Events;

/// <summary>
/// The landing unit's answer to an industrialisation hand-off: accepted (with the landed project) or declined.
/// Referrals that are not about a Science City research project are none of this service's business.
/// </summary>
internal sealed class ReferralResolvedHandler(ResearchProjectStore projects) : IEventHandler<ReferralResolved>
{
    public Task HandleAsync(EventContext<ReferralResolved> context, CancellationToken cancellationToken)
    {
        var e = context.Event;
        if (string.IsNullOrEmpty(e.ResearchProject) || !UnitRef.TryParse(e.ToUnit, out var landingUnit)) return Task.CompletedTask;
        return projects.StageReferralResolutionAsync(context.Transaction, e.ResearchProject, landingUnit, e.Accepted,
            e.Referral, string.IsNullOrEmpty(e.Project) ? null : e.Project, e.Reason, cancellationToken);
    }
}
