using Parks.Domain;

namespace Parks.Talent.Domain;

/// <summary>
/// Where an employer enterprise is located, as the talent service learned it from EnterpriseRegistered and
/// EnterpriseRelocated. The access rule is checked against this projection, never against what a caller claims.
/// Applying the same event twice, or a stale one, changes nothing.
/// </summary>
internal sealed record EnterpriseLocation(string Uscc, UnitRef Unit, string DisplayName, IReadOnlyList<UnitRef> PreviousUnits)
{
    /// <summary>A registration places an enterprise not yet known; it never moves one a relocation has placed.</summary>
    public static EnterpriseLocation ApplyRegistered(EnterpriseLocation? current, string uscc, UnitRef unit, string displayName) =>
        current ?? new EnterpriseLocation(UnifiedSocialCreditCode.Parse(uscc).Value, unit, displayName, []);

    /// <summary>A relocation applies when the enterprise is where it moves from, or not yet known.</summary>
    public static EnterpriseLocation ApplyRelocated(EnterpriseLocation? current, string uscc, UnitRef from, UnitRef to, string displayName)
    {
        if (current is null) return new EnterpriseLocation(UnifiedSocialCreditCode.Parse(uscc).Value, to, displayName, [from]);
        if (current.Unit == to || current.Unit != from) return current;
        return current with
        {
            Unit = to,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? current.DisplayName : displayName,
            PreviousUnits = current.PreviousUnits.Contains(from) ? current.PreviousUnits : current.PreviousUnits.Append(from).ToList(),
        };
    }
}

/// <summary>
/// Who is calling: a zone-wide operator (the talent office, the gateway's administrators) or the system of one
/// district, branch park or the Science City. The identity comes from the gateway, never from the request body.
/// </summary>
internal readonly record struct Caller(UnitRef? Unit)
{
    public static Caller Zone => new(null);

    public static Caller ForUnit(UnitRef unit) => new(unit);

    public bool IsZone => Unit is null;

    public override string ToString() => Unit?.ResourceName ?? "zone";
}

/// <summary>The shared-services rule: a district system may act only for enterprises (and their talents) located in its own unit.</summary>
internal static class EnterpriseAccess
{
    /// <summary>NOT_FOUND when the employer is unknown to the service; PERMISSION_DENIED when it is located elsewhere.</summary>
    public static EnterpriseLocation Authorize(Caller caller, string uscc, EnterpriseLocation? location)
    {
        if (location is null) throw new NotFoundException("Enterprise", uscc);
        if (caller.IsZone || caller.Unit == location.Unit) return location;
        throw new PermissionDeniedException($"{caller} may act only for enterprises located in it, and their talents; enterprise {uscc} is not");
    }

    /// <summary>Decisions of the zone's talent office (reviews, certification, 海创周 shortlists) are not a district's to take.</summary>
    public static void RequireZone(Caller caller, string what)
    {
        if (!caller.IsZone) throw new PermissionDeniedException($"{caller} may not {what}: that is the zone talent office's decision");
    }
}
