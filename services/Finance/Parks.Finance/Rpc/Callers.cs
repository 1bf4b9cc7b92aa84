using Parks.Domain;
using Parks.Hosting.Security;
using Parks.Rpc;
using Parks.Finance.Domain;

namespace Parks.Finance.Rpc;

internal static class Callers
{
    /// <summary>
    /// Who the call acts for, for the access rule: operators and services act zone-wide, a unit system for its
    /// unit; the dashboard reads zone-wide and may not write.
    /// </summary>
    public static Domain.Caller Access(this ServerCallContext context, bool write)
    {
        var caller = context.GetCaller();
        return caller.Role switch
        {
            CallerRole.Operator or CallerRole.Service => Domain.Caller.Zone,
            CallerRole.UnitSystem when caller.Unit is { } unit => Domain.Caller.ForUnit(unit),
            CallerRole.Dashboard when !write => Domain.Caller.Zone,
            CallerRole.Dashboard => throw new PermissionDeniedException($"caller '{caller.Id}' is read-only"),
            _ => throw new PermissionDeniedException($"caller '{caller.Id}' names no unit"),
        };
    }
}
