using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Google.Protobuf.Reflection;

// Shared with tools/reliability (linked), which mutates this corpus at volume.
namespace Parks.Reliability.Corpus;

/// <summary>
/// Malformed protobuf requests for one method, derived from its request descriptor: a fixed regression corpus (the
/// tests) and seeded mutations of it (tools/reliability fuzz). Each case is the message bytes (framed by the sender).
/// </summary>
public static class HostileCorpus
{
    public const int OversizedBytes = 5 * 1024 * 1024;

    public static IEnumerable<(string Case, byte[] Message)> For(MessageDescriptor input)
    {
        var populated = Populated(input);
        yield return ("empty", []);
        yield return ("populated", populated);
        if (populated.Length > 1) yield return ("truncated", populated[..(populated.Length / 2 + 1)]);
        yield return ("length beyond the end", [(1 << 3) | 2, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 1, 2, 3]);
        yield return ("malformed varint", [(1 << 3) | 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
        yield return ("field number zero", [0, 1]);
        yield return ("wrong wire types", WrongWireTypes(input));
        yield return ("invalid utf-8 in every string", InvalidUtf8(input));
        yield return ("deep nesting (groups, 200 levels)", DeepGroups(200));
        yield return ("deep nesting (message fields, 200 levels)", DeepMessages(input, 200));
        yield return ("huge repeated field", HugeRepeated(input));
        yield return ("end-group without start", [(7 << 3) | 4]);
        yield return ("nested length near int.MaxValue (protobuf#26856)", NestedHugeLength(input));
        var random = new Random(input.FullName.Aggregate(17, (h, c) => h * 31 + c));
        for (var i = 0; i < 8; i++)
        {
            var bytes = new byte[random.Next(1, 64)];
            random.NextBytes(bytes);
            yield return ($"random {i}", bytes);
        }
    }

    /// <summary>Every top-level scalar field set to a plausible value (strings "x", numbers 1, nested messages empty).</summary>
    public static byte[] Populated(MessageDescriptor input)
    {
        var message = input.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in input.Fields.InDeclarationOrder())
        {
            if (field.IsMap || field.ContainingOneof is not null && field.ContainingOneof.Fields[0] != field) continue;
            object? value = field.FieldType switch
            {
                FieldType.String => "districts/lingshui/x",
                FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => 1,
                FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 1L,
                FieldType.UInt32 or FieldType.Fixed32 => 1u,
                FieldType.UInt64 or FieldType.Fixed64 => 1ul,
                FieldType.Bool => true,
                FieldType.Double => 1.0,
                FieldType.Float => 1.0f,
                FieldType.Bytes => ByteString.CopyFromUtf8("x"),
                FieldType.Message => field.MessageType.Parser.ParseFrom(ByteString.Empty),
                _ => null,
            };
            if (value is null) continue;
            if (field.IsRepeated) ((System.Collections.IList)field.Accessor.GetValue(message)).Add(value);
            else field.Accessor.SetValue(message, value);
        }
        return message.ToByteArray();
    }

    private static byte[] WrongWireTypes(MessageDescriptor input)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        foreach (var field in input.Fields.InDeclarationOrder())
        {
            var lengthDelimited = field.FieldType is FieldType.String or FieldType.Bytes or FieldType.Message || field.IsPacked;
            if (lengthDelimited)
            {
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                output.WriteUInt64(ulong.MaxValue);
            }
            else
            {
                output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFromUtf8("not a number"));
            }
        }
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] InvalidUtf8(MessageDescriptor input)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        var bad = ByteString.CopyFrom(0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80);
        foreach (var field in input.Fields.InDeclarationOrder())
        {
            if (field.FieldType == FieldType.String)
            {
                output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(bad);
            }
            else if (field.FieldType == FieldType.Message && !field.IsMap)
            {
                // The same inside each nested message.
                output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(InvalidUtf8Shallow(field.MessageType, bad)));
            }
        }
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] InvalidUtf8Shallow(MessageDescriptor message, ByteString bad)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        foreach (var field in message.Fields.InDeclarationOrder().Where(f => f.FieldType == FieldType.String))
        {
            output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(bad);
        }
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] DeepGroups(int depth)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < depth; i++) bytes.AddRange(Varint((1000u << 3) | 3));
        for (var i = 0; i < depth; i++) bytes.AddRange(Varint((1000u << 3) | 4));
        return [.. bytes];
    }

    /// <summary>A message field of the request nested into itself by field number (what is unknown is skipped, what is known recurses).</summary>
    private static byte[] DeepMessages(MessageDescriptor input, int depth)
    {
        var field = input.Fields.InDeclarationOrder().FirstOrDefault(f => f.FieldType == FieldType.Message && !f.IsMap);
        var number = (uint)(field?.FieldNumber ?? 1);
        byte[] inner = [];
        for (var i = 0; i < depth; i++) inner = [.. Varint((number << 3) | 2), .. Varint((uint)inner.Length), .. inner];
        return inner;
    }

    /// <summary>
    /// A message field whose length prefix is close to int.MaxValue, then a varint tag: Google.Protobuf 3.25.1 throws
    /// IndexOutOfRangeException for it instead of InvalidProtocolBufferException (found by tools/reliability fuzz).
    /// </summary>
    private static byte[] NestedHugeLength(MessageDescriptor input)
    {
        var field = input.Fields.InDeclarationOrder().FirstOrDefault(f => f.FieldType == FieldType.Message && !f.IsMap);
        return [.. Varint(((uint)(field?.FieldNumber ?? 1) << 3) | 2), 0xFF, 0xFF, 0xFF, 0xFF, 0x67, 0x08];
    }

    private static byte[] HugeRepeated(MessageDescriptor input)
    {
        var field = input.Fields.InDeclarationOrder().FirstOrDefault(f => f.IsRepeated && !f.IsMap);
        var number = (uint)(field?.FieldNumber ?? 999);
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        for (var i = 0; i < 200_000; i++)
        {
            if (field is { FieldType: FieldType.String or FieldType.Bytes or FieldType.Message })
            {
                output.WriteTag((int)number, WireFormat.WireType.LengthDelimited);
                output.WriteLength(0);
            }
            else
            {
                output.WriteTag((int)number, WireFormat.WireType.Varint);
                output.WriteUInt32(1);
            }
        }
        output.Flush();
        return stream.ToArray();
    }

    public static byte[] Oversized() => [.. Varint((999u << 3) | 2), .. Varint(OversizedBytes), .. new byte[OversizedBytes]];

    private static byte[] Varint(uint value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }

    public static byte[] Frame(byte[] message)
    {
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        return framed;
    }
}

/// <summary>Sends one framed gRPC request over h2c with HttpClient and reads the status (so nothing client-side filters it).</summary>
public sealed class RawGrpc : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async Task<(int Status, string Message)> SendAsync(string address, string path, byte[] body, Parks.Rpc.Metadata headers, string timeout = "10S")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, address + path)
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        request.Headers.Add("grpc-timeout", timeout);
        foreach (var entry in headers) request.Headers.TryAddWithoutValidation(entry.Key, entry.Value);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        }
        catch (HttpRequestException e)
        {
            // The server ended the stream or connection before the whole request was sent.
            return (-1, "request not fully sent: " + e.InnerException?.Message);
        }
        using var _ = response;
        var status = Header(response, "grpc-status");
        var message = Uri.UnescapeDataString(Header(response, "grpc-message") ?? string.Empty);
        if (response.StatusCode != HttpStatusCode.OK || status is null) return (-(int)response.StatusCode, message);
        return (int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), message);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var t) ? t.First()
        : response.Headers.TryGetValues(name, out var h) ? h.First() : null;

    public void Dispose() => _http.Dispose();
}
