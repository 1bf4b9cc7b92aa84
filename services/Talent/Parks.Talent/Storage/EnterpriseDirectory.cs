using Parks.Domain;
using Parks.Hosting.State;
using Parks.Storage;
using Parks.Talent.Domain;

namespace Parks.Talent.Storage;

/// <summary>
/// The talent service's projection of where enterprises are located (from EnterpriseRegistered and
/// EnterpriseRelocated), and the access rule checked against it.
/// </summary>
internal sealed class EnterpriseDirectory(IStateStore store)
{
    public async Task<EnterpriseLocation?> FindAsync(string uscc, CancellationToken ct) =>
        (await store.ReadAsync<EnterpriseLocation>(TalentKeys.Location(uscc), ct))?.Value;

    /// <summary>The location if <paramref name="caller"/> may act for the enterprise (NOT_FOUND / PERMISSION_DENIED otherwise).</summary>
    public async Task<EnterpriseLocation> AuthorizeAsync(Caller caller, string uscc, CancellationToken ct)
    {
        UnifiedSocialCreditCode.Parse(uscc, "employer_uscc");
        return EnterpriseAccess.Authorize(caller, uscc, await FindAsync(uscc, ct));
    }

    public Task StageRegisteredAsync(StateTransaction tx, string uscc, UnitRef unit, string displayName, CancellationToken ct) =>
        StageAsync(tx, uscc, current => EnterpriseLocation.ApplyRegistered(current, uscc, unit, displayName), ct);

    public Task StageRelocatedAsync(StateTransaction tx, string uscc, UnitRef from, UnitRef to, string displayName, CancellationToken ct) =>
        StageAsync(tx, uscc, current => EnterpriseLocation.ApplyRelocated(current, uscc, from, to, displayName), ct);

    private async Task StageAsync(StateTransaction tx, string uscc, Func<EnterpriseLocation?, EnterpriseLocation> apply, CancellationToken ct)
    {
        var key = TalentKeys.Location(uscc);
        var current = await store.ReadAsync<EnterpriseLocation>(key, ct);
        var next = apply(current?.Value);
        if (current is not null && next == current.Value) return;
        tx.PutJson(key, next, current?.Version ?? 0);
    }
}
