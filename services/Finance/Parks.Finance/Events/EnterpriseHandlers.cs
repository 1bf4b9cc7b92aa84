using Parks.Domain;
using Parks.Events.V1;
using Parks.Finance.Domain;
using Parks.Finance.Domain.Policies;
using Parks.Finance.Storage;
using Parks.Hosting.Events;

namespace Parks.Finance.Events;

/// <summary>Converts parks.events.v1 payloads into the finance service's projection and facts.</summary>
internal static class EventFacts
{
    public static DateOnly? ToDate(this Google.Type.Date? d) =>
        d is null || d.Year == 0 ? null : DateOnly.TryParse($"{d.Year:D4}-{d.Month:D2}-{d.Day:D2}", System.Globalization.CultureInfo.InvariantCulture, out var x) ? x : null;

    public static EnterpriseTier? ToTier(this Parks.Common.V1.EnterpriseTier tier) =>
        tier == Parks.Common.V1.EnterpriseTier.Unspecified || !Enum.IsDefined((EnterpriseTier)(int)tier) ? null : (EnterpriseTier)(int)tier;

    public static bool ValidUscc(string uscc) => UnifiedSocialCreditCode.TryParse(uscc, out _, out _);

    /// <summary>Every certification of the profile still standing, as facts (to re-evaluate when the profile learns more).</summary>
    public static IEnumerable<TierCertifiedFact> Facts(EnterpriseProfile profile, string eventId) =>
        profile.Unit is not { } unit
            ? []
            : profile.Certifications.Where(c => c.DisqualificationReason is null)
                .Select(c => new TierCertifiedFact(profile.Uscc, unit, c.Tier, c.Certification, c.ValidFrom, c.Renewal, eventId));
}

/// <summary>
/// Records the registration (location, registration date) and re-evaluates the 免申即享 policies that depend on the
/// registration date for certifications that arrived before it. Claims make the re-evaluation pay nothing twice.
/// </summary>
internal sealed class EnterpriseRegisteredHandler(EnterpriseProfiles profiles, PayoutStore payouts) : IEventHandler<EnterpriseRegistered>
{
    public async Task HandleAsync(EventContext<EnterpriseRegistered> context, CancellationToken cancellationToken)
    {
        var e = context.Event;
        if (!EventFacts.ValidUscc(e.Uscc) || !UnitRef.TryParse(e.Unit, out var unit)) return;
        var profile = await profiles.StageAsync(context.Transaction, e.Uscc, p => p.ApplyRegistered(unit, e.DisplayName, e.Industry, e.RegistrationDate.ToDate()), cancellationToken);
        if (profile.RegistrationDate is not null && profile.Certifications.Count > 0)
        {
            await payouts.StageForCertificationsAsync(context.Transaction, EventFacts.Facts(profile, context.Envelope.Id), profile, cancellationToken);
        }
    }
}

internal sealed class EnterpriseRelocatedHandler(EnterpriseProfiles profiles) : IEventHandler<EnterpriseRelocated>
{
    public async Task HandleAsync(EventContext<EnterpriseRelocated> context, CancellationToken cancellationToken)
    {
        var e = context.Event;
        if (!EventFacts.ValidUscc(e.Uscc) || !UnitRef.TryParse(e.FromUnit, out var from) || !UnitRef.TryParse(e.ToUnit, out var to)) return;
        await profiles.StageAsync(context.Transaction, e.Uscc, p => p.ApplyRelocated(from, to, e.DisplayName, e.Industry), cancellationToken);
    }
}

/// <summary>免申即享: a tier certification creates, in the same commit, every payout it makes the enterprise eligible for.</summary>
internal sealed partial class EnterpriseTierCertifiedHandler(EnterpriseProfiles profiles, PayoutStore payouts, ILogger<EnterpriseTierCertifiedHandler> logger)
    : IEventHandler<EnterpriseTierCertified>
{
    public async Task HandleAsync(EventContext<EnterpriseTierCertified> context, CancellationToken cancellationToken)
    {
        var e = context.Event;
        if (!EventFacts.ValidUscc(e.Uscc) || !UnitRef.TryParse(e.Unit, out var unit) || e.Tier.ToTier() is not { } tier) return;
        var validFrom = e.ValidFrom.ToDate() ?? DateOnly.FromDateTime(context.Envelope.Time.UtcDateTime);
        var certification = new TierCertification(tier, e.Certification, validFrom, e.ValidTo.ToDate(), e.Renewal, null);
        var profile = await profiles.StageAsync(context.Transaction, e.Uscc, p => p.ApplyTierCertified(unit, certification), cancellationToken);
        var fact = new TierCertifiedFact(e.Uscc, profile.Unit ?? unit, tier, e.Certification, validFrom, e.Renewal, context.Envelope.Id);
        foreach (var outcome in await payouts.StageForCertificationAsync(context.Transaction, fact, profile, cancellationToken))
        {
            if (outcome.SkippedReason is { } reason) LogSkipped(outcome.Policy, e.Uscc, reason);
            else LogPayout(outcome.Policy, e.Uscc, outcome.Payout!);
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "免申即享: {Policy} for {Uscc} → {Payout}")]
    private partial void LogPayout(string policy, string uscc, string payout);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "免申即享: {Policy} does not pay {Uscc}: {Reason}")]
    private partial void LogSkipped(string policy, string uscc, string reason);
}

internal sealed class EnterpriseTierDisqualifiedHandler(EnterpriseProfiles profiles) : IEventHandler<EnterpriseTierDisqualified>
{
    public async Task HandleAsync(EventContext<EnterpriseTierDisqualified> context, CancellationToken cancellationToken)
    {
        var e = context.Event;
        if (!EventFacts.ValidUscc(e.Uscc) || e.Tier.ToTier() is not { } tier) return;
        await profiles.StageAsync(context.Transaction, e.Uscc, p => p.ApplyTierDisqualified(tier, string.IsNullOrEmpty(e.Certification) ? null : e.Certification, e.Reason), cancellationToken);
    }
}

internal sealed class InnovationPointsEvaluatedHandler(EnterpriseProfiles profiles) : IEventHandler<InnovationPointsEvaluated>
{
    public async Task HandleAsync(EventContext<InnovationPointsEvaluated> context, CancellationToken cancellationToken)
    {
        var e = context.Event;
        if (!EventFacts.ValidUscc(e.Uscc) || e.Year is < 2000 or > 2100) return;
        await profiles.StageAsync(context.Transaction, e.Uscc, p =>
        {
            var located = p.Unit is null && UnitRef.TryParse(e.Unit, out var unit) ? p with { Unit = unit } : p;
            return located.ApplyPointsEvaluated(new PointsEvaluation(e.Year, e.TotalCentipoints, e.ModelVersion));
        }, cancellationToken);
    }
}
