using Parks.Domain;
using Parks.Hosting.Security;
using Parks.Rpc;

namespace Parks.Units.Rpc;

/// <summary>
/// Who may do what (docs/architecture.md, "Caller identity"): every verified caller reads; a unit's own system,
/// an operator or a Parks service writes a unit's data.
/// </summary>
internal static class Access
{
    public static Caller Read(ServerCallContext context) => context.GetCaller();

    public static Caller Write(ServerCallContext context, UnitRef owner, string what)
    {
        var caller = context.GetCaller();
        caller.DemandWrite(owner, what);
        return caller;
    }

    /// <summary>
    /// A referral is made by the referring side: an operator or service (for the zone), or the system of the unit
    /// named as its source (the Science City, a district, another park).
    /// </summary>
    public static void Refer(ServerCallContext context, string? fromUnit)
    {
        var caller = context.GetCaller();
        switch (caller.Role)
        {
            case CallerRole.Operator or CallerRole.Service:
                return;
            case CallerRole.UnitSystem when caller.Unit is { } unit && unit.ResourceName == fromUnit:
                return;
            default:
                throw new PermissionDeniedException(caller.Role == CallerRole.Dashboard
                    ? $"caller '{caller.Id}' is read-only and may not refer projects"
                    : $"caller '{caller.Id}' acts for {caller.Unit?.ResourceName ?? "no unit"} and may refer projects only as that unit (referral.from_unit is '{fromUnit}')");
        }
    }
}
