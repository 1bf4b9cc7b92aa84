using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Parks.Rpc.Internal;

namespace Parks.Rpc;

/// <summary>
/// One client call over HTTP/2: sends the request (one message, or a stream written by the caller), reads the
/// response headers, messages and trailers, and turns every failure into one <see cref="RpcException"/>.
/// </summary>
internal sealed class HttpClientCall<TRequest, TResponse>
    where TRequest : class where TResponse : class
{
    private readonly RpcChannel _channel;
    private readonly IMethod _method;
    private readonly MessageCodec<TRequest> _requestCodec;
    private readonly MessageCodec<TResponse> _responseCodec;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource<Metadata> _headersTcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _prefix = new byte[GrpcProtocol.HeaderSize];
    private readonly object _lock = new();
    private CancellationTokenRegistration _userRegistration;
    private CancellationTokenRegistration _parentRegistration;
    private DateTime? _deadline;
    private Timer? _deadlineTimer;
    private volatile bool _deadlineReached;
    private Task<HttpResponseMessage>? _sendTask;
    private Task? _responseTask;
    private HttpResponseMessage? _response;
    private Stream? _responseStream;
    private PushStreamContent? _requestContent;
    private bool _gzipResponse;
    private Status? _status;
    private Metadata? _trailers;
    private bool _disposed;
    private readonly long _startTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
    private System.Diagnostics.Activity? _activity;

    public HttpClientCall(RpcChannel channel, IMethod method, MessageCodec<TRequest> requestCodec, MessageCodec<TResponse> responseCodec, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _requestCodec = requestCodec;
        _responseCodec = responseCodec;
        _options = options;
        // Headers are observed by callers only on demand; failures surface through the response.
        _headersTcs.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }

    public Task<Metadata> ResponseHeadersAsync => _headersTcs.Task;

    /// <summary>True when the call failed before the server could have processed it (safe to retry any method).</summary>
    public bool FailedBeforeSending { get; private set; }

    public Status GetStatus() => _status ?? throw new InvalidOperationException("Unable to get the status because the call is not complete.");

    public Metadata GetTrailers() => _trailers ?? throw new InvalidOperationException("Can't get the call trailers because the call has not completed.");

    public Task<TResponse> StartUnary(TRequest request)
    {
        Start(new UnaryRequestContent<TRequest>(request, _requestCodec, _channel.Options.MaxSendMessageSize));
        return RunUnaryAsync();
    }

    public void StartServerStreaming(TRequest request) => Start(new UnaryRequestContent<TRequest>(request, _requestCodec, _channel.Options.MaxSendMessageSize));

    public Task<TResponse> StartClientStreaming()
    {
        Start(_requestContent = new PushStreamContent());
        return RunUnaryAsync();
    }

    public void StartDuplexStreaming() => Start(_requestContent = new PushStreamContent());

    public IAsyncStreamReader<TResponse> CreateResponseReader() => new ResponseReader(this);

    public IClientStreamWriter<TRequest> CreateRequestWriter() => new RequestWriter(this);

    private void Start(HttpContent content)
    {
        _activity = RpcActivities.StartClient(_method, _channel.Address);
        var deadline = _options.EffectiveDeadline;
        TimeSpan? timeout = null;
        if (deadline is { } d && d != DateTime.MaxValue)
        {
            _deadline = d;
            timeout = d.ToUniversalTime() - DateTime.UtcNow;
        }

        _userRegistration = _options.CancellationToken.UnsafeRegister(static s => ((HttpClientCall<TRequest, TResponse>)s!).CancelInternal(), this);
        if (_options.PropagateFromCall is { } parent)
            _parentRegistration = parent.CancellationToken.UnsafeRegister(static s => ((HttpClientCall<TRequest, TResponse>)s!).CancelInternal(), this);

        if (timeout is { } t && t <= TimeSpan.Zero)
        {
            // Already expired: fail locally without sending anything (the spec allows it at any time).
            content.Dispose();
            _requestContent?.Abort();
            _sendTask = Task.FromException<HttpResponseMessage>(new OperationCanceledException("Deadline exceeded before the call started."));
            _cts.Cancel();
        }
        else
        {
            // A timer of its own (not CancelAfter) so that the cancellation it causes is known to be the deadline:
            // timers may fire a few milliseconds before DateTime.UtcNow reaches the deadline.
            if (timeout is { } remaining && remaining < TimeSpan.FromMilliseconds(int.MaxValue - 1))
                _deadlineTimer = new Timer(static s => ((HttpClientCall<TRequest, TResponse>)s!).OnDeadline(), this, remaining, Timeout.InfiniteTimeSpan);

            var request = new HttpRequestMessage(HttpMethod.Post, _channel.GetMethodUri(_method))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = content,
            };
            var headers = request.Headers;
            headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, GrpcProtocol.TeTrailers);
            headers.TryAddWithoutValidation("user-agent", GrpcProtocol.UserAgent);
            headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
            if (timeout is { } tt) headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(tt));
            if (RpcActivities.ContextToSend(_activity) is { } trace && _options.Headers?.Get(RpcDiagnostics.TraceParentHeader) is null)
            {
                headers.TryAddWithoutValidation(RpcDiagnostics.TraceParentHeader, trace.Id);
                if (!string.IsNullOrEmpty(trace.TraceStateString)) headers.TryAddWithoutValidation(RpcDiagnostics.TraceStateHeader, trace.TraceStateString);
            }
            if (_options.Headers is { } metadata)
            {
                foreach (var entry in metadata)
                {
                    headers.TryAddWithoutValidation(entry.Key, entry.IsBinary ? GrpcProtocol.EncodeBinaryHeader(entry.ValueBytes) : entry.Value);
                }
            }
            content.Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
            try
            {
                _sendTask = _channel.Invoker.SendAsync(request, _cts.Token);
            }
            catch (Exception ex)
            {
                // Handlers may fail synchronously; the call reports it like any other failure.
                _sendTask = Task.FromException<HttpResponseMessage>(ex);
            }
        }
        _responseTask = ReceiveHeadersAsync();
    }

    private void CancelInternal()
    {
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>Awaits the response headers: validates them, detects Trailers-Only, opens the body.</summary>
    private async Task ReceiveHeadersAsync()
    {
        HttpResponseMessage response;
        try
        {
            response = await _sendTask!.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
        _response = response;

        var status = ReadStatus(response.Headers);
        if (response.StatusCode != HttpStatusCode.OK && status is null)
        {
            status = new Status(GrpcProtocol.MapHttpStatus((int)response.StatusCode), $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}");
        }
        else if (status is null && !GrpcProtocol.IsSupportedContentType(response.Content.Headers.ContentType?.ToString(), out _))
        {
            status = new Status(StatusCode.Unknown, $"Bad gRPC response. Invalid content-type value: {response.Content.Headers.ContentType}");
        }

        var headerMetadata = ReadMetadata(response.Headers);
        _headersTcs.TrySetResult(headerMetadata);

        if (status is { } s)
        {
            // Trailers-Only: the status and trailing metadata came in the only HEADERS frame.
            Finish(s, headerMetadata);
            if (s.StatusCode != StatusCode.OK) throw new RpcException(s, headerMetadata);
            return;
        }

        if (response.Headers.TryGetValues(GrpcProtocol.EncodingHeader, out var encodings))
        {
            var encoding = string.Join(",", encodings);
            _gzipResponse = encoding == GrpcProtocol.GzipEncoding;
        }
        try
        {
            _responseStream = await response.Content.ReadAsStreamAsync(_cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
    }

    private async Task<TResponse> RunUnaryAsync()
    {
        try
        {
            await _responseTask!.ConfigureAwait(false);
            if (_status is { } early)
                throw new RpcException(new Status(StatusCode.Internal, "The server returned no response message (Trailers-Only OK)."), _trailers!);
            var message = await ReadMessageAsync().ConfigureAwait(false);
            if (message is null)
            {
                var status = FinishFromTrailers();
                if (status.StatusCode != StatusCode.OK) throw new RpcException(status, _trailers!);
                throw new RpcException(new Status(StatusCode.Internal, "Failed to read the response: the server sent no response message."), _trailers!);
            }
            if (await ReadMessageAsync().ConfigureAwait(false) is not null)
                throw new RpcException(new Status(StatusCode.Internal, "The server sent more than one response message for a single-response method."));
            var final = FinishFromTrailers();
            if (final.StatusCode != StatusCode.OK) throw new RpcException(final, _trailers!);
            return message;
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
        finally
        {
            Cleanup();
        }
    }

    /// <summary>Reads the next response message; null at the end of the response body.</summary>
    private async ValueTask<TResponse?> ReadMessageAsync()
    {
        var stream = _responseStream!;
        var read = await stream.ReadAtLeastAsync(_prefix, GrpcProtocol.HeaderSize, throwOnEndOfStream: false, _cts.Token).ConfigureAwait(false);
        if (read == 0) return null;
        if (read < GrpcProtocol.HeaderSize)
            throw new RpcException(new Status(StatusCode.Internal, "Incomplete message prefix in the response."));
        var flag = _prefix[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(_prefix.AsSpan(1));
        var max = _channel.Options.MaxReceiveMessageSize ?? int.MaxValue;
        if (flag > 1) throw new RpcException(new Status(StatusCode.Internal, "Invalid compressed-flag byte in the response message prefix."));
        if (length > max) throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Received message exceeds the maximum configured message size ({length} > {max} bytes)."));

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(length, 1));
        try
        {
            var got = await stream.ReadAtLeastAsync(buffer.AsMemory(0, (int)length), (int)length, throwOnEndOfStream: false, _cts.Token).ConfigureAwait(false);
            if (got < length) throw new RpcException(new Status(StatusCode.Internal, $"Incomplete message in the response ({got} of {length} bytes)."));
            try
            {
                if (flag == 0) return _responseCodec.Parse(buffer, 0, (int)length);
                if (!_gzipResponse) throw new RpcException(new Status(StatusCode.Internal, "Response message is compressed but the response has no supported grpc-encoding."));
                using var gzip = new GZipStream(new MemoryStream(buffer, 0, (int)length), CompressionMode.Decompress);
                using var output = new MemoryStream();
                await gzip.CopyToAsync(output, _cts.Token).ConfigureAwait(false);
                if (output.Length > max) throw new RpcException(new Status(StatusCode.ResourceExhausted, "Decompressed response message exceeds the maximum configured message size."));
                return _responseCodec.Parse(output.GetBuffer(), 0, (int)output.Length);
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize the response message: " + ex.Message));
            }
            catch (Exception ex) when (ProtobufParsing.IsMalformedInput(ex))
            {
                throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize the response message: it is not valid protobuf."));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Status FinishFromTrailers()
    {
        var trailers = _response!.TrailingHeaders;
        var status = ReadStatus(trailers) ?? new Status(StatusCode.Unknown, "No grpc-status found on response.");
        Finish(status, ReadMetadata(trailers));
        return status;
    }

    private void Finish(Status status, Metadata trailers)
    {
        lock (_lock)
        {
            if (_status is not null) return;
            _trailers = trailers;
            _status = status;
        }
        _requestContent?.Abort();
        ClientMetrics.CallEnded(_method.FullName, status.StatusCode, _startTimestamp);
        RpcActivities.Stop(_activity, status.StatusCode, status.Detail, server: false);
    }

    /// <summary>Records the failure as the call's status and returns the exception to throw.</summary>
    private RpcException Fail(Exception exception)
    {
        RpcException rpc;
        if (exception is RpcException r)
        {
            rpc = r;
        }
        else if (_cts.IsCancellationRequested && (exception is OperationCanceledException || exception is IOException || exception is HttpRequestException))
        {
            rpc = _deadlineReached || (_deadline is { } d && DateTime.UtcNow >= d.ToUniversalTime().AddMilliseconds(-1))
                ? new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"))
                : new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client."));
        }
        else if (FindProtocolError(exception) is { } protocolError)
        {
            FailedBeforeSending = protocolError.ErrorCode == 0x7 && _response is null; // REFUSED_STREAM: never processed
            rpc = new RpcException(new Status(MapResetCode(protocolError.ErrorCode), $"The HTTP/2 stream was reset by the server (error code {protocolError.ErrorCode})."));
        }
        else if (exception is HttpRequestException http)
        {
            FailedBeforeSending = http.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError;
            rpc = new RpcException(new Status(StatusCode.Unavailable, $"Error starting gRPC call. {http.GetType().Name}: {http.Message}"));
        }
        else if (exception is IOException io)
        {
            rpc = new RpcException(new Status(StatusCode.Unavailable, $"Error reading the response. {io.GetType().Name}: {io.Message}"));
        }
        else if (exception is OperationCanceledException)
        {
            rpc = new RpcException(new Status(StatusCode.Cancelled, "Call canceled."));
        }
        else
        {
            rpc = new RpcException(new Status(StatusCode.Internal, $"Error in the gRPC client. {exception.GetType().Name}: {exception.Message}"));
        }
        Finish(rpc.Status, rpc.Trailers);
        _headersTcs.TrySetException(rpc);
        Cleanup();
        return rpc;
    }

    private static HttpProtocolException? FindProtocolError(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpProtocolException p) return p;
        }
        return null;
    }

    // RST_STREAM error codes → status (PROTOCOL-HTTP2.md "Errors").
    private static StatusCode MapResetCode(long code) => code switch
    {
        0x7 => StatusCode.Unavailable,          // REFUSED_STREAM: safe to retry
        0x8 => StatusCode.Cancelled,            // CANCEL
        0xb => StatusCode.ResourceExhausted,    // ENHANCE_YOUR_CALM
        0xc => StatusCode.PermissionDenied,     // INADEQUATE_SECURITY
        _ => StatusCode.Internal,
    };

    private static Status? ReadStatus(HttpHeaders headers)
    {
        if (!headers.TryGetValues(GrpcProtocol.StatusHeader, out var values)) return null;
        var text = values.FirstOrDefault();
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
            return new Status(StatusCode.Unknown, $"Unexpected grpc-status value '{text}'.");
        var message = headers.TryGetValues(GrpcProtocol.MessageHeader, out var messages) ? GrpcProtocol.DecodeMessage(messages.FirstOrDefault()) : string.Empty;
        return new Status((StatusCode)code, message);
    }

    private static Metadata ReadMetadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var (key, values) in headers.NonValidated)
        {
            if (key is GrpcProtocol.StatusHeader or GrpcProtocol.MessageHeader or "content-type" or "date" or "server" or GrpcProtocol.EncodingHeader or GrpcProtocol.AcceptEncodingHeader) continue;
            var lower = key.ToLowerInvariant();
            foreach (var value in values)
            {
                try
                {
                    if (lower.EndsWith(Metadata.BinarySuffix, StringComparison.Ordinal))
                    {
                        foreach (var part in value.Split(',')) metadata.Add(lower, GrpcProtocol.DecodeBinaryHeader(part));
                    }
                    else
                    {
                        metadata.Add(lower, value);
                    }
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException)
                {
                    // Not valid gRPC metadata: not exposed.
                }
            }
        }
        return metadata;
    }

    private void OnDeadline()
    {
        _deadlineReached = true;
        CancelInternal();
    }

    private void Cleanup()
    {
        _userRegistration.Dispose();
        _parentRegistration.Dispose();
        _deadlineTimer?.Dispose();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }
        if (_status is null)
        {
            // Disposing an unfinished call cancels it (the HTTP/2 stream is reset).
            Finish(new Status(StatusCode.Cancelled, "gRPC call disposed."), new Metadata());
            CancelInternal();
        }
        _requestContent?.Abort();
        _response?.Dispose();
        Cleanup();
        _cts.Dispose();
    }

    private sealed class ResponseReader(HttpClientCall<TRequest, TResponse> call) : IAsyncStreamReader<TResponse>
    {
        private TResponse? _current;

        public TResponse Current => _current ?? throw new InvalidOperationException("No current message: call MoveNext first.");

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            using var registration = cancellationToken.UnsafeRegister(static s => ((HttpClientCall<TRequest, TResponse>)s!).CancelInternal(), call);
            try
            {
                await call._responseTask!.ConfigureAwait(false);
                if (call._status is { } done)
                {
                    if (done.StatusCode != StatusCode.OK) throw new RpcException(done, call._trailers!);
                    return false;
                }
                var message = await call.ReadMessageAsync().ConfigureAwait(false);
                if (message is not null)
                {
                    _current = message;
                    return true;
                }
                var status = call.FinishFromTrailers();
                call.Cleanup();
                if (status.StatusCode != StatusCode.OK) throw new RpcException(status, call._trailers!);
                return false;
            }
            catch (Exception ex)
            {
                throw call.Fail(ex);
            }
        }
    }

    private sealed class RequestWriter(HttpClientCall<TRequest, TResponse> call) : IClientStreamWriter<TRequest>
    {
        private int _writing;
        private bool _completed;

        public async Task WriteAsync(TRequest message)
        {
            ArgumentNullException.ThrowIfNull(message);
            if (_completed) throw new InvalidOperationException("Request stream has already been completed.");
            if (call._status is { } status)
            {
                if (status.StatusCode != StatusCode.OK) throw new RpcException(status, call._trailers ?? new Metadata());
                throw new InvalidOperationException("Can't write the message because the call is complete.");
            }
            if (Interlocked.Exchange(ref _writing, 1) == 1) throw new InvalidOperationException("Can't write the message because the previous write is in progress.");
            try
            {
                var content = call._requestContent!;
                var streamTask = content.StreamTask;
                if (!streamTask.IsCompleted)
                {
                    // If the call fails before the request body starts, the body stream never arrives.
                    var first = await Task.WhenAny(streamTask, call._sendTask!).ConfigureAwait(false);
                    if (first != streamTask)
                    {
                        await call._responseTask!.ConfigureAwait(false);
                        throw new InvalidOperationException("Can't write the message because the call is complete.");
                    }
                }
                var stream = await streamTask.ConfigureAwait(false);
                var codec = call._requestCodec;
                var size = codec.GetSize(message);
                if (call._channel.Options.MaxSendMessageSize is { } max && size > max)
                    throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Sending message exceeds the maximum configured message size ({size} > {max} bytes)."));
                var buffer = ArrayPool<byte>.Shared.Rent(GrpcProtocol.HeaderSize + size);
                try
                {
                    GrpcProtocol.WriteHeader(buffer, compressed: false, size);
                    codec.Write(message, buffer.AsSpan(GrpcProtocol.HeaderSize, size));
                    await stream.WriteAsync(buffer.AsMemory(0, GrpcProtocol.HeaderSize + size), call._cts.Token).ConfigureAwait(false);
                    await stream.FlushAsync(call._cts.Token).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
            catch (Exception ex) when (ex is not InvalidOperationException)
            {
                throw call.Fail(ex);
            }
            finally
            {
                Volatile.Write(ref _writing, 0);
            }
        }

        public Task CompleteAsync()
        {
            _completed = true;
            call._requestContent!.Complete();
            return Task.CompletedTask;
        }
    }
}

/// <summary>A request body holding one length-prefixed message (re-serializable, so HttpClient may retry it).</summary>
internal sealed class UnaryRequestContent<T>(T message, MessageCodec<T> codec, int? maxSendMessageSize) : HttpContent where T : class
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        var size = codec.GetSize(message);
        if (maxSendMessageSize is { } max && size > max)
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Sending message exceeds the maximum configured message size ({size} > {max} bytes)."));
        var buffer = ArrayPool<byte>.Shared.Rent(GrpcProtocol.HeaderSize + size);
        try
        {
            GrpcProtocol.WriteHeader(buffer, compressed: false, size);
            codec.Write(message, buffer.AsSpan(GrpcProtocol.HeaderSize, size));
            await stream.WriteAsync(buffer.AsMemory(0, GrpcProtocol.HeaderSize + size), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}

/// <summary>A request body the caller writes message by message; completing it ends the request stream.</summary>
internal sealed class PushStreamContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Stream> StreamTask => _stream.Task;

    public void Complete() => _done.TrySetResult();

    /// <summary>Ends the body without completing it normally (the call ended or was cancelled).</summary>
    public void Abort()
    {
        _stream.TrySetCanceled();
        _done.TrySetResult();
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        _stream.TrySetResult(stream);
        return _done.Task;
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
