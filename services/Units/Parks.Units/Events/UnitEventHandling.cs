using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Units.Application;
using Parks.Units.Domain;
using E = Parks.Events.V1;

namespace Parks.Units.Events;

/// <summary>Publishes this area's events through the platform outbox (same transaction as the state change).</summary>
public sealed class ParksUnitOutbox(IEventOutbox outbox, TierRules rules) : IUnitOutbox
{
    public void Append(StateTransaction transaction, UnitEvent unitEvent)
    {
        var (message, subject) = EventMapping.ToMessage(unitEvent, rules);
        outbox.Add(transaction, message, subject);
    }
}

/// <summary>The target side of a relocation: the unit named by the event takes the enterprise over.</summary>
public sealed class EnterpriseRelocatedHandler(EnterpriseOperations enterprises) : IEventHandler<E.EnterpriseRelocated>
{
    public Task HandleAsync(EventContext<E.EnterpriseRelocated> context, CancellationToken cancellationToken) =>
        enterprises.PrepareTakeOverAsync(EventMapping.SnapshotOf(context.Event), context.Transaction, cancellationToken);
}

/// <summary>A Science City research project reached 产业化: its landing unit receives it as a referral (1d.13, 1d.14).</summary>
public sealed class ResearchProjectIndustrializedHandler(ProjectOperations projects) : IEventHandler<E.ResearchProjectIndustrialized>
{
    public Task HandleAsync(EventContext<E.ResearchProjectIndustrialized> context, CancellationToken cancellationToken)
    {
        var e = context.Event;
        return projects.PrepareIndustrializedReferralAsync(
            new IndustrializedResearchProject(context.Envelope.Id, e.ResearchProject, e.DisplayName, e.LandingUnit, e.Industry, e.ExpectedInvestmentFen),
            context.Transaction, cancellationToken);
    }
}
