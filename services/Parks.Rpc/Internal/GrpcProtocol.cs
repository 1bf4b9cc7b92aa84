using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Parks.Rpc.Internal;

/// <summary>Wire constants and codecs of gRPC over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md).</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string ContentTypeProto = "application/grpc+proto";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string TeHeader = "te";
    public const string TeTrailers = "trailers";
    public const string UserAgent = "parks-rpc/1.0";
    public const string IdentityEncoding = "identity";
    public const string GzipEncoding = "gzip";
    public const string SupportedEncodings = "identity,gzip";
    public const int HeaderSize = 5;
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    private static readonly string[] StatusStrings = Enumerable.Range(0, 17).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Cached decimal strings for status codes (no allocation per call).</summary>
    public static string StatusToString(StatusCode code) =>
        (uint)code < (uint)StatusStrings.Length ? StatusStrings[(int)code] : ((int)code).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// True for <c>application/grpc</c> and <c>application/grpc+proto</c> (optionally with parameters), the two
    /// content types that carry protobuf; <paramref name="isGrpc"/> tells whether it is a gRPC type at all.
    /// </summary>
    public static bool IsSupportedContentType(string? contentType, out bool isGrpc)
    {
        isGrpc = false;
        if (contentType is null) return false;
        if (!contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)) return false;
        var rest = contentType.AsSpan(ContentType.Length);
        if (rest.Length == 0 || rest[0] == ';') { isGrpc = true; return true; }
        if (rest[0] != '+') return false;
        isGrpc = true;
        var semi = rest.IndexOf(';');
        var subtype = semi < 0 ? rest[1..] : rest[1..semi];
        return subtype.Trim().Equals("proto", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Parses <c>grpc-timeout</c>: 1-8 ASCII digits and one unit of H M S m u n (case-sensitive).
    /// Returns false for a malformed value.
    /// </summary>
    public static bool TryParseTimeout(ReadOnlySpan<char> value, out TimeSpan timeout)
    {
        timeout = default;
        if (value.Length is < 2 or > 9) return false;
        var digits = value[..^1];
        long amount = 0;
        foreach (var c in digits)
        {
            if (c is < '0' or > '9') return false;
            amount = amount * 10 + (c - '0');
        }
        // 99,999,999 hours is ~11,400 years: beyond TimeSpan.MaxValue in ticks for H, so clamp.
        timeout = value[^1] switch
        {
            'H' => amount > TimeSpan.MaxValue.TotalHours ? TimeSpan.MaxValue : TimeSpan.FromHours(amount),
            'M' => TimeSpan.FromMinutes(amount),
            'S' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMilliseconds(amount),
            'u' => TimeSpan.FromTicks(amount * 10),
            'n' => TimeSpan.FromTicks(amount / 100),
            _ => TimeSpan.MinValue,
        };
        return timeout != TimeSpan.MinValue;
    }

    /// <summary>Encodes a timeout with at most 8 digits, choosing the finest unit that fits (rounding up).</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) return "0m";
        var ticks = timeout.Ticks;
        // microseconds, then milliseconds, seconds, minutes, hours
        var micros = (ticks + 9) / 10;
        if (micros < 100_000_000) return micros.ToString(CultureInfo.InvariantCulture) + "u";
        var millis = (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        if (millis < 100_000_000) return millis.ToString(CultureInfo.InvariantCulture) + "m";
        var seconds = (ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        if (seconds < 100_000_000) return seconds.ToString(CultureInfo.InvariantCulture) + "S";
        var minutes = (ticks + TimeSpan.TicksPerMinute - 1) / TimeSpan.TicksPerMinute;
        if (minutes < 100_000_000) return minutes.ToString(CultureInfo.InvariantCulture) + "M";
        var hours = Math.Min((ticks + TimeSpan.TicksPerHour - 1) / TimeSpan.TicksPerHour, 99_999_999);
        return hours.ToString(CultureInfo.InvariantCulture) + "H";
    }

    /// <summary>
    /// Percent-encodes a status message as the spec says: UTF-8, then every byte outside 0x20-0x7E and '%'
    /// itself as %XX. Reserved ASCII such as ':' stays literal (grpc-js decodes with decodeURI).
    /// </summary>
    public static string EncodeMessage(string message)
    {
        var needs = false;
        foreach (var c in message)
        {
            if (c is < ' ' or > '~' or '%') { needs = true; break; }
        }
        if (!needs) return message;

        var bytes = Encoding.UTF8.GetBytes(message);
        var sb = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            if (b is < 0x20 or > 0x7E or (byte)'%')
            {
                sb.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xF]);
            }
            else
            {
                sb.Append((char)b);
            }
        }
        return sb.ToString();
    }

    /// <summary>Decodes %XX sequences (any valid pair); malformed sequences are kept literally, never an error.</summary>
    public static string DecodeMessage(string? value)
    {
        if (string.IsNullOrEmpty(value)) return string.Empty;
        if (!value.Contains('%')) return value;
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                bytes.Add((byte)(HexValue(value[i + 1]) << 4 | HexValue(value[i + 2])));
                i += 2;
            }
            else if (c <= 0x7F)
            {
                bytes.Add((byte)c);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F');

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Decodes a <c>-bin</c> header value: padded or unpadded base64 (standard or URL-safe).</summary>
    public static byte[] DecodeBinaryHeader(string value)
    {
        var s = value.Trim();
        if (s.Length % 4 != 0) s = s.PadRight(s.Length + (4 - s.Length % 4), '=');
        if (s.Contains('-') || s.Contains('_')) s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s);
    }

    /// <summary>Encodes a <c>-bin</c> header value unpadded, as the spec recommends.</summary>
    public static string EncodeBinaryHeader(byte[] value) => Convert.ToBase64String(value).TrimEnd('=');

    /// <summary>Writes the 5-byte message prefix.</summary>
    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>The HTTP → gRPC status mapping for responses without grpc-status (doc/http-grpc-status-mapping.md).</summary>
    public static StatusCode MapHttpStatus(int httpStatus) => httpStatus switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        431 => StatusCode.Internal,
        _ => StatusCode.Unknown,
    };
}

