using Parks.Hosting.State;
using Parks.Units.Domain;

namespace Parks.Units.Events;

/// <summary>
/// An integration event this area publishes (the catalogue is protos/parks/events/v1/events.proto). Raised by
/// the operations and appended to the outbox inside the same commit as the state change it describes.
/// </summary>
public abstract record UnitEvent
{
    /// <summary>The event id consumers deduplicate on.</summary>
    public required string Id { get; init; }
    public required DateTimeOffset Time { get; init; }

    public static string NewId() => Guid.CreateVersion7().ToString("N");
}

public sealed record EnterpriseRegisteredEvent(Enterprise Enterprise) : UnitEvent;

/// <summary>The source unit handed the enterprise over; <see cref="Snapshot"/> is the record the target takes over.</summary>
public sealed record EnterpriseRelocatedEvent(string FromUnit, Enterprise Snapshot) : UnitEvent;

public sealed record EnterpriseTierCertifiedEvent(Enterprise Enterprise, Certification Certification, EnterpriseTier PreviousTier) : UnitEvent;

public sealed record EnterpriseTierDisqualifiedEvent(Enterprise Enterprise, Certification Certification) : UnitEvent;

public sealed record InnovationPointsEvaluatedEvent(InnovationPointsEvaluation Evaluation) : UnitEvent;

public sealed record InvestmentProjectStageChangedEvent(InvestmentProject Project, ProjectStage PreviousStage) : UnitEvent;

public sealed record ProjectReferredEvent(Referral Referral) : UnitEvent;

public sealed record ReferralResolvedEvent(Referral Referral) : UnitEvent;

public sealed record IndicatorReportedEvent(Observation Observation) : UnitEvent;

/// <summary>
/// Puts an event into the outbox as part of a transaction, so the event is stored if and only if the state
/// change commits. The host supplies the implementation (the platform's outbox, serialising to
/// parks.events.v1); the relay publishes it afterwards.
/// </summary>
public interface IUnitOutbox
{
    void Append(StateTransaction transaction, UnitEvent unitEvent);
}
