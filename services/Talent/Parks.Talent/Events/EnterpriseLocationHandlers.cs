using Parks.Domain;
using Parks.Events.V1;
using Parks.Hosting.Events;
using Parks.Talent.Storage;

namespace Parks.Talent.Events;

/// <summary>Keeps the enterprise directory (the access rule's basis) in step with registrations.</summary>
internal sealed class EnterpriseRegisteredHandler(EnterpriseDirectory directory) : IEventHandler<EnterpriseRegistered>
{
    public Task HandleAsync(EventContext<EnterpriseRegistered> context, CancellationToken cancellationToken)
    {
        var e = context.Event;
        // A malformed event is not retried into success: it is acknowledged and ignored.
        if (!UnifiedSocialCreditCode.TryParse(e.Uscc, out _, out _) || !UnitRef.TryParse(e.Unit, out var unit)) return Task.CompletedTask;
        return directory.StageRegisteredAsync(context.Transaction, e.Uscc, unit, e.DisplayName, cancellationToken);
    }
}

/// <summary>Moves an enterprise (and so its talents' access) to the unit it relocated to.</summary>
internal sealed class EnterpriseRelocatedHandler(EnterpriseDirectory directory) : IEventHandler<EnterpriseRelocated>
{
    public Task HandleAsync(EventContext<EnterpriseRelocated> context, CancellationToken cancellationToken)
    {
        var e = context.Event;
        if (!UnifiedSocialCreditCode.TryParse(e.Uscc, out _, out _) || !UnitRef.TryParse(e.FromUnit, out var from) || !UnitRef.TryParse(e.ToUnit, out var to))
        {
            return Task.CompletedTask;
        }
        return directory.StageRelocatedAsync(context.Transaction, e.Uscc, from, to, e.DisplayName, cancellationToken);
    }
}
