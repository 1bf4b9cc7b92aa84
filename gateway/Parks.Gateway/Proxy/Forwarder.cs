using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Domain;
using Parks.Gateway.Api;
using Parks.Gateway.Domain;
using Parks.Gateway.Pipeline;
using Parks.Rpc;

namespace Parks.Gateway.Proxy;

/// <summary>
/// The steps every forwarded call takes, for gRPC and REST alike: read the resource name from the serialized request
/// (without parsing the rest), route it, check the caller may make this call to this resource, and call the backend
/// with the caller's signed identity and deadline.
/// </summary>
internal sealed class Forwarder(BackendRegistry backends, IOptions<GatewayOptions> options, TimeProvider time, ILogger<Forwarder> logger)
{
    private readonly TimeSpan _defaultTimeout = TimeSpan.FromSeconds(options.Value.DefaultTimeoutSeconds);

    /// <summary>Routes and authorises one request; records its resource on the call. Throws the RpcException that refuses it.</summary>
    public Backend Prepare(GatewayCall call, byte[] request)
    {
        var method = call.Method;
        var field = method.Resource;
        string? resource = null;
        UnitRef? unit = null;
        if (field is not null)
        {
            try
            {
                resource = field.ReadFrom(request);
            }
            catch (Exception e) when (ProtobufParsing.IsMalformedInput(e))
            {
                throw GatewayErrors.InvalidArgument("request", $"is not a valid {method.Descriptor.InputType.FullName} message");
            }
            call.Resource = resource;
            if (!string.IsNullOrEmpty(resource))
            {
                if (!ResourceNames.IsWellFormed(resource, out var problem)
                    || !ResourceNames.TryGetScope(resource, out var scope, out var named, out problem))
                    throw GatewayErrors.InvalidArgument(field.Display, $"'{resource}' {problem}");
                if (scope == ResourceScope.Unit) unit = named;
                call.ResourceUnit = unit;
            }
        }

        string backendName;
        if (method.BackendKind == BackendKind.Unit)
        {
            if (string.IsNullOrEmpty(resource))
                throw GatewayErrors.InvalidArgument(field!.Display, "is required: it names the district or park the call is for");
            backendName = unit is { } u
                ? RoutingRules.BackendOf(u)
                : method.ZoneWideBackend ?? throw GatewayErrors.InvalidArgument(field!.Display, $"'{resource}' names no district or park");
        }
        else
        {
            backendName = method.Backend!;
        }

        // The unit whose data a unit write writes: the service's own unit, the field naming the writer, or the
        // routed resource's unit.
        var (writtenUnit, written) = (unit, resource ?? string.Empty);
        if (method.Access == AccessKind.WriteUnit)
        {
            if (method.OwnerUnit is { } owner)
            {
                (writtenUnit, written) = (owner, owner.ResourceName);
            }
            else if (method.Authorize is { } authorize)
            {
                written = ReadUnitField(method, authorize, request, out writtenUnit);
            }
            else if (string.IsNullOrEmpty(resource))
            {
                throw GatewayErrors.InvalidArgument(field!.Display, "is required: it names the unit whose data is written");
            }
        }
        var decision = AccessRules.CheckResource(call.Caller.Identity, method.Access, writtenUnit, written);
        if (!decision.Allowed) throw GatewayErrors.PermissionDenied(decision.Reason!, call.Caller.Identity.Id, written);

        return backends.Find(backendName) ?? throw GatewayErrors.BackendUnavailable(backendName, StatusCode.Unavailable);
    }

