using Parks.Domain;
using Parks.Finance.Domain;
using Parks.Hosting.State;
using Parks.Storage;

namespace Parks.Finance.Storage;

/// <summary>
/// The finance service's projection of enterprises (location, tiers, innovation points), built from integration
/// events; eligibility and the access rule are checked against it.
/// </summary>
internal sealed class EnterpriseProfiles(IStateStore store)
{
    public async Task<Versioned<EnterpriseProfile>?> FindAsync(string uscc, CancellationToken ct) =>
        await store.ReadAsync<EnterpriseProfile>(FinanceKeys.Enterprise(uscc), ct);

    /// <summary>The profile if <paramref name="caller"/> may act for the enterprise: NOT_FOUND / PERMISSION_DENIED otherwise.</summary>
    public async Task<Versioned<EnterpriseProfile>> AuthorizeAsync(Caller caller, string uscc, string field, CancellationToken ct)
    {
        UnifiedSocialCreditCode.Parse(uscc, field);
        var profile = await FindAsync(uscc, ct);
        EnterpriseAccess.Authorize(caller, uscc, profile?.Value);
        return profile!;
    }

    /// <summary>Applies a change to the profile (created when unknown) into <paramref name="tx"/>; returns the profile after it.</summary>
    public async Task<EnterpriseProfile> StageAsync(StateTransaction tx, string uscc, Func<EnterpriseProfile, EnterpriseProfile> change, CancellationToken ct)
    {
        var current = await FindAsync(uscc, ct);
        var next = change(current?.Value ?? EnterpriseProfile.Empty(uscc));
        if (current is null || !Same(current.Value, next)) tx.PutJson(FinanceKeys.Enterprise(uscc), next, current?.Version ?? 0);
        return next;
    }

    private static bool Same(EnterpriseProfile a, EnterpriseProfile b) =>
        StateJson.Serialize(a).AsSpan().SequenceEqual(StateJson.Serialize(b));
}
