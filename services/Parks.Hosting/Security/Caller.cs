using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Parks.Domain;
using Parks.Rpc;

namespace Parks.Hosting.Security;

/// <summary>The kinds of caller the gateway authenticates.</summary>
public enum CallerRole
{
    /// <summary>A district's or branch park's own system: writes only its own unit's data.</summary>
    UnitSystem = 1,
    /// <summary>The city dashboard: read-only.</summary>
    Dashboard = 2,
    /// <summary>An operator: administration across units.</summary>
    Operator = 3,
    /// <summary>Another Parks service calling on its own behalf (event handlers, aggregation).</summary>
    Service = 4,
}

/// <summary>
/// Who a call is for, as the gateway authenticated it. Backends never trust the request body for this: the
/// gateway strips caller metadata from incoming requests and sets its own, signed with the internal key.
/// </summary>
public sealed record Caller(string Id, CallerRole Role, UnitRef? Unit)
{
    public const string IdHeader = "x-parks-caller";
    public const string RoleHeader = "x-parks-caller-role";
    public const string UnitHeader = "x-parks-caller-unit";
    public const string SignatureHeader = "x-parks-caller-sig";

    public static Caller Service(string appId) => new(appId, CallerRole.Service, null);

    /// <summary>Whether this caller may write data owned by <paramref name="owner"/>.</summary>
    public bool MayWrite(UnitRef owner) => Role switch
    {
        CallerRole.Operator or CallerRole.Service => true,
        CallerRole.UnitSystem => Unit == owner,
        _ => false,
    };

    /// <summary>Throws PermissionDenied unless this caller may write data owned by <paramref name="owner"/>.</summary>
    public void DemandWrite(UnitRef owner, string what)
    {
        if (MayWrite(owner)) return;
        throw new PermissionDeniedException(Role == CallerRole.Dashboard
            ? $"caller '{Id}' is read-only and may not {what}"
            : $"caller '{Id}' acts for {Unit?.ResourceName ?? "no unit"} and may not {what} of {owner.ResourceName}");
    }

    /// <summary>Adds this caller's identity, signed, to outgoing metadata.</summary>
    public void WriteTo(Metadata headers, CallerSigner signer)
    {
        headers.Add(IdHeader, Id);
        headers.Add(RoleHeader, RoleName(Role));
        if (Unit is { } unit) headers.Add(UnitHeader, unit.ResourceName);
        headers.Add(SignatureHeader, signer.Sign(this));
    }

    public static string RoleName(CallerRole role) => role switch
    {
        CallerRole.UnitSystem => "unit",
        CallerRole.Dashboard => "dashboard",
        CallerRole.Operator => "operator",
        _ => "service",
    };

    public static CallerRole? ParseRole(string? name) => name switch
    {
        "unit" => CallerRole.UnitSystem,
        "dashboard" => CallerRole.Dashboard,
        "operator" => CallerRole.Operator,
        "service" => CallerRole.Service,
        _ => null,
    };
}

/// <summary>Options for caller identity between Parks processes (section <c>Parks:Security</c>).</summary>
public sealed class SecurityOptions
{
    public const string Section = "Parks:Security";

    /// <summary>
    /// The key (≥ 32 characters) the gateway and services share to sign caller identity. From a Secret in
    /// production; the local run generates one per run.
    /// </summary>
    public string InternalKey { get; set; } = string.Empty;
}

/// <summary>Signs and verifies caller identity (HMAC-SHA256 over id, role and unit).</summary>
public sealed class CallerSigner(IOptions<SecurityOptions> options)
{
    public string Sign(Caller caller) => Convert.ToHexString(Mac(caller));

    public bool Verify(Caller caller, string? signature)
    {
        if (string.IsNullOrEmpty(signature)) return false;
        byte[] given;
        try { given = Convert.FromHexString(signature); } catch (FormatException) { return false; }
        return CryptographicOperations.FixedTimeEquals(Mac(caller), given);
    }

    private byte[] Mac(Caller caller)
    {
        var key = options.Value.InternalKey;
        if (key.Length < 32) throw new InvalidOperationException("Parks:Security:InternalKey must be at least 32 characters.");
        var payload = $"{caller.Id}\n{Caller.RoleName(caller.Role)}\n{caller.Unit?.ResourceName}";
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(payload));
    }
}

public static class CallerContextExtensions
{
    private static readonly object CallerKey = new();

    /// <summary>
    /// The verified caller of this call. Calls without identity metadata are UNAUTHENTICATED; identity with a
    /// bad signature is PERMISSION_DENIED (it was forged or the keys differ).
    /// </summary>
    public static Caller GetCaller(this ServerCallContext context)
    {
        if (context.UserState.TryGetValue(CallerKey, out var cached)) return (Caller)cached;
        var signer = context.GetHttpContext()?.RequestServices.GetService(typeof(CallerSigner)) as CallerSigner
            ?? throw new InvalidOperationException("CallerSigner is not registered (AddParksDefaults registers it).");
        var headers = context.RequestHeaders;
        var id = headers.GetValue(Caller.IdHeader);
        var role = Caller.ParseRole(headers.GetValue(Caller.RoleHeader));
        if (string.IsNullOrEmpty(id) || role is null)
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The call carries no caller identity; call through the gateway."));
        UnitRef? unit = null;
        var unitName = headers.GetValue(Caller.UnitHeader);
        if (!string.IsNullOrEmpty(unitName))
        {
            if (!UnitRef.TryParse(unitName, out var parsed))
                throw new RpcException(new Status(StatusCode.PermissionDenied, "The caller identity names an invalid unit."));
            unit = parsed;
        }
        var caller = new Caller(id, role.Value, unit);
        if (!signer.Verify(caller, headers.GetValue(Caller.SignatureHeader)))
            throw new RpcException(new Status(StatusCode.PermissionDenied, "The caller identity is not signed by the gateway."));
        context.UserState[CallerKey] = caller;
        return caller;
    }
}
