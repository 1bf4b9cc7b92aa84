using Parks.Domain;
using Parks.Hosting.Security;

namespace Parks.Gateway.Domain;

/// <summary>How the allow-list classifies a method: read or write, and who may call it.</summary>
internal enum AccessKind
{
    /// <summary>A read any authenticated caller may make (shared reference data, lists, figures).</summary>
    Read,
    /// <summary>A read for operators only (e.g. the audit trail).</summary>
    ReadOperator,
    /// <summary>A write to one unit's data: the request's resource name must name the caller's own unit.</summary>
    WriteUnit,
    /// <summary>
    /// A write a unit system makes on behalf of one of its enterprises in a shared service (talent, finance): the
    /// gateway lets unit systems and operators through, and the service checks that the enterprise is the caller's.
    /// </summary>
    WriteEnterprise,
    /// <summary>An administrative write for operators only.</summary>
    WriteOperator,
}

/// <summary>An authorisation outcome; <see cref="Reason"/> says why a call is refused.</summary>
internal readonly record struct AccessDecision(bool Allowed, string? Reason)
{
    public static readonly AccessDecision Allow = new(true, null);

    public static AccessDecision Deny(string reason) => new(false, reason);
}

/// <summary>The gateway's authorisation rules, as plain functions of the caller, the method's class and the resource.</summary>
internal static class AccessRules
{
    public static bool IsWrite(this AccessKind kind) => kind is AccessKind.WriteUnit or AccessKind.WriteEnterprise or AccessKind.WriteOperator;

    public static string Name(this AccessKind kind) => kind switch
    {
        AccessKind.Read => "read",
        AccessKind.ReadOperator => "read:operator",
        AccessKind.WriteUnit => "write:unit",
        AccessKind.WriteEnterprise => "write:enterprise",
        _ => "write:operator",
    };

    public static bool TryParse(string? text, out AccessKind kind)
    {
        switch (text)
        {
            case "read": kind = AccessKind.Read; return true;
            case "read:operator": kind = AccessKind.ReadOperator; return true;
            case "write:unit": kind = AccessKind.WriteUnit; return true;
            case "write:enterprise": kind = AccessKind.WriteEnterprise; return true;
            case "write:operator": kind = AccessKind.WriteOperator; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>May this caller call a method of this class at all (before the request is looked at)?</summary>
    public static AccessDecision CheckMethod(Caller caller, AccessKind kind) => kind switch
    {
        AccessKind.Read => AccessDecision.Allow,
        AccessKind.ReadOperator or AccessKind.WriteOperator when caller.Role == CallerRole.Operator => AccessDecision.Allow,
        AccessKind.ReadOperator or AccessKind.WriteOperator => AccessDecision.Deny($"caller '{caller.Id}' is not an operator; this method is for operators only"),
        _ when caller.Role == CallerRole.Dashboard => AccessDecision.Deny($"caller '{caller.Id}' is read-only"),
        _ when caller.Role is CallerRole.Operator or CallerRole.UnitSystem => AccessDecision.Allow,
        _ => AccessDecision.Deny($"caller '{caller.Id}' may not write through the gateway"),
    };

    /// <summary>
    /// May this caller make this call to this resource? For unit writes, the unit the request's resource name names
    /// (null when the name belongs to no unit) must be the caller's own; operators may write anywhere.
    /// </summary>
    public static AccessDecision CheckResource(Caller caller, AccessKind kind, UnitRef? resourceUnit, string resource)
    {
        var method = CheckMethod(caller, kind);
        if (!method.Allowed || kind != AccessKind.WriteUnit || caller.Role == CallerRole.Operator) return method;
        if (resourceUnit is not { } unit)
            return AccessDecision.Deny($"'{resource}' belongs to no district or park; only operators may write it");
        if (caller.Unit != unit)
            return AccessDecision.Deny($"caller '{caller.Id}' acts for {caller.Unit?.ResourceName ?? "no unit"} and may not write '{resource}' of {unit.ResourceName}");
        return AccessDecision.Allow;
    }
}
