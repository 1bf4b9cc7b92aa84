namespace Parks.Rpc;

/// <summary>gRPC status codes (grpc/grpc doc/statuscodes.md; google/rpc/code.proto).</summary>
public enum StatusCode
{
    OK = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}

/// <summary>The outcome of a call: a code and a human-readable detail message.</summary>
public readonly record struct Status(StatusCode StatusCode, string Detail)
{
    public static readonly Status DefaultSuccess = new(StatusCode.OK, string.Empty);
    public static readonly Status DefaultCancelled = new(StatusCode.Cancelled, string.Empty);

    public override string ToString() => $"Status(StatusCode=\"{StatusCode}\", Detail=\"{Detail}\")";
}

/// <summary>
/// A call ended with a non-OK status. Thrown by clients for every non-OK response and by server handlers to
/// end a call with a chosen status; <see cref="Trailers"/> carries trailing metadata either way (for example
/// <c>grpc-status-details-bin</c>, a serialized google.rpc.Status).
/// </summary>
public sealed class RpcException : Exception
{
    public const string StatusDetailsTrailer = "grpc-status-details-bin";

    public RpcException(Status status)
        : this(status, new Metadata(), null) { }

    public RpcException(Status status, string? message)
        : this(status, new Metadata(), message) { }

    public RpcException(Status status, Metadata trailers, string? message = null)
        : base(message ?? $"Status(StatusCode=\"{status.StatusCode}\", Detail=\"{status.Detail}\")")
    {
        Status = status;
        Trailers = trailers;
    }

    public Status Status { get; }

    public StatusCode StatusCode => Status.StatusCode;

    public Metadata Trailers { get; }

    /// <summary>The serialized google.rpc.Status from the trailers, if the peer sent one.</summary>
    public byte[]? StatusDetails => Trailers.GetValueBytes(StatusDetailsTrailer);
}
