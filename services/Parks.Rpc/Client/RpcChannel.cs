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

    /// <summary>
    /// An invoker for raw (pass-through) calls, whose messages are serialized bytes. The channel's interceptors,
    /// which work on typed messages, do not apply.
    /// </summary>
    public RawCallInvoker CreateRawCallInvoker() => new(this);

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
        var call = new HttpClientCall<TRequest, TResponse>(channel, method, method.RequestCodec, method.ResponseCodec, options);
        var response = call.StartUnary(request);
        return new AsyncUnaryCall<TResponse>(response, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options, TRequest request)
    {
        var call = new HttpClientCall<TRequest, TResponse>(channel, method, method.RequestCodec, method.ResponseCodec, options);
        call.StartServerStreaming(request);
        return new AsyncServerStreamingCall<TResponse>(call.CreateResponseReader(), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options)
    {
        var call = new HttpClientCall<TRequest, TResponse>(channel, method, method.RequestCodec, method.ResponseCodec, options);
        var response = call.StartClientStreaming();
        return new AsyncClientStreamingCall<TRequest, TResponse>(call.CreateRequestWriter(), response, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options)
    {
        var call = new HttpClientCall<TRequest, TResponse>(channel, method, method.RequestCodec, method.ResponseCodec, options);
        call.StartDuplexStreaming();
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(call.CreateRequestWriter(), call.CreateResponseReader(), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }
}

/// <summary>
/// Starts calls whose request and response messages are serialized protobuf bytes, passed through unparsed:
/// what a proxy uses. Deadlines, cancellation, propagation, metadata, limits and status behave exactly as for
/// typed calls.
/// </summary>
public sealed class RawCallInvoker
{
    private readonly RpcChannel _channel;

    internal RawCallInvoker(RpcChannel channel) => _channel = channel;

    public AsyncUnaryCall<byte[]> AsyncUnaryCall(RawMethod method, CallOptions options, byte[] request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = Create(method, MethodType.Unary, options);
        var response = call.StartUnary(request);
        return new AsyncUnaryCall<byte[]>(response, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public AsyncServerStreamingCall<byte[]> AsyncServerStreamingCall(RawMethod method, CallOptions options, byte[] request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = Create(method, MethodType.ServerStreaming, options);
        call.StartServerStreaming(request);
        return new AsyncServerStreamingCall<byte[]>(call.CreateResponseReader(), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public AsyncClientStreamingCall<byte[], byte[]> AsyncClientStreamingCall(RawMethod method, CallOptions options)
    {
        var call = Create(method, MethodType.ClientStreaming, options);
        var response = call.StartClientStreaming();
        return new AsyncClientStreamingCall<byte[], byte[]>(call.CreateRequestWriter(), response, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public AsyncDuplexStreamingCall<byte[], byte[]> AsyncDuplexStreamingCall(RawMethod method, CallOptions options)
    {
        var call = Create(method, MethodType.DuplexStreaming, options);
        call.StartDuplexStreaming();
        return new AsyncDuplexStreamingCall<byte[], byte[]>(call.CreateRequestWriter(), call.CreateResponseReader(), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    private HttpClientCall<byte[], byte[]> Create(RawMethod method, MethodType expected, CallOptions options)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != expected)
            throw new ArgumentException($"Method {method.FullName} is {method.Type}, not {expected}.", nameof(method));
        return new HttpClientCall<byte[], byte[]>(_channel, method, RawCodec.Instance, RawCodec.Instance, options);
    }
}
