using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Parks.Reliability.Tests.Support;

/// <summary>HTTP/2 error codes (RFC 9113 section 7).</summary>
public enum Http2Error : uint
{
    NoError = 0x0,
    ProtocolError = 0x1,
    InternalError = 0x2,
    FlowControlError = 0x3,
    SettingsTimeout = 0x4,
    StreamClosed = 0x5,
    FrameSizeError = 0x6,
    RefusedStream = 0x7,
    Cancel = 0x8,
    CompressionError = 0x9,
    ConnectError = 0xa,
    EnhanceYourCalm = 0xb,
    InadequateSecurity = 0xc,
    Http11Required = 0xd,
}

/// <summary>A GOAWAY the server sent: the last stream it says it processed, why, and its debug data.</summary>
public sealed record GoAway(int LastStreamId, Http2Error Error, string DebugData, long StreamsSentBefore);

/// <summary>
/// A deliberately small HTTP/2 client (RFC 9113) over one loopback TCP connection, cleartext with prior knowledge:
/// it writes exactly the frames a test asks for, in the order asked, so it can misbehave in ways HttpClient never
/// would (reset every stream at once, flood SETTINGS or PING, open more streams than the server allows). Frames are
/// appended to a buffer and written by <see cref="FlushAsync"/>, so a flood costs few system calls. A background
/// reader parses what the server sends and records it: its SETTINGS, SETTINGS and PING acknowledgements, RST_STREAM
/// codes per stream, response HEADERS, GOAWAY, and the end of the connection. Reading can be paused, which is how a
/// client "does not read its acknowledgements promptly". One writer at a time (the test); the reader never writes.
/// </summary>
public sealed class Http2FrameClient : IAsyncDisposable
{
    public const byte FrameData = 0x0, FrameHeaders = 0x1, FrameRstStream = 0x3, FrameSettings = 0x4, FramePing = 0x6, FrameGoAway = 0x7, FrameWindowUpdate = 0x8;
    public const byte FlagEndStream = 0x1, FlagAck = 0x1, FlagEndHeaders = 0x4;
    public const ushort SettingsHeaderTableSize = 0x1, SettingsMaxConcurrentStreams = 0x3, SettingsInitialWindowSize = 0x4, SettingsMaxFrameSize = 0x5;

    /// <summary>The top half of every PING payload this client sends ("PARK"), so an acknowledgement can be recognised as an echo of ours.</summary>
    public const ulong PingMarker = 0x5041524B_00000000;

    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly ArrayBufferWriter<byte> _pending = new(64 * 1024);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<IReadOnlyDictionary<ushort, uint>> _serverSettings = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<GoAway> _goAway = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<int, Http2Error> _resets = new();
    private readonly ConcurrentDictionary<int, bool> _responseHeaders = new();
    private volatile TaskCompletionSource _readingAllowed;
    private Task _reader = Task.CompletedTask;
    private long _settingsAcks;
    private long _pingAcks;
    private long _foreignPingAcks;
    private long _framesReceived;
    private long _bytesReceived;
    private long _streamsSent;

