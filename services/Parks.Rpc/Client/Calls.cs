using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Parks.Rpc;

/// <summary>Per-call client options: metadata, deadline, cancellation, and the server call to propagate from.</summary>
public readonly struct CallOptions
{
    public CallOptions(Metadata? headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default)
    {
        Headers = headers;
        Deadline = deadline;
        CancellationToken = cancellationToken;
        PropagateFromCall = null;
    }

    private CallOptions(Metadata? headers, DateTime? deadline, CancellationToken cancellationToken, ServerCallContext? propagateFrom)
    {
        Headers = headers;
        Deadline = deadline;
        CancellationToken = cancellationToken;
        PropagateFromCall = propagateFrom;
    }

    public Metadata? Headers { get; }

    /// <summary>The deadline in UTC (null: none).</summary>
    public DateTime? Deadline { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>An incoming call whose deadline and cancellation this outgoing call inherits.</summary>
    public ServerCallContext? PropagateFromCall { get; }

    public CallOptions WithHeaders(Metadata? headers) => new(headers, Deadline, CancellationToken, PropagateFromCall);

    public CallOptions WithDeadline(DateTime? deadline) => new(Headers, deadline, CancellationToken, PropagateFromCall);

    /// <summary>Sets the deadline to now plus <paramref name="timeout"/>.</summary>
    public CallOptions WithTimeout(TimeSpan timeout) => WithDeadline(DateTime.UtcNow + timeout);

    public CallOptions WithCancellationToken(CancellationToken cancellationToken) => new(Headers, Deadline, cancellationToken, PropagateFromCall);

    /// <summary>
    /// Makes the outgoing call end no later than the incoming one (the earlier of both deadlines) and be
    /// cancelled when the incoming call is cancelled.
    /// </summary>
    public CallOptions PropagateFrom(ServerCallContext context) => new(Headers, Deadline, CancellationToken, context);

    /// <summary>The deadline this call really has, after propagation.</summary>
    public DateTime? EffectiveDeadline
    {
        get
        {
            var parent = PropagateFromCall?.Deadline;
            if (parent is null || parent == DateTime.MaxValue) return Deadline;
            return Deadline is null || parent < Deadline ? parent : Deadline;
        }
    }
}

/// <summary>A unary call in progress: await it for the response.</summary>
public sealed class AsyncUnaryCall<TResponse>(Task<TResponse> responseAsync, Task<Metadata> responseHeadersAsync, Func<Status> getStatus, Func<Metadata> getTrailers, Action dispose) : IDisposable
{
    public Task<TResponse> ResponseAsync { get; } = responseAsync;
    public Task<Metadata> ResponseHeadersAsync { get; } = responseHeadersAsync;
    public Status GetStatus() => getStatus();
    public Metadata GetTrailers() => getTrailers();
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();
    public ConfiguredTaskAwaitable<TResponse> ConfigureAwait(bool continueOnCapturedContext) => ResponseAsync.ConfigureAwait(continueOnCapturedContext);
    public void Dispose() => dispose();
}

/// <summary>A server-streaming call in progress: read <see cref="ResponseStream"/>.</summary>
public sealed class AsyncServerStreamingCall<TResponse>(IAsyncStreamReader<TResponse> responseStream, Task<Metadata> responseHeadersAsync, Func<Status> getStatus, Func<Metadata> getTrailers, Action dispose) : IDisposable
{
    public IAsyncStreamReader<TResponse> ResponseStream { get; } = responseStream;
    public Task<Metadata> ResponseHeadersAsync { get; } = responseHeadersAsync;
    public Status GetStatus() => getStatus();
    public Metadata GetTrailers() => getTrailers();
    public void Dispose() => dispose();
}

/// <summary>A client-streaming call in progress: write <see cref="RequestStream"/>, complete it, await the response.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse>(IClientStreamWriter<TRequest> requestStream, Task<TResponse> responseAsync, Task<Metadata> responseHeadersAsync, Func<Status> getStatus, Func<Metadata> getTrailers, Action dispose) : IDisposable
{
    public IClientStreamWriter<TRequest> RequestStream { get; } = requestStream;
    public Task<TResponse> ResponseAsync { get; } = responseAsync;
    public Task<Metadata> ResponseHeadersAsync { get; } = responseHeadersAsync;
    public Status GetStatus() => getStatus();
    public Metadata GetTrailers() => getTrailers();
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();
    public void Dispose() => dispose();
}

/// <summary>A bidirectional call in progress.</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse>(IClientStreamWriter<TRequest> requestStream, IAsyncStreamReader<TResponse> responseStream, Task<Metadata> responseHeadersAsync, Func<Status> getStatus, Func<Metadata> getTrailers, Action dispose) : IDisposable
{
    public IClientStreamWriter<TRequest> RequestStream { get; } = requestStream;
    public IAsyncStreamReader<TResponse> ResponseStream { get; } = responseStream;
    public Task<Metadata> ResponseHeadersAsync { get; } = responseHeadersAsync;
    public Status GetStatus() => getStatus();
    public Metadata GetTrailers() => getTrailers();
    public void Dispose() => dispose();
}

/// <summary>Starts calls. <see cref="RpcChannel"/> provides the HTTP/2 implementation; interceptors wrap it.</summary>
public abstract class CallInvoker
{
    public abstract AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options, TRequest request)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>;

    public abstract AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options, TRequest request)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>;

    public abstract AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>;

    public abstract AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>;

    /// <summary>Returns an invoker that runs <paramref name="interceptor"/> around this one.</summary>
    public CallInvoker Intercept(Interceptor interceptor) => new InterceptingCallInvoker(this, interceptor);
}

/// <summary>Base of generated clients.</summary>
public abstract class ClientBase
{
    protected ClientBase(CallInvoker callInvoker) => CallInvoker = callInvoker ?? throw new ArgumentNullException(nameof(callInvoker));

    protected ClientBase(RpcChannel channel) : this(channel.CreateCallInvoker()) { }

    public CallInvoker CallInvoker { get; }
}

/// <summary>What a client interceptor sees of a call.</summary>
public readonly struct ClientInterceptorContext<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options)
    where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
{
    public Method<TRequest, TResponse> Method { get; } = method;
    public CallOptions Options { get; } = options;
}

public delegate AsyncUnaryCall<TResponse> AsyncUnaryCallContinuation<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context)
    where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>;

public delegate AsyncServerStreamingCall<TResponse> AsyncServerStreamingCallContinuation<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context)
    where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>;

public delegate AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCallContinuation<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
    where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>;

public delegate AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCallContinuation<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
    where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>;

internal sealed class InterceptingCallInvoker(CallInvoker inner, Interceptor interceptor) : CallInvoker
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options, TRequest request) =>
        interceptor.AsyncUnaryCall(request, new ClientInterceptorContext<TRequest, TResponse>(method, options),
            (r, c) => inner.AsyncUnaryCall(c.Method, c.Options, r));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options, TRequest request) =>
        interceptor.AsyncServerStreamingCall(request, new ClientInterceptorContext<TRequest, TResponse>(method, options),
            (r, c) => inner.AsyncServerStreamingCall(c.Method, c.Options, r));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options) =>
        interceptor.AsyncClientStreamingCall(new ClientInterceptorContext<TRequest, TResponse>(method, options),
            c => inner.AsyncClientStreamingCall(c.Method, c.Options));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options) =>
        interceptor.AsyncDuplexStreamingCall(new ClientInterceptorContext<TRequest, TResponse>(method, options),
            c => inner.AsyncDuplexStreamingCall(c.Method, c.Options));
}
