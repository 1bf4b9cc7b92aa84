using Parks.Gateway.Api;
using Parks.Rpc;

namespace Parks.Gateway.Pipeline;

/// <summary>
/// Runs <see cref="CallAdmission"/> for every gRPC call to an exposed method (proxied or served by the gateway) and
/// audits writes with their final status. Public infrastructure (health, reflection) passes without credentials;
/// anything else is not registered at all, so it is UNIMPLEMENTED.
/// </summary>
internal sealed class GatewayInterceptor(AllowList allowList, CallAdmission admission) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (allowList.Find(context.Method) is not { } method) return await continuation(request, context);
        using var admitted = Admit(method, context, request as byte[]);
        try
        {
            var response = await continuation(request, context);
            admitted.Complete(StatusCode.OK, string.Empty);
            return response;
        }
        catch (Exception ex)
        {
            admitted.Fail(ex);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (allowList.Find(context.Method) is not { } method)
        {
            await continuation(request, responseStream, context);
            return;
        }
        using var admitted = Admit(method, context, request as byte[]);
        await RunAsync(admitted, () => continuation(request, responseStream, context));
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (allowList.Find(context.Method) is not { } method) return await continuation(requestStream, context);
        using var admitted = Admit(method, context, null);
        try
        {
            var response = await continuation(requestStream, context);
            admitted.Complete(StatusCode.OK, string.Empty);
            return response;
        }
        catch (Exception ex)
        {
            admitted.Fail(ex);
            throw;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (allowList.Find(context.Method) is not { } method)
        {
            await continuation(requestStream, responseStream, context);
            return;
        }
        using var admitted = Admit(method, context, null);
        await RunAsync(admitted, () => continuation(requestStream, responseStream, context));
    }

    private AdmittedCall Admit(ExposedMethod method, ServerCallContext context, byte[]? rawRequest)
    {
        var authorization = context.RequestHeaders.GetValue(Security.Authenticator.AuthorizationHeader);
        Func<string?>? hint = rawRequest is not null && method.Resource is { } field ? () => field.ReadFrom(rawRequest) : null;
        var admitted = admission.Admit(method, authorization, sessionCookie: null, "grpc", context.Peer, hint);
        admitted.Call.AttachTo(context);
        return admitted;
    }

    private static async Task RunAsync(AdmittedCall admitted, Func<Task> body)
    {
        try
        {
            await body();
            admitted.Complete(StatusCode.OK, string.Empty);
        }
        catch (Exception ex)
        {
            admitted.Fail(ex);
            throw;
        }
    }
}
