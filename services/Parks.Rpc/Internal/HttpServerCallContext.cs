using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Parks.Rpc.Internal;

/// <summary>
/// The server side of one call over HTTP/2: reads length-prefixed request messages from the request body,
/// writes response messages, and ends the call with grpc-status in trailers (or Trailers-Only before any
/// message). When the caller set a deadline, every response write takes a lock so that the deadline timer
/// can end the call with DEADLINE_EXCEEDED without racing the handler.
/// </summary>
internal sealed class HttpServerCallContext : ServerCallContext, IAsyncDisposable
{
    private readonly HttpContext _http;
    private readonly IMethod _method;
    private readonly ServerRuntime _runtime;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private Dictionary<object, object>? _userState;
    private DateTime _deadline = DateTime.MaxValue;
    // Only calls with a deadline carry the timer state (most calls in a benchmark, and many in practice, have none).
    private DeadlineTimer? _timer;
    private Task? _deadlineTask;
    private SemaphoreSlim? _writeLock;
    private static readonly TimeSpan TransportErrorGrace = TimeSpan.FromMilliseconds(250);
    private volatile bool _deadlineExceeded;
    private bool _ended;
    private bool _responseStarted;
    private bool _gzipRequest;
    private StatusCode _finalStatus = StatusCode.OK;
    private string? _finalDetail;

    public HttpServerCallContext(HttpContext http, IMethod method, ServerRuntime runtime)
    {
        _http = http;
        _method = method;
        _runtime = runtime;
    }

    public override string Method => _method.FullName;

    public override string Host => _http.Request.Host.Value ?? string.Empty;

    public override string Peer
    {
        get
        {
            var connection = _http.Connection;
            var address = connection.RemoteIpAddress;
            if (address is null) return "unknown";
            var family = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6:[" + address + "]" : "ipv4:" + address;
            return family + ":" + connection.RemotePort;
        }
    }

    public override DateTime Deadline => _deadline;

    /// <summary>The status the call ended with (valid once it has ended).</summary>
    internal StatusCode FinalStatus => _finalStatus;

    internal string? FinalDetail => _finalDetail;

    public override Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders(_http.Request.Headers);

    public override CancellationToken CancellationToken => _timer?.Linked.Token ?? _http.RequestAborted;

    public override Metadata ResponseTrailers => _responseTrailers ??= [];

    public override Status Status { get; set; } = Status.DefaultSuccess;

    public override IDictionary<object, object> UserState => _userState ??= [];

    public override HttpContext GetHttpContext() => _http;

    /// <summary>
    /// Applies the request's call-level headers (timeout, encoding). Returns a status to end the call with
    /// when they are unacceptable.
    /// </summary>
    public Status? Start()
    {
        var headers = _http.Request.Headers;
        _http.Response.ContentType = GrpcProtocol.ContentType;

        if (headers.TryGetValue(GrpcProtocol.EncodingHeader, out var encoding) && encoding.Count > 0)
        {
            var value = encoding.ToString();
            if (string.Equals(value, GrpcProtocol.GzipEncoding, StringComparison.Ordinal))
            {
                _gzipRequest = true;
            }
            else if (!string.Equals(value, GrpcProtocol.IdentityEncoding, StringComparison.Ordinal))
            {
                _http.Response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
                return new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{value}'. Supported encodings: {GrpcProtocol.SupportedEncodings}");
            }
        }

        if (headers.TryGetValue(GrpcProtocol.TimeoutHeader, out var timeoutValues) && timeoutValues.Count > 0)
        {
            var text = timeoutValues.ToString();
            if (!GrpcProtocol.TryParseTimeout(text, out var timeout))
                return new Status(StatusCode.Internal, $"Invalid grpc-timeout header value '{text}'.");
            if (timeout <= TimeSpan.Zero)
            {
                _deadlineExceeded = true;
                _deadline = DateTime.UtcNow;
                return new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
            }
            // Timers cannot run longer than ~24.8 days; a longer deadline is effectively none.
            if (timeout < TimeSpan.FromMilliseconds(int.MaxValue - 1))
            {
                _deadline = DateTime.UtcNow + timeout;
                _writeLock = new SemaphoreSlim(1, 1);
                _timer = new DeadlineTimer(this, timeout);
            }
        }
        return null;
    }