    private static string ReadUnitField(ExposedMethod method, FieldPath field, byte[] request, out UnitRef? unit)
    {
        unit = null;
        string? value;
        try { value = field.ReadFrom(request); }
        catch (Exception e) when (ProtobufParsing.IsMalformedInput(e)) { throw GatewayErrors.InvalidArgument("request", $"is not a valid {method.Descriptor.InputType.FullName} message"); }
        if (string.IsNullOrEmpty(value)) throw GatewayErrors.InvalidArgument(field.Display, "is required: it names the unit that writes");
        if (!ResourceNames.IsWellFormed(value, out var problem) || !ResourceNames.TryGetScope(value, out var scope, out var named, out problem))
            throw GatewayErrors.InvalidArgument(field.Display, $"'{value}' {problem}");
        if (scope == ResourceScope.Unit) unit = named;
        return value;
    }

    /// <summary>
    /// Checks a later message of a request stream: it must address the same unit as the first, so a stream cannot
    /// carry a write for another unit past the check of its first message.
    /// </summary>
    public void CheckFollowing(GatewayCall call, byte[] message)
    {
        if (call.Method.Resource is not { } field) return;
        string? resource;
        try { resource = field.ReadFrom(message); }
        catch (Exception e) when (ProtobufParsing.IsMalformedInput(e)) { throw GatewayErrors.InvalidArgument("request", $"is not a valid {call.Method.Descriptor.InputType.FullName} message"); }
        UnitRef? unit = null;
        if (!string.IsNullOrEmpty(resource) && ResourceNames.IsWellFormed(resource, out _)
            && ResourceNames.TryGetScope(resource, out var scope, out var named, out _) && scope == ResourceScope.Unit)
            unit = named;
        if (resource != call.Resource && unit != call.ResourceUnit)
            throw GatewayErrors.PermissionDenied($"every message of a request stream must address {call.ResourceUnit?.ResourceName ?? call.Resource}", call.Caller.Identity.Id, resource);
    }

    /// <summary>
    /// The forwarded call's options: the client's own metadata minus credentials and any caller identity it claims,
    /// plus the gateway's signed identity of the caller; the caller's remaining deadline (or the default timeout)
    /// and its cancellation.
    /// </summary>
    public CallOptions OptionsFor(GatewayCall call, Metadata? clientHeaders, ServerCallContext? incoming, CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (clientHeaders is not null)
        {
            foreach (var entry in clientHeaders)
            {
                if (ShouldForward(entry.Key)) headers.Add(entry);
            }
        }
        foreach (var entry in call.Caller.IdentityHeaders) headers.Add(entry);
        var forwarded = new CallOptions(headers, time.GetUtcNow().UtcDateTime + _defaultTimeout, cancellationToken);
        return incoming is null ? forwarded : forwarded.PropagateFrom(incoming);
    }

    /// <summary>
    /// What the client sees of a failed backend call: the backend's own status when it answered; when it never did
    /// (refused, unreachable, reset), UNAVAILABLE (or the deadline) naming the service but not its address.
    /// </summary>
    public RpcException Translate(RpcException exception, Backend backend, ExposedMethod method, Task<Metadata> responseHeaders)
    {
        if (responseHeaders.IsCompletedSuccessfully) return exception;
        GatewayLog.BackendFailed(logger, backend.Name, method.FullName, exception.StatusCode, exception.Status.Detail);
        return exception.StatusCode switch
        {
            StatusCode.Cancelled => exception,
            StatusCode.DeadlineExceeded => GatewayErrors.BackendUnavailable(backend.Name, StatusCode.DeadlineExceeded),
            _ => GatewayErrors.BackendUnavailable(backend.Name, StatusCode.Unavailable),
        };
    }

    /// <summary>Metadata a client may send on to a backend: not credentials, not caller identity, not transport headers.</summary>
    public static bool ShouldForward(string key) =>
        !(key is "authorization" or "cookie" or "user-agent" or "host" or "connection" or "keep-alive" or "proxy-authorization" or "transfer-encoding" or "upgrade" or "te" or "content-type"
          || key.StartsWith("x-parks-caller", StringComparison.Ordinal)
          || key.StartsWith("grpc-", StringComparison.Ordinal)
          || key.StartsWith(':'));
}