    private Http2FrameClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _readingAllowed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _readingAllowed.SetResult();
    }

    /// <summary>
    /// Connects to 127.0.0.1:<paramref name="port"/> and starts the reader (nothing is sent yet). A socket buffer size
    /// fixes the kernel's buffer for that direction (no autotuning), so a client that does not read is felt by the
    /// server after a known amount of data rather than after the several MiB loopback buffers grow to.
    /// </summary>
    public static async Task<Http2FrameClient> ConnectAsync(int port, int? socketBufferBytes = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (socketBufferBytes is { } bytes)
        {
            socket.ReceiveBufferSize = bytes;
            socket.SendBufferSize = bytes;
        }
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var client = new Http2FrameClient(socket);
        client._reader = Task.Run(client.ReadLoopAsync);
        return client;
    }

    /// <summary>The server's first SETTINGS frame (parameter → value), once it arrived.</summary>
    public Task<IReadOnlyDictionary<ushort, uint>> ServerSettings => _serverSettings.Task;

    /// <summary>Completes with the server's first GOAWAY.</summary>
    public Task<GoAway> GoAwayReceived => _goAway.Task;

    /// <summary>Completes when the connection ended (the server closed it, reset it, or the reader failed), with how.</summary>
    public Task<string> Closed => _closed.Task;

    public bool IsClosed => _closed.Task.IsCompleted;

    /// <summary>How the connection ended; null while it is open.</summary>
    public string? ClosedReason => _closed.Task.IsCompleted ? _closed.Task.Result : null;

    public GoAway? GoAwayFrame => _goAway.Task.IsCompletedSuccessfully ? _goAway.Task.Result : null;

    /// <summary>RST_STREAM frames the server sent, by stream id.</summary>
    public IReadOnlyDictionary<int, Http2Error> Resets => _resets;

    /// <summary>Streams the server sent response HEADERS on.</summary>
    public ICollection<int> StreamsWithResponseHeaders => _responseHeaders.Keys;

    public long SettingsAcks => Interlocked.Read(ref _settingsAcks);
    public long PingAcks => Interlocked.Read(ref _pingAcks);

    /// <summary>PING acknowledgements whose payload was not one this client sent (an ACK must echo the payload).</summary>
    public long ForeignPingAcks => Interlocked.Read(ref _foreignPingAcks);

    public long FramesReceived => Interlocked.Read(ref _framesReceived);
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Request HEADERS frames appended so far (read by the reader when a GOAWAY arrives).</summary>
    public long StreamsSent => Interlocked.Read(ref _streamsSent);

    /// <summary>Bytes appended and not yet written.</summary>
    public int Pending => _pending.WrittenCount;

    /// <summary>
    /// The connection preface, our SETTINGS and a connection WINDOW_UPDATE, then waits for the server's SETTINGS and
    /// acknowledges them, as a well-behaved client starts (RFC 9113 section 3.4).
    /// </summary>
    public async Task HandshakeAsync()
    {
        _pending.Write(Preface);
        AppendSettings((SettingsInitialWindowSize, 1u << 20));
        AppendWindowUpdate(0, 1 << 20);
        await FlushOrThrowAsync();
        var winner = await Task.WhenAny(ServerSettings, Closed, Task.Delay(TimeSpan.FromSeconds(15)));
        if (winner != ServerSettings) throw new InvalidOperationException($"no SETTINGS from the server: {(ClosedReason is { } closed ? "closed, " + closed : "none within 15 s")}");
        AppendSettingsAck();
        await FlushOrThrowAsync();
        // Wait for the acknowledgement of our SETTINGS too, so acknowledgements counted later are the test's alone.
        for (var waited = 0; SettingsAcks == 0; waited += 10)
        {
            if (IsClosed || waited > 15_000) throw new InvalidOperationException("the server did not acknowledge our SETTINGS: " + (ClosedReason ?? "none within 15 s"));
            await Task.Delay(10);
        }
    }

    /// <summary>Stops reading from the socket at the next frame: what the server sends piles up in the socket buffers and then in the server.</summary>
    public void PauseReading()
    {
        if (_readingAllowed.Task.IsCompleted) _readingAllowed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void ResumeReading() => _readingAllowed.TrySetResult();

    public void AppendSettings(params ReadOnlySpan<(ushort Id, uint Value)> settings)
    {
        var payload = WriteFrameHeader(settings.Length * 6, FrameSettings, 0, 0);
        foreach (var (id, value) in settings)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload, id);
            BinaryPrimitives.WriteUInt32BigEndian(payload[2..], value);
            payload = payload[6..];
        }
        _pending.Advance(9 + settings.Length * 6);
    }

    public void AppendSettingsAck()
    {
        WriteFrameHeader(0, FrameSettings, FlagAck, 0);
        _pending.Advance(9);
    }

    /// <summary>A request's HEADERS (END_HEADERS always; END_STREAM when the request has no body).</summary>
    public void AppendHeaders(int streamId, ReadOnlySpan<byte> headerBlock, bool endStream)
    {
        var payload = WriteFrameHeader(headerBlock.Length, FrameHeaders, (byte)(FlagEndHeaders | (endStream ? FlagEndStream : 0)), streamId);
        headerBlock.CopyTo(payload);
        _pending.Advance(9 + headerBlock.Length);
        Interlocked.Increment(ref _streamsSent);
    }

    public void AppendData(int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
        var payload = WriteFrameHeader(data.Length, FrameData, endStream ? FlagEndStream : (byte)0, streamId);
        data.CopyTo(payload);
        _pending.Advance(9 + data.Length);
    }

    public void AppendRstStream(int streamId, Http2Error error)
    {
        var payload = WriteFrameHeader(4, FrameRstStream, 0, streamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)error);
        _pending.Advance(13);
    }

    /// <summary>A PING (not an ACK) whose payload is <see cref="PingMarker"/> | <paramref name="sequence"/>.</summary>
    public void AppendPing(uint sequence)
    {
        var payload = WriteFrameHeader(8, FramePing, 0, 0);
        BinaryPrimitives.WriteUInt64BigEndian(payload, PingMarker | sequence);
        _pending.Advance(17);
    }

    public void AppendWindowUpdate(int streamId, int increment)
    {
        var payload = WriteFrameHeader(4, FrameWindowUpdate, 0, streamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)increment & 0x7FFFFFFF);
        _pending.Advance(13);
    }

    /// <summary>Writes the frame header (9 octets, RFC 9113 section 4.1) and returns the span for the payload (not yet advanced).</summary>
    private Span<byte> WriteFrameHeader(int length, byte type, byte flags, int streamId)
    {
        var span = _pending.GetSpan(9 + length);
        span[0] = (byte)(length >> 16);
        span[1] = (byte)(length >> 8);
        span[2] = (byte)length;
        span[3] = type;
        span[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], (uint)streamId & 0x7FFFFFFF);
        return span.Slice(9, length);
    }

    /// <summary>
    /// Starts writing the appended frames and clears the buffer. The task completes when the socket took every byte
    /// (true) or the connection failed (false: the server closed or reset it). It may stay incomplete for as long as
    /// the server does not read: callers that must not wait forever race it against a delay.
    /// </summary>
    public Task<bool> FlushAsync()
    {
        var bytes = _pending.WrittenSpan.ToArray();
        _pending.ResetWrittenCount();
        return WriteAsync(bytes);
    }

    private async Task<bool> WriteAsync(byte[] bytes)
    {
        try
        {
            await _stream.WriteAsync(bytes, _stop.Token);
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task FlushOrThrowAsync()
    {
        if (!await FlushAsync()) throw new InvalidOperationException("the connection failed while writing: " + (ClosedReason ?? "write error"));
    }

    private async Task ReadLoopAsync()
    {
        var header = new byte[9];
        var payload = new byte[1 << 16];
        // Buffered: frames are small and many; one socket read serves many frames. Not disposed here: that would
        // close the socket, which the client owns (a test may still be writing when the server ends the connection).
        var input = new BufferedStream(_stream, 64 * 1024);
        try
        {
            while (true)
            {
                await _readingAllowed.Task.WaitAsync(_stop.Token);
                await input.ReadExactlyAsync(header, _stop.Token);
                var length = header[0] << 16 | header[1] << 8 | header[2];
                var type = header[3];
                var flags = header[4];
                var streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF);
                if (length > payload.Length) payload = new byte[length];
                await input.ReadExactlyAsync(payload.AsMemory(0, length), _stop.Token);
                Interlocked.Increment(ref _framesReceived);
                Interlocked.Add(ref _bytesReceived, 9 + length);
                Record(type, flags, streamId, payload.AsSpan(0, length));
            }
        }
        catch (EndOfStreamException)
        {
            _closed.TrySetResult("closed by the server (end of stream)");
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            _closed.TrySetResult("closed by the client");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            var inner = e.InnerException is SocketException s ? s.SocketErrorCode.ToString() : e.Message;
            _closed.TrySetResult("ended by the server: " + inner);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException)
        {
            _closed.TrySetResult("a malformed frame from the server: " + e.Message);
        }
    }

    private void Record(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        switch (type)
        {
            case FrameSettings when (flags & FlagAck) != 0:
                Interlocked.Increment(ref _settingsAcks);
                break;
            case FrameSettings:
                var settings = new Dictionary<ushort, uint>();
                for (var i = 0; i + 6 <= payload.Length; i += 6)
                    settings[BinaryPrimitives.ReadUInt16BigEndian(payload[i..])] = BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]);
                _serverSettings.TrySetResult(settings);
                break;
            case FramePing when (flags & FlagAck) != 0:
                if ((BinaryPrimitives.ReadUInt64BigEndian(payload) & 0xFFFFFFFF_00000000) == PingMarker) Interlocked.Increment(ref _pingAcks);
                else Interlocked.Increment(ref _foreignPingAcks);
                break;
            case FrameRstStream:
                _resets[streamId] = (Http2Error)BinaryPrimitives.ReadUInt32BigEndian(payload);
                break;
            case FrameHeaders:
                _responseHeaders[streamId] = true;
                break;
            case FrameGoAway:
                var lastStreamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFFFFFF);
                var error = (Http2Error)BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
                _goAway.TrySetResult(new GoAway(lastStreamId, error, Encoding.ASCII.GetString(payload[8..]), StreamsSent));
                break;
        }
    }

    /// <summary>
    /// An HPACK header block (RFC 7541) for a gRPC request: every field a literal without indexing, with a literal
    /// name and no Huffman coding, so the server's dynamic table is never touched and the same block serves every stream.
    /// </summary>
    public static byte[] GrpcRequestHeaders(string authority, string path)
    {
        var block = new ArrayBufferWriter<byte>(256);
        foreach (var (name, value) in new[] { (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", authority), ("content-type", "application/grpc"), ("te", "trailers") })
        {
            WriteByte(block, 0x00); // literal header field without indexing, new name (section 6.2.2)
            WriteString(block, name);
            WriteString(block, value);
        }
        return block.WrittenSpan.ToArray();
    }

    private static void WriteString(ArrayBufferWriter<byte> block, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        WriteInteger(block, bytes.Length, 7, 0x00); // H = 0: not Huffman-coded
        block.Write(bytes);
    }

    /// <summary>An HPACK integer with an N-bit prefix (RFC 7541 section 5.1).</summary>
    private static void WriteInteger(ArrayBufferWriter<byte> block, int value, int prefixBits, byte firstByteFlags)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            WriteByte(block, (byte)(firstByteFlags | value));
            return;
        }
        WriteByte(block, (byte)(firstByteFlags | max));
        value -= max;
        while (value >= 128)
        {
            WriteByte(block, (byte)(value % 128 + 128));
            value /= 128;
        }
        WriteByte(block, (byte)value);
    }

    private static void WriteByte(ArrayBufferWriter<byte> block, byte value)
    {
        block.GetSpan(1)[0] = value;
        block.Advance(1);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        ResumeReading();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already reset by the server
        }
        await _stream.DisposeAsync();
        await _reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