    /// <summary>Reads the next request message; null at the end of the request stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<T?> ReadMessageAsync<T>(MessageCodec<T> codec, CancellationToken cancellationToken) where T : class
    {
        var reader = _http.Request.BodyReader;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken);
            }
            catch (BadHttpRequestException ex)
            {
                throw new RpcException(new Status(StatusCode.Internal, "Error reading the request body: " + ex.Message));
            }
            if (result.IsCanceled) throw new OperationCanceledException(cancellationToken);

            var buffer = result.Buffer;
            var consumed = buffer.Start;
            try
            {
                switch (FrameReader.TryRead(ref buffer, _runtime.MaxReceiveMessageSize, out var payload, out var compressed, out var declaredLength))
                {
                    case FrameReadResult.Message:
                        consumed = buffer.Start;
                        return Parse(codec, payload, compressed);
                    case FrameReadResult.TooLarge:
                        throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Received message exceeds the maximum configured message size ({declaredLength} > {_runtime.MaxReceiveMessageSize} bytes)."));
                    case FrameReadResult.InvalidFlag:
                        throw new RpcException(new Status(StatusCode.Internal, "Invalid compressed-flag byte in the message prefix (must be 0 or 1)."));
                    default:
                        if (result.IsCompleted)
                        {
                            if (buffer.Length == 0) return null;
                            throw new RpcException(new Status(StatusCode.Internal, $"Incomplete message: the request stream ended {buffer.Length} bytes into a message."));
                        }
                        break;
                }
            }
            finally
            {
                reader.AdvanceTo(consumed, buffer.End);
            }
        }
    }

    private T Parse<T>(MessageCodec<T> codec, ReadOnlySequence<byte> payload, bool compressed) where T : class
    {
        try
        {
            if (!compressed) return codec.Parse(payload);
            if (!_gzipRequest)
                throw new RpcException(new Status(StatusCode.Internal, "Request message has the compressed flag set but the call has no grpc-encoding."));
            var decompressed = Decompress(payload);
            return codec.Parse(decompressed, 0, decompressed.Length);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize the request message: " + ex.Message));
        }
        catch (Exception ex) when (ProtobufParsing.IsMalformedInput(ex))
        {
            // Malformed input Google.Protobuf reports with another exception type (see ProtobufParsing): the same
            // answer, without the exception's text.
            throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize the request message: it is not valid protobuf."));
        }
    }

    private byte[] Decompress(ReadOnlySequence<byte> payload)
    {
        using var input = new MemoryStream(payload.ToArray());
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = gzip.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + read > _runtime.MaxReceiveMessageSize)
                    throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Decompressed message exceeds the maximum configured message size ({_runtime.MaxReceiveMessageSize} bytes)."));
                output.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to decompress the request message: " + ex.Message));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return output.ToArray();
    }

    public override async Task WriteResponseHeadersAsync(Metadata responseHeaders)
    {
        if (_writeLock is not null) await _writeLock.WaitAsync();
        try
        {
            if (_ended) throw new InvalidOperationException("Can't write response headers because the call is complete.");
            if (_responseStarted) throw new InvalidOperationException("Response headers can only be sent once per call.");
            var headers = _http.Response.Headers;
            foreach (var entry in responseHeaders)
            {
                if (IsReservedResponseHeader(entry.Key)) continue;
                headers.Append(entry.Key, entry.IsBinary ? GrpcProtocol.EncodeBinaryHeader(entry.ValueBytes) : entry.Value);
            }
            _responseStarted = true;
            await _http.Response.BodyWriter.FlushAsync(CancellationToken);
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    /// <summary>Writes one response message; streaming writes flush so the caller sees each message at once.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteMessageAsync<T>(T message, MessageCodec<T> codec, bool flush) where T : class
    {
        if (_writeLock is not null) await _writeLock.WaitAsync();
        try
        {
            if (_ended) throw new InvalidOperationException("Can't write the message because the call is complete.");
            WriteMessageCore(message, codec);
            if (flush)
            {
                var result = await _http.Response.BodyWriter.FlushAsync(CancellationToken);
                if (result.IsCanceled) throw new OperationCanceledException(CancellationToken);
            }
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    private void WriteMessageCore<T>(T message, MessageCodec<T> codec) where T : class
    {
        var size = codec.GetSize(message);
        if (_runtime.Options.MaxSendMessageSize is { } max && size > max)
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Sending message exceeds the maximum configured message size ({size} > {max} bytes)."));
        var writer = _http.Response.BodyWriter;
        if (size <= 16 * 1024)
        {
            var span = writer.GetSpan(GrpcProtocol.HeaderSize + size);
            GrpcProtocol.WriteHeader(span, compressed: false, size);
            codec.Write(message, span.Slice(GrpcProtocol.HeaderSize, size));
            writer.Advance(GrpcProtocol.HeaderSize + size);
        }
        else
        {
            GrpcProtocol.WriteHeader(writer.GetSpan(GrpcProtocol.HeaderSize), compressed: false, size);
            writer.Advance(GrpcProtocol.HeaderSize);
            codec.Write(message, writer);
        }
        _responseStarted = true;
    }

    /// <summary>Ends a unary or client-streaming call: the response message (if the status is OK), then the status.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask EndWithResponseAsync<T>(T? response, MessageCodec<T> codec) where T : class
    {
        if (_writeLock is not null) await _writeLock.WaitAsync();
        try
        {
            if (_ended) return;
            var status = Status;
            if (status.StatusCode == StatusCode.OK)
            {
                if (response is null)
                {
                    status = new Status(StatusCode.Internal, "The service method returned no response message.");
                }
                else
                {
                    try
                    {
                        WriteMessageCore(response, codec);
                    }
                    catch (RpcException ex)
                    {
                        status = ex.Status;
                    }
                }
            }
            WriteStatus(status, null);
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    /// <summary>Ends a call whose handler completed without a response message to send (streaming responses).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask EndWithStatusAsync(Status status, Metadata? trailers)
    {
        if (_writeLock is not null) await _writeLock.WaitAsync();
        try
        {
            if (_ended) return;
            WriteStatus(status, trailers);
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    /// <summary>Maps a handler's exception to the call's final status (or, if the caller is gone, to nothing).</summary>
    public ValueTask EndWithExceptionAsync(Exception exception)
    {
        switch (exception)
        {
            case RpcException rpc:
                RpcLog.CallFailed(_runtime.Logger, _method.FullName, rpc.StatusCode, rpc.Status.Detail);
                return EndWithStatusAsync(rpc.Status, rpc.Trailers);
            case OperationCanceledException or ConnectionAbortedException or IOException when _deadlineExceeded:
                RpcLog.DeadlineExceeded(_runtime.Logger, _method.FullName);
                return EndWithStatusAsync(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null);
            case OperationCanceledException or ConnectionAbortedException or IOException when _http.RequestAborted.IsCancellationRequested:
                // The caller reset the stream or the connection dropped: there is nobody to send a status to.
                RpcLog.ClientCancelled(_runtime.Logger, _method.FullName);
                _ended = true;
                _finalStatus = StatusCode.Cancelled;
                return ValueTask.CompletedTask;
            case OperationCanceledException or ConnectionAbortedException or IOException when exception is not BadHttpRequestException:
                return EndAfterTransportErrorAsync(exception);
            default:
                return EndWithHandlerErrorAsync(exception);
        }
    }

    /// <summary>
    /// Kestrel fails the request body reader as soon as the client resets the stream, but cancels RequestAborted
    /// from the thread pool a moment later; wait briefly for it before calling the exception the handler's own.
    /// </summary>
    private async ValueTask EndAfterTransportErrorAsync(Exception exception)
    {
        var aborted = _http.RequestAborted;
        await Task.Delay(TransportErrorGrace, aborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (aborted.IsCancellationRequested)
        {
            RpcLog.ClientCancelled(_runtime.Logger, _method.FullName);
            _ended = true;
            _finalStatus = StatusCode.Cancelled;
            return;
        }
        await EndWithHandlerErrorAsync(exception);
    }

    private ValueTask EndWithHandlerErrorAsync(Exception exception)
    {
        RpcLog.HandlerError(_runtime.Logger, _method.FullName, exception);
        var detail = _runtime.Options.EnableDetailedErrors
            ? $"Exception was thrown by handler. {exception.GetType().Name}: {exception.Message}"
            : "Exception was thrown by handler.";
        return EndWithStatusAsync(new Status(StatusCode.Unknown, detail), null);
    }

    private void OnDeadline()
    {
        if (_http.RequestAborted.IsCancellationRequested) return;
        _deadlineExceeded = true;
        _deadlineTask = EndOnDeadlineAsync();
    }

    private async Task EndOnDeadlineAsync()
    {
        // The linked token fires for the handler at the same time; whoever takes the lock first ends the call.
        await _writeLock!.WaitAsync();
        try
        {
            if (_ended) return;
            RpcLog.DeadlineExceeded(_runtime.Logger, _method.FullName);
            WriteStatus(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null);
            await _http.Response.CompleteAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or ConnectionAbortedException or OperationCanceledException)
        {
            RpcLog.StatusWriteFailed(_runtime.Logger, _method.FullName, ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Writes grpc-status/grpc-message and trailing metadata: as trailers after a response has started,
    /// otherwise in the only HEADERS frame (Trailers-Only).
    /// </summary>
    private void WriteStatus(Status status, Metadata? trailers)
    {
        _ended = true;
        _finalStatus = status.StatusCode;
        _finalDetail = status.Detail;
        var response = _http.Response;
        var trailersOnly = !_responseStarted && !response.HasStarted;
        if (trailersOnly)
        {
            var headers = response.Headers;
            headers[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusToString(status.StatusCode);
            if (!string.IsNullOrEmpty(status.Detail)) headers[GrpcProtocol.MessageHeader] = GrpcProtocol.EncodeMessage(status.Detail);
            AppendMetadata(headers, _responseTrailers);
            AppendMetadata(headers, trailers);
        }
        else
        {
            response.AppendTrailer(GrpcProtocol.StatusHeader, GrpcProtocol.StatusToString(status.StatusCode));
            if (!string.IsNullOrEmpty(status.Detail)) response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcProtocol.EncodeMessage(status.Detail));
            AppendTrailers(response, _responseTrailers);
            AppendTrailers(response, trailers);
        }
    }

    private static void AppendMetadata(IHeaderDictionary headers, Metadata? metadata)
    {
        if (metadata is null) return;
        foreach (var entry in metadata)
        {
            if (IsReservedResponseHeader(entry.Key)) continue;
            headers.Append(entry.Key, entry.IsBinary ? GrpcProtocol.EncodeBinaryHeader(entry.ValueBytes) : entry.Value);
        }
    }

    private static void AppendTrailers(HttpResponse response, Metadata? metadata)
    {
        if (metadata is null) return;
        foreach (var entry in metadata)
        {
            if (IsReservedResponseHeader(entry.Key)) continue;
            response.AppendTrailer(entry.Key, entry.IsBinary ? GrpcProtocol.EncodeBinaryHeader(entry.ValueBytes) : entry.Value);
        }
    }

    private static bool IsReservedResponseHeader(string key) =>
        key is GrpcProtocol.StatusHeader or GrpcProtocol.MessageHeader or "content-type" or "te" or "content-length" or "connection" or "transfer-encoding"
        || key.StartsWith(':');

    private static Metadata ReadRequestHeaders(IHeaderDictionary headers)
    {
        var metadata = new Metadata();
        foreach (var (key, values) in headers)
        {
            if (IsTransportRequestHeader(key)) continue;
            var lower = key.ToLowerInvariant();
            if (lower.EndsWith(Metadata.BinarySuffix, StringComparison.Ordinal))
            {
                foreach (var value in values)
                {
                    if (value is null) continue;
                    foreach (var part in value.Split(','))
                    {
                        try
                        {
                            metadata.Add(lower, GrpcProtocol.DecodeBinaryHeader(part));
                        }
                        catch (FormatException)
                        {
                            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Metadata '{lower}' is not valid base64."));
                        }
                    }
                }
            }
            else
            {
                foreach (var value in values)
                {
                    if (value is null) continue;
                    try
                    {
                        metadata.Add(lower, value);
                    }
                    catch (ArgumentException)
                    {
                        // A header that is not valid gRPC metadata (non-ASCII value, odd name) is not exposed.
                    }
                }
            }
        }
        return metadata;
    }

    private static bool IsTransportRequestHeader(string key) =>
        key.StartsWith(':')
        || key.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || key.Equals("te", StringComparison.OrdinalIgnoreCase)
        || key.Equals("host", StringComparison.OrdinalIgnoreCase)
        || key.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || key.Equals(GrpcProtocol.TimeoutHeader, StringComparison.OrdinalIgnoreCase)
        || key.Equals(GrpcProtocol.EncodingHeader, StringComparison.OrdinalIgnoreCase)
        || key.Equals(GrpcProtocol.AcceptEncodingHeader, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Ends the call's bookkeeping. Waits for a deadline that fired to finish writing its status, so the
    /// HttpContext is not recycled under it. (The semaphore is not disposed: it never allocates a wait handle.)
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            _timer.StopCallbacks();
            if (_deadlineTask is not null) await _deadlineTask;
            _timer.Dispose();
        }
        _runtime.Metrics.CallEnded(_method.FullName, _finalStatus, _startTimestamp);
    }

    /// <summary>The deadline of a call: a timer that ends the call, and the handler's token (caller gone or deadline passed).</summary>
    private sealed class DeadlineTimer
    {
        private readonly CancellationTokenSource _timeout;
        private readonly CancellationTokenRegistration _registration;

        public DeadlineTimer(HttpServerCallContext call, TimeSpan timeout)
        {
            _timeout = new CancellationTokenSource(timeout);
            Linked = CancellationTokenSource.CreateLinkedTokenSource(call._http.RequestAborted, _timeout.Token);
            _registration = _timeout.Token.UnsafeRegister(static state => ((HttpServerCallContext)state!).OnDeadline(), call);
        }

        public CancellationTokenSource Linked { get; }

        /// <summary>Unregisters the deadline callback, waiting for it if it is running.</summary>
        public void StopCallbacks() => _registration.Dispose();

        public void Dispose()
        {
            Linked.Dispose();
            _timeout.Dispose();
        }
    }
}
