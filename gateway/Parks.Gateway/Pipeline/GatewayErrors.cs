using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Parks.Hosting.Rpc;
using Parks.Rpc;

namespace Parks.Gateway.Pipeline;

/// <summary>The statuses the gateway itself ends calls with, each with google.rpc details a client can act on.</summary>
internal static class GatewayErrors
{
    public static RpcException Unauthenticated(string message) =>
        DomainErrorInterceptor.Create(Parks.Rpc.StatusCode.Unauthenticated, message, Any.Pack(Info("UNAUTHENTICATED")));

    public static RpcException PermissionDenied(string message, string caller, string? resource)
    {
        var info = Info("PERMISSION_DENIED");
        info.Metadata["caller"] = caller;
        if (!string.IsNullOrEmpty(resource)) info.Metadata["resource"] = resource;
        return DomainErrorInterceptor.Create(Parks.Rpc.StatusCode.PermissionDenied, message, Any.Pack(info));
    }

    public static RpcException RateLimited(string caller, TimeSpan retryAfter)
    {
        var info = Info("RATE_LIMITED");
        info.Metadata["caller"] = caller;
        var retry = new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) };
        return DomainErrorInterceptor.Create(Parks.Rpc.StatusCode.ResourceExhausted, $"Rate limit of caller '{caller}' exceeded; retry after {retryAfter.TotalMilliseconds:0} ms.", Any.Pack(info), Any.Pack(retry));
    }

    public static RpcException Overloaded() =>
        DomainErrorInterceptor.Create(Parks.Rpc.StatusCode.Unavailable, "The gateway is at its concurrency limit; retry shortly.", Any.Pack(Info("OVERLOADED")), Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(100)) }));

    public static RpcException InvalidArgument(string field, string description)
    {
        var badRequest = new BadRequest();
        badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });
        return DomainErrorInterceptor.Create(Parks.Rpc.StatusCode.InvalidArgument, $"{field}: {description}", Any.Pack(badRequest));
    }

    public static RpcException BackendUnavailable(string backend, Parks.Rpc.StatusCode code)
    {
        var info = Info("BACKEND_UNAVAILABLE");
        info.Metadata["backend"] = backend;
        var message = code == Parks.Rpc.StatusCode.DeadlineExceeded
            ? $"The {backend} service did not answer within the call's deadline."
            : $"The {backend} service is unavailable; retry later.";
        return DomainErrorInterceptor.Create(code, message, Any.Pack(info));
    }

    private static ErrorInfo Info(string reason) => new() { Reason = reason, Domain = DomainErrorInterceptor.ErrorDomain };
}
