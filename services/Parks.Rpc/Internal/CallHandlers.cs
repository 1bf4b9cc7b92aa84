using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;

namespace Parks.Rpc.Internal;

/// <summary>Handles calls of one method: creates the call context, runs the interceptor chain, ends the call.</summary>
internal abstract class ServerCallHandler
{
    private long _activeCalls;

    protected ServerCallHandler(IMethod method, ServerRuntime runtime)
    {
        Method = method;
        Runtime = runtime;
        runtime.Metrics.Track(this);
    }

    public IMethod Method { get; }

    protected ServerRuntime Runtime { get; }

    /// <summary>Calls of this method in progress.</summary>
    public long ActiveCalls => Volatile.Read(ref _activeCalls);

    public async Task HandleCallAsync(HttpContext http)
    {
        Interlocked.Increment(ref _activeCalls);
        var activity = RpcActivities.StartServer(Method, http.Request.Headers);
        var call = new HttpServerCallContext(http, Method, Runtime);
        try
        {
            if (call.Start() is { } rejected)
            {
                await call.EndWithStatusAsync(rejected, null);
                return;
            }
            await HandleCoreAsync(call);
        }
        catch (Exception ex)
        {
            await call.EndWithExceptionAsync(ex);
        }
        finally
        {
            await call.DisposeAsync();
            Interlocked.Decrement(ref _activeCalls);
            RpcActivities.Stop(activity, call.FinalStatus, call.FinalDetail, server: true);
        }
    }

    // Internal steps return pooled ValueTasks: a unary call then allocates no async state beyond the one
    // Task the ASP.NET Core pipeline needs.
    protected abstract ValueTask HandleCoreAsync(HttpServerCallContext call);

    /// <summary>Reads the one request message of a unary or server-streaming call, and the end of the stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected static async ValueTask<TRequest> ReadSingleRequestAsync<TRequest>(HttpServerCallContext call, MessageCodec<TRequest> codec)
        where TRequest : class
    {
        var request = await call.ReadMessageAsync(codec, call.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.Internal, "The request stream ended without a request message."));
        if (await call.ReadMessageAsync(codec, call.CancellationToken) is not null)
            throw new RpcException(new Status(StatusCode.Internal, "Additional data after the request message: this method takes exactly one request message."));
        return request;
    }
}

internal sealed class UnaryCallHandler<TRequest, TResponse>(IMethod method, MessageCodec<TRequest> requestCodec, MessageCodec<TResponse> responseCodec, UnaryServerMethod<TRequest, TResponse> invoker, ServerRuntime runtime)
    : ServerCallHandler(method, runtime)
    where TRequest : class where TResponse : class
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask HandleCoreAsync(HttpServerCallContext call)
    {
        var request = await ReadSingleRequestAsync(call, requestCodec);
        var response = await invoker(request, call);
        await call.EndWithResponseAsync(response, responseCodec);
    }
}

internal sealed class ServerStreamingCallHandler<TRequest, TResponse>(IMethod method, MessageCodec<TRequest> requestCodec, MessageCodec<TResponse> responseCodec, ServerStreamingServerMethod<TRequest, TResponse> invoker, ServerRuntime runtime)
    : ServerCallHandler(method, runtime)
    where TRequest : class where TResponse : class
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask HandleCoreAsync(HttpServerCallContext call)
    {
        var request = await ReadSingleRequestAsync(call, requestCodec);
        await invoker(request, new HttpResponseStreamWriter<TResponse>(call, responseCodec), call);
        await call.EndWithStatusAsync(call.Status, null);
    }
}

internal sealed class ClientStreamingCallHandler<TRequest, TResponse>(IMethod method, MessageCodec<TRequest> requestCodec, MessageCodec<TResponse> responseCodec, ClientStreamingServerMethod<TRequest, TResponse> invoker, ServerRuntime runtime)
    : ServerCallHandler(method, runtime)
    where TRequest : class where TResponse : class
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask HandleCoreAsync(HttpServerCallContext call)
    {
        var response = await invoker(new HttpRequestStreamReader<TRequest>(call, requestCodec), call);
        await call.EndWithResponseAsync(response, responseCodec);
    }
}

internal sealed class DuplexStreamingCallHandler<TRequest, TResponse>(IMethod method, MessageCodec<TRequest> requestCodec, MessageCodec<TResponse> responseCodec, DuplexStreamingServerMethod<TRequest, TResponse> invoker, ServerRuntime runtime)
    : ServerCallHandler(method, runtime)
    where TRequest : class where TResponse : class
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask HandleCoreAsync(HttpServerCallContext call)
    {
        await invoker(new HttpRequestStreamReader<TRequest>(call, requestCodec), new HttpResponseStreamWriter<TResponse>(call, responseCodec), call);
        await call.EndWithStatusAsync(call.Status, null);
    }
}

internal sealed class HttpRequestStreamReader<T>(HttpServerCallContext call, MessageCodec<T> codec) : IAsyncStreamReader<T>
    where T : class
{
    private T? _current;
    private bool _completed;

    public T Current => _current ?? throw new InvalidOperationException("No current message: call MoveNext first.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_completed) return false;
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CancellationToken)
            : null;
        _current = await call.ReadMessageAsync(codec, linked?.Token ?? call.CancellationToken);
        if (_current is null) _completed = true;
        return _current is not null;
    }
}

internal sealed class HttpResponseStreamWriter<T>(HttpServerCallContext call, MessageCodec<T> codec) : IServerStreamWriter<T>
    where T : class
{
    private int _writing;

    public async Task WriteAsync(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Interlocked.Exchange(ref _writing, 1) == 1)
            throw new InvalidOperationException("Can't write the message because the previous write is in progress.");
        try
        {
            await call.WriteMessageAsync(message, codec, flush: true);
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }
}