/// <summary>The outcome of trying to read one length-prefixed message from a buffer.</summary>
internal enum FrameReadResult
{
    /// <summary>A whole message was read.</summary>
    Message,
    /// <summary>More bytes are needed.</summary>
    Incomplete,
    /// <summary>The message is larger than the limit.</summary>
    TooLarge,
    /// <summary>The compressed-flag byte is neither 0 nor 1.</summary>
    InvalidFlag,
}

/// <summary>Reads length-prefixed messages from a byte sequence that may hold partial or several frames.</summary>
internal static class FrameReader
{
    /// <summary>
    /// Tries to take one message from the start of <paramref name="buffer"/>. On success the buffer is sliced past
    /// it; on <see cref="FrameReadResult.TooLarge"/>, <paramref name="declaredLength"/> is the length the prefix claims.
    /// </summary>
    public static FrameReadResult TryRead(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out ReadOnlySequence<byte> message, out bool compressed, out long declaredLength)
    {
        message = default;
        compressed = false;
        declaredLength = 0;
        if (buffer.Length < GrpcProtocol.HeaderSize) return FrameReadResult.Incomplete;

        Span<byte> header = stackalloc byte[GrpcProtocol.HeaderSize];
        buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(header);
        var flag = header[0];
        if (flag > 1) return FrameReadResult.InvalidFlag;
        compressed = flag == 1;
        declaredLength = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (declaredLength > maxMessageSize) return FrameReadResult.TooLarge;
        if (buffer.Length < GrpcProtocol.HeaderSize + declaredLength) return FrameReadResult.Incomplete;

        message = buffer.Slice(GrpcProtocol.HeaderSize, declaredLength);
        buffer = buffer.Slice(message.End);
        return FrameReadResult.Message;
    }
}
