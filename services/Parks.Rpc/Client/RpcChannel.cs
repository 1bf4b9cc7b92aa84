using System.Collections.Concurrent;
using Google.Protobuf;
using Parks.Rpc.Internal;

namespace Parks.Rpc;

/// <summary>Client settings, with gRPC's usual defaults.</summary>
public sealed class RpcChannelOptions
{
    /// <summary>Largest response message accepted (4 MiB by default); null for no limit.</summary>
    public int? MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Largest request message sent; null (the default) for no limit.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>
    /// A custom handler (tests, TLS settings). By default a SocketsHttpHandler that speaks h2c with prior
    /// knowledge and opens more HTTP/2 connections when one has no free stream.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    public bool DisposeHttpHandler { get; set; } = true;

    /// <summary>Client interceptors, outermost first.</summary>
    public IList<Interceptor> Interceptors { get; } = [];

    /// <summary>
    /// Retries of unary calls that failed UNAVAILABLE: always when the request never reached the server
    /// (connection refused, stream refused), otherwise only for methods the proto declares idempotent.
    /// Null disables retries.
    /// </summary>
    public RetryPolicy? Retry { get; set; } = new();
}

/// <summary>Exponential backoff with jitter (gRPC A6 semantics: at most 5 attempts; never past the deadline).</summary>
public sealed class RetryPolicy
{
    private int _maxAttempts = 3;

    /// <summary>Attempts including the first (2-5).</summary>
    public int MaxAttempts
    {
        get => _maxAttempts;
        set => _maxAttempts = value is >= 1 and <= 5 ? value : throw new ArgumentOutOfRangeException(nameof(value), "MaxAttempts must be 1-5.");
    }

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public double BackoffMultiplier { get; set; } = 2;
}

/// <summary>
/// A connection pool to one gRPC server (<c>http://host:port</c>, h2c). Thread-safe and meant to be shared:
/// create one per target and reuse it for every call.
/// </summary>
public sealed class RpcChannel : IDisposable
{
    private readonly ConcurrentDictionary<string, Uri> _methodUris = new(StringComparer.Ordinal);
    private readonly HttpMessageInvoker _invoker;

    private RpcChannel(Uri address, RpcChannelOptions options)
    {
        if (address.Scheme is not ("http" or "https"))
            throw new ArgumentException($"Address '{address}' must be http:// (h2c) or https://.", nameof(address));
        Address = address;
        Options = options;
        var handler = options.HttpHandler ?? CreateDefaultHandler();
        _invoker = new HttpMessageInvoker(handler, options.HttpHandler is null || options.DisposeHttpHandler);
    }

    public Uri Address { get; }

    public RpcChannelOptions Options { get; }

    internal HttpMessageInvoker Invoker => _invoker;

    public static RpcChannel ForAddress(string address, RpcChannelOptions? options = null) => new(new Uri(address), options ?? new RpcChannelOptions());

    public static RpcChannel ForAddress(Uri address, RpcChannelOptions? options = null) => new(address, options ?? new RpcChannelOptions());

    /// <summary>An invoker for generated clients, with the channel's interceptors applied.</summary>
    public CallInvoker CreateCallInvoker()
    {
        CallInvoker invoker = new HttpCallInvoker(this);
        for (var i = Options.Interceptors.Count - 1; i >= 0; i--) invoker = invoker.Intercept(Options.Interceptors[i]);
        return invoker;
    }

    internal Uri GetMethodUri(IMethod method) =>
        _methodUris.GetOrAdd(method.FullName, static (path, baseUri) => new Uri(baseUri, path), Address);

    public void Dispose() => _invoker.Dispose();

    private static SocketsHttpHandler CreateDefaultHandler() => new()
    {
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    };
}

internal sealed class HttpCallInvoker(RpcChannel channel) : CallInvoker
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options, TRequest request)
    {
        if (channel.Options.Retry is { MaxAttempts: > 1 } policy)
        {
            var retrying = new RetryingUnaryCall<TRequest, TResponse>(channel, method, options, request, policy);
            return new AsyncUnaryCall<TResponse>(retrying.Run(), retrying.ResponseHeadersAsync, retrying.GetStatus, retrying.GetTrailers, retrying.Dispose);
        }
        var call = new HttpClientCall<TRequest, TResponse>(channel, method, options);
        var response = call.StartUnary(request);
        return new AsyncUnaryCall<TResponse>(response, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options, TRequest request)
    {
        var call = new HttpClientCall<TRequest, TResponse>(channel, method, options);
        call.StartServerStreaming(request);
        return new AsyncServerStreamingCall<TResponse>(call.CreateResponseReader(), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options)
    {
        var call = new HttpClientCall<TRequest, TResponse>(channel, method, options);
        var response = call.StartClientStreaming();
        return new AsyncClientStreamingCall<TRequest, TResponse>(call.CreateRequestWriter(), response, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options)
    {
        var call = new HttpClientCall<TRequest, TResponse>(channel, method, options);
        call.StartDuplexStreaming();
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(call.CreateRequestWriter(), call.CreateResponseReader(), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }
}

/// <summary>A unary call that makes further attempts when the failure is safe to retry.</summary>
internal sealed class RetryingUnaryCall<TRequest, TResponse>(RpcChannel channel, Method<TRequest, TResponse> method, CallOptions options, TRequest request, RetryPolicy policy)
    where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
{
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile HttpClientCall<TRequest, TResponse>? _current;
    private volatile bool _disposed;

    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    public Status GetStatus() => (_current ?? throw new InvalidOperationException("The call has not started.")).GetStatus();

    public Metadata GetTrailers() => (_current ?? throw new InvalidOperationException("The call has not started.")).GetTrailers();

    public async Task<TResponse> Run()
    {
        var backoff = policy.InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            var call = new HttpClientCall<TRequest, TResponse>(channel, method, options);
            _current = call;
            try
            {
                var response = await call.StartUnary(request).ConfigureAwait(false);
                _headers.TrySetResult(await call.ResponseHeadersAsync.ConfigureAwait(false));
                return response;
            }
            catch (RpcException ex) when (attempt < policy.MaxAttempts && !_disposed && ShouldRetry(ex, call) && TimeRemains(backoff))
            {
                call.Dispose();
                var delay = TimeSpan.FromMilliseconds(backoff.TotalMilliseconds * (0.5 + Random.Shared.NextDouble() / 2));
                await Task.Delay(delay, options.CancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * policy.BackoffMultiplier, policy.MaxBackoff.TotalMilliseconds));
            }
            catch (RpcException ex)
            {
                _headers.TrySetException(ex);
                throw;
            }
        }
    }

    private bool ShouldRetry(RpcException exception, HttpClientCall<TRequest, TResponse> call) =>
        exception.StatusCode == StatusCode.Unavailable && (method.IsIdempotent || call.FailedBeforeSending)
        && !options.CancellationToken.IsCancellationRequested
        && options.PropagateFromCall?.CancellationToken.IsCancellationRequested != true;

    private bool TimeRemains(TimeSpan backoff) =>
        options.EffectiveDeadline is not { } deadline || deadline == DateTime.MaxValue || DateTime.UtcNow + backoff < deadline.ToUniversalTime();

    public void Dispose()
    {
        _disposed = true;
        _current?.Dispose();
    }
}
