using Parks.Gateway.Api;
using Parks.Gateway.Pipeline;
using Parks.Rpc;

namespace Parks.Gateway.Proxy;

/// <summary>
/// The pass-through services: for every exposed backend service, a service definition whose methods take and give
/// serialized messages, registered with the gateway's gRPC server at the service's canonical paths. Messages are
/// forwarded as received (only the resource name is read from them); streams are proxied message by message.
/// The <see cref="GatewayInterceptor"/> has admitted the call before any handler here runs.
/// </summary>
internal sealed class ProxyServices(AllowList allowList, ServiceCatalog catalog, Forwarder forwarder)
{
    public static IEnumerable<string> ServiceNamesOf(AllowList allowList) =>
        allowList.Methods.Values.Where(m => m.BackendKind != BackendKind.Local).Select(m => m.ServiceName).Distinct(StringComparer.Ordinal);

    public ServerServiceDefinition Build(string serviceName)
    {
        var builder = ServerServiceDefinition.CreateBuilder(serviceName, catalog.FindService(serviceName));
        foreach (var method in allowList.Methods.Values.Where(m => m.ServiceName == serviceName).OrderBy(m => m.FullName, StringComparer.Ordinal))
        {
            switch (method.Type)
            {
                case MethodType.Unary:
                    builder.AddMethod(method.Raw, (UnaryServerMethod<byte[], byte[]>)((request, context) => UnaryAsync(method, request, context)));
                    break;
                case MethodType.ServerStreaming:
                    builder.AddMethod(method.Raw, (ServerStreamingServerMethod<byte[], byte[]>)((request, responses, context) => ServerStreamingAsync(method, request, responses, context)));
                    break;
                case MethodType.ClientStreaming:
                    builder.AddMethod(method.Raw, (ClientStreamingServerMethod<byte[], byte[]>)((requests, context) => ClientStreamingAsync(method, requests, context)));
                    break;
                default:
                    builder.AddMethod(method.Raw, (DuplexStreamingServerMethod<byte[], byte[]>)((requests, responses, context) => DuplexStreamingAsync(method, requests, responses, context)));
                    break;
            }
        }
        return builder.Build();
    }

    private async Task<byte[]> UnaryAsync(ExposedMethod method, byte[] request, ServerCallContext context)
    {
        var call = GatewayCall.Require(context);
        var backend = forwarder.Prepare(call, request);
        using var forwarded = backend.Raw.AsyncUnaryCall(method.Raw, forwarder.OptionsFor(call, context.RequestHeaders, context, default), request);
        try
        {
            var response = await forwarded.ResponseAsync;
            CopyTrailers(forwarded.GetTrailers(), context);
            return response;
        }
        catch (RpcException ex)
        {
            throw forwarder.Translate(ex, backend, method, forwarded.ResponseHeadersAsync);
        }
    }

    private async Task ServerStreamingAsync(ExposedMethod method, byte[] request, IServerStreamWriter<byte[]> responses, ServerCallContext context)
    {
        var call = GatewayCall.Require(context);
        var backend = forwarder.Prepare(call, request);
        using var forwarded = backend.Raw.AsyncServerStreamingCall(method.Raw, forwarder.OptionsFor(call, context.RequestHeaders, context, default), request);
        try
        {
            while (await forwarded.ResponseStream.MoveNext(context.CancellationToken)) await responses.WriteAsync(forwarded.ResponseStream.Current);
            CopyTrailers(forwarded.GetTrailers(), context);
        }
        catch (RpcException ex)
        {
            throw forwarder.Translate(ex, backend, method, forwarded.ResponseHeadersAsync);
        }
    }

    private async Task<byte[]> ClientStreamingAsync(ExposedMethod method, IAsyncStreamReader<byte[]> requests, ServerCallContext context)
    {
        var call = GatewayCall.Require(context);
        var first = await requests.MoveNext(context.CancellationToken) ? requests.Current : null;
        var backend = forwarder.Prepare(call, first ?? []);
        using var forwarded = backend.Raw.AsyncClientStreamingCall(method.Raw, forwarder.OptionsFor(call, context.RequestHeaders, context, default));
        RpcException? refused = null;
        try
        {
            if (first is not null && await TryWriteAsync(forwarded.RequestStream, first))
            {
                while (await requests.MoveNext(context.CancellationToken))
                {
                    try
                    {
                        forwarder.CheckFollowing(call, requests.Current);
                    }
                    catch (RpcException refusal)
                    {
                        // Ends the backend call without completing its request stream: nothing of it is committed.
                        refused = refusal;
                        break;
                    }
                    if (!await TryWriteAsync(forwarded.RequestStream, requests.Current)) break;
                }
            }
            if (refused is not null)
            {
                forwarded.Dispose();
                throw refused;
            }
            await forwarded.RequestStream.CompleteAsync();
            var response = await forwarded.ResponseAsync;
            CopyTrailers(forwarded.GetTrailers(), context);
            return response;
        }
        catch (RpcException ex) when (ex != refused)
        {
            throw forwarder.Translate(ex, backend, method, forwarded.ResponseHeadersAsync);
        }
    }

    private async Task DuplexStreamingAsync(ExposedMethod method, IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, ServerCallContext context)
    {
        var call = GatewayCall.Require(context);
        var first = await requests.MoveNext(context.CancellationToken) ? requests.Current : null;
        var backend = forwarder.Prepare(call, first ?? []);
        using var forwarded = backend.Raw.AsyncDuplexStreamingCall(method.Raw, forwarder.OptionsFor(call, context.RequestHeaders, context, default));
        // A refused request message ends the whole call: cancelling the backend call stops the response loop too.
        var upstream = PumpRequestsAsync(call, first, requests, forwarded.RequestStream, context.CancellationToken);
        _ = upstream.ContinueWith(static (t, state) => ((IDisposable)state!).Dispose(), forwarded, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        try
        {
            while (await forwarded.ResponseStream.MoveNext(context.CancellationToken)) await responses.WriteAsync(forwarded.ResponseStream.Current);
            await upstream;
            CopyTrailers(forwarded.GetTrailers(), context);
        }
        catch (RpcException ex)
        {
            if (upstream.IsFaulted) await upstream;
            throw forwarder.Translate(ex, backend, method, forwarded.ResponseHeadersAsync);
        }
    }

    private async Task PumpRequestsAsync(GatewayCall call, byte[]? first, IAsyncStreamReader<byte[]> requests, IClientStreamWriter<byte[]> upstream, CancellationToken cancellationToken)
    {
        if (first is not null && await TryWriteAsync(upstream, first))
        {
            while (await requests.MoveNext(cancellationToken))
            {
                forwarder.CheckFollowing(call, requests.Current);
                if (!await TryWriteAsync(upstream, requests.Current)) return;
            }
        }
        await upstream.CompleteAsync();
    }

    /// <summary>
    /// Writes to the backend's request stream; false when the backend already ended the call (its status then comes
    /// with the response, which is what the caller must see, not the failed write).
    /// </summary>
    private static async Task<bool> TryWriteAsync(IClientStreamWriter<byte[]> upstream, byte[] message)
    {
        try
        {
            await upstream.WriteAsync(message);
            return true;
        }
        catch (RpcException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void CopyTrailers(Metadata trailers, ServerCallContext context)
    {
        foreach (var entry in trailers)
        {
            if (!entry.Key.StartsWith("grpc-", StringComparison.Ordinal)) context.ResponseTrailers.Add(entry);
        }
    }
}
