using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Parks.Domain;
using Parks.Rpc;

namespace Parks.Hosting.Rpc;

/// <summary>
/// The one place that turns domain and validation failures into gRPC statuses: each
/// <see cref="DomainException"/> becomes a precise code with a google.rpc.Status in grpc-status-details-bin
/// (field violations for bad input, resource info for missing or existing resources).
/// </summary>
public sealed class DomainErrorInterceptor : Interceptor
{
    public const string ErrorDomain = "parks.dalian-hitech.gov";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Task<TResponse> task;
        try
        {
            task = continuation(request, context);
        }
        catch (DomainException ex)
        {
            throw ToRpcException(ex);
        }
        // A handler that completed synchronously passes straight through (no extra allocation per call).
        return task.IsCompletedSuccessfully ? task : AwaitUnary(task);
    }

    private static async Task<TResponse> AwaitUnary<TResponse>(Task<TResponse> task)
    {
        try
        {
            return await task;
        }
        catch (DomainException ex)
        {
            throw ToRpcException(ex);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (DomainException ex)
        {
            throw ToRpcException(ex);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (DomainException ex)
        {
            throw ToRpcException(ex);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (DomainException ex)
        {
            throw ToRpcException(ex);
        }
    }

    /// <summary>Maps a domain failure to its status code and structured details.</summary>
    public static RpcException ToRpcException(DomainException exception)
    {
        var (code, detail) = exception switch
        {
            ValidationException v => (Parks.Rpc.StatusCode.InvalidArgument, Any.Pack(BadRequestOf(v.Violations))),
            Parks.Domain.OutOfRangeException o => (Parks.Rpc.StatusCode.OutOfRange, Any.Pack(BadRequestOf([new FieldViolation(o.Field, o.Message)]))),
            NotFoundException n => (Parks.Rpc.StatusCode.NotFound, Any.Pack(new ResourceInfo { ResourceType = n.ResourceType, ResourceName = n.ResourceName, Description = n.Message })),
            AlreadyExistsException a => (Parks.Rpc.StatusCode.AlreadyExists, Any.Pack(new ResourceInfo { ResourceType = a.ResourceType, ResourceName = a.ResourceName, Description = a.Message })),
            ConcurrencyException c => (Parks.Rpc.StatusCode.Aborted, Any.Pack(new ErrorInfo { Reason = "CONCURRENT_MODIFICATION", Domain = ErrorDomain, Metadata = { ["resource"] = c.ResourceName } })),
            FailedPreconditionException f => (Parks.Rpc.StatusCode.FailedPrecondition, Any.Pack(PreconditionFailureOf(f))),
            PermissionDeniedException => (Parks.Rpc.StatusCode.PermissionDenied, Any.Pack(new ErrorInfo { Reason = "PERMISSION_DENIED", Domain = ErrorDomain })),
            _ => (Parks.Rpc.StatusCode.Unknown, Any.Pack(new ErrorInfo { Reason = exception.GetType().Name, Domain = ErrorDomain })),
        };
        return Create(code, exception.Message, detail);
    }

    /// <summary>An RpcException carrying a google.rpc.Status with the given details.</summary>
    public static RpcException Create(Parks.Rpc.StatusCode code, string message, params Any[] details)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        status.Details.AddRange(details);
        var trailers = new Metadata { { RpcException.StatusDetailsTrailer, status.ToByteArray() } };
        return new RpcException(new Parks.Rpc.Status(code, message), trailers);
    }

    private static BadRequest BadRequestOf(IEnumerable<FieldViolation> violations)
    {
        var badRequest = new BadRequest();
        badRequest.FieldViolations.AddRange(violations.Select(v => new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description }));
        return badRequest;
    }

    private static PreconditionFailure PreconditionFailureOf(FailedPreconditionException exception)
    {
        var failure = new PreconditionFailure();
        failure.Violations.AddRange(exception.Violations.Select(v => new PreconditionFailure.Types.Violation { Type = v.Type, Subject = v.Subject, Description = v.Description }));
        return failure;
    }
}

/// <summary>Reads google.rpc.Status details from a failed call.</summary>
public static class RpcStatusDetails
{
    /// <summary>The google.rpc.Status the server sent in grpc-status-details-bin, or null.</summary>
    public static Google.Rpc.Status? GetRpcStatus(this RpcException exception) =>
        exception.StatusDetails is { } bytes ? Google.Rpc.Status.Parser.ParseFrom(bytes) : null;

    /// <summary>The first detail of type <typeparamref name="T"/>, or null.</summary>
    public static T? GetDetail<T>(this RpcException exception) where T : class, IMessage<T>, new()
    {
        var status = exception.GetRpcStatus();
        if (status is null) return null;
        var descriptor = new T().Descriptor;
        foreach (var any in status.Details)
        {
            if (any.Is(descriptor)) return any.Unpack<T>();
        }
        return null;
    }
}
