using Parks.Rpc;

namespace Parks.Gateway.Domain;

/// <summary>
/// The HTTP status of a gRPC status on the REST edge: the mapping ASP.NET Core JSON transcoding uses (CANCELLED is
/// 408, FAILED_PRECONDITION 400), so REST clients see what they would from grpc-gateway-style transcoders.
/// </summary>
internal static class HttpMapping
{
    public static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.OK => 200,
        StatusCode.Cancelled => 408,
        StatusCode.Unknown => 500,
        StatusCode.InvalidArgument => 400,
        StatusCode.DeadlineExceeded => 504,
        StatusCode.NotFound => 404,
        StatusCode.AlreadyExists => 409,
        StatusCode.PermissionDenied => 403,
        StatusCode.ResourceExhausted => 429,
        StatusCode.FailedPrecondition => 400,
        StatusCode.Aborted => 409,
        StatusCode.OutOfRange => 400,
        StatusCode.Unimplemented => 501,
        StatusCode.Internal => 500,
        StatusCode.Unavailable => 503,
        StatusCode.DataLoss => 500,
        StatusCode.Unauthenticated => 401,
        _ => 500,
    };
}
