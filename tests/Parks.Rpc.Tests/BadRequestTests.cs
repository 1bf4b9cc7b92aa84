using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Testing;

namespace Parks.Rpc.Tests;

/// <summary>
/// Hostile and malformed requests sent as raw HTTP/2: each gets the right status, and the server keeps serving
/// other calls (checked after every case).
/// </summary>
public sealed class BadRequestTests : IAsyncLifetime
{
    private const string UnaryPath = "/grpc.testing.TestService/UnaryCall";
    private RpcTestServer _server = null!;
    private HttpMessageInvoker _http = null!;

    public async Task InitializeAsync()
    {
        _server = await RpcTestServer.StartAsync(rpc => rpc.AddService<TestServiceImpl>());
        _http = new HttpMessageInvoker(new SocketsHttpHandler());
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    public static byte[] Frame(byte[] message, byte flag = 0, uint? declaredLength = null)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), declaredLength ?? (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    private static byte[] Valid => new SimpleRequest { ResponseSize = 3 }.ToByteArray();

    private async Task<(HttpStatusCode Http, int? Grpc, string Message, HttpResponseMessage Response)> SendAsync(byte[] body, string? contentType = "application/grpc", string path = UnaryPath, Action<HttpRequestMessage>? configure = null, int? port = null, Version? version = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port ?? _server.GrpcPort}{path}")
        {
            Version = version ?? HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (contentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        configure?.Invoke(request);
        var response = await _http.SendAsync(request, CancellationToken.None);
        await response.Content.ReadAsByteArrayAsync();
        var status = Header(response, "grpc-status");
        var message = Header(response, "grpc-message") ?? string.Empty;
        return (response.StatusCode, status is null ? null : int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), message, response);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var v) ? v.First()
        : response.TrailingHeaders.TryGetValues(name, out var t) ? t.First() : null;

    private async Task AssertStillServingAsync()
    {
        using var channel = RpcChannel.ForAddress(_server.Address);
        var response = await new TestService.TestServiceClient(channel).UnaryCallAsync(new SimpleRequest { ResponseSize = 5 }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
        Assert.Equal(5, response.Payload.Body.Length);
    }

    [Fact]
    public async Task A_valid_raw_request_succeeds_with_status_in_trailers()
    {
        var (http, grpc, _, response) = await SendAsync(Frame(Valid));
        Assert.Equal(HttpStatusCode.OK, http);
        Assert.Equal(0, grpc);
        Assert.True(response.TrailingHeaders.Contains("grpc-status"));
    }

    [Theory]
    [InlineData("truncated prefix", new byte[] { 0, 0, 0 }, 13)]
    [InlineData("length larger than the body", new byte[] { 0, 0, 0, 0, 100, 1, 2, 3 }, 13)]
    [InlineData("length beyond the 4 MiB limit", new byte[] { 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3 }, 8)]
    [InlineData("compressed flag without grpc-encoding", new byte[] { 1, 0, 0, 0, 2, 0x10, 0x03 }, 13)]
    [InlineData("invalid flag byte", new byte[] { 7, 0, 0, 0, 0 }, 13)]
    [InlineData("garbage protobuf", new byte[] { 0, 0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF }, 13)]
    [InlineData("no message at all", new byte[0], 13)]
    public async Task Malformed_bodies_get_a_precise_status(string what, byte[] body, int expected)
    {
        var (http, grpc, message, _) = await SendAsync(body);
        Assert.True(http == HttpStatusCode.OK, what);
        Assert.True(expected == grpc, $"{what}: expected {expected}, got {grpc} '{message}'");
        Assert.False(string.IsNullOrEmpty(message), what);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Two_messages_on_a_unary_method_are_refused()
    {
        var (_, grpc, message, _) = await SendAsync([.. Frame(Valid), .. Frame(Valid)]);
        Assert.Equal(13, grpc);
        Assert.Contains("exactly one request message", message, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task An_oversized_message_is_resource_exhausted()
    {
        var big = new SimpleRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) } }.ToByteArray();
        var (_, grpc, message, _) = await SendAsync(Frame(big));
        Assert.Equal(8, grpc);
        Assert.Contains("maximum configured message size", message, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/grpc+json")]
    public async Task Wrong_or_missing_content_type_is_415(string? contentType)
    {
        var (http, grpc, _, _) = await SendAsync(Frame(Valid), contentType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, http);
        Assert.Equal(13, grpc);
        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData("application/grpc")]
    [InlineData("application/grpc+proto")]
    [InlineData("application/grpc; charset=utf-8")]
    public async Task Both_grpc_protobuf_content_types_are_accepted(string contentType)
    {
        var (_, grpc, _, _) = await SendAsync(Frame(Valid), contentType);
        Assert.Equal(0, grpc);
    }

    [Fact]
    public async Task A_deadline_already_passed_is_deadline_exceeded()
    {
        var (_, grpc, _, _) = await SendAsync(Frame(Valid), configure: r => r.Headers.TryAddWithoutValidation("grpc-timeout", "0m"));
        Assert.Equal(4, grpc);
        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("10")]
    [InlineData("123456789S")]
    [InlineData("5x")]
    public async Task A_malformed_timeout_is_internal(string value)
    {
        var (_, grpc, message, _) = await SendAsync(Frame(Valid), configure: r => r.Headers.TryAddWithoutValidation("grpc-timeout", value));
        Assert.Equal(13, grpc);
        Assert.Contains("grpc-timeout", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsupported_encoding_is_unimplemented_and_names_the_supported_ones()
    {
        var (_, grpc, _, response) = await SendAsync(Frame(Valid, flag: 1), configure: r => r.Headers.TryAddWithoutValidation("grpc-encoding", "snappy"));
        Assert.Equal(12, grpc);
        Assert.Equal("identity,gzip", response.Headers.GetValues("grpc-accept-encoding").Single());
    }

    [Fact]
    public async Task A_gzip_compressed_request_is_decompressed()
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(new SimpleRequest { ResponseSize = 9 }.ToByteArray());
        var (_, grpc, _, response) = await SendAsync(Frame(compressed.ToArray(), flag: 1), configure: r => r.Headers.TryAddWithoutValidation("grpc-encoding", "gzip"));
        Assert.Equal(0, grpc);
    }

    [Fact]
    public async Task Unknown_service_and_method_are_unimplemented_on_http_200()
    {
        var (http, grpc, message, _) = await SendAsync(Frame(Valid), path: "/no.such.Service/Call");
        Assert.Equal(HttpStatusCode.OK, http);
        Assert.Equal(12, grpc);
        Assert.Equal("Service is unimplemented.", message);

        (http, grpc, message, _) = await SendAsync(Frame(Valid), path: "/grpc.testing.TestService/NoSuchMethod");
        Assert.Equal(HttpStatusCode.OK, http);
        Assert.Equal(12, grpc);
        Assert.Equal("Method is unimplemented.", message);
    }

    [Fact]
    public async Task Grpc_over_http1_is_refused()
    {
        var (http, grpc, _, _) = await SendAsync(Frame(Valid), port: _server.HttpPort, version: HttpVersion.Version11);
        Assert.Equal(HttpStatusCode.UpgradeRequired, http);
        Assert.Equal(13, grpc);
    }

    [Fact]
    public async Task A_seeded_stream_of_mutated_frames_never_breaks_the_server()
    {
        // Deterministic fuzzing over the real protocol: bit flips, truncation, lying lengths, random bytes.
        var random = new Random(20261122);
        var valid = Frame(new SimpleRequest { ResponseSize = 17, Payload = new Payload { Body = ByteString.CopyFrom(new byte[40]) } }.ToByteArray());
        var allowed = new HashSet<int> { 0, 3, 8, 13 };
        for (var i = 0; i < 300; i++)
        {
            var body = (byte[])valid.Clone();
            switch (random.Next(5))
            {
                case 0: body[random.Next(body.Length)] ^= (byte)(1 << random.Next(8)); break;
                case 1: body = body[..random.Next(body.Length)]; break;
                case 2: BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)random.Next()); break;
                case 3: random.NextBytes(body); break;
                default: body = [.. body, .. body[..random.Next(body.Length)]]; break;
            }
            var (http, grpc, message, _) = await SendAsync(body);
            Assert.Equal(HttpStatusCode.OK, http);
            Assert.True(grpc is { } g && allowed.Contains(g), $"case {i}: status {grpc} '{message}'");
        }
        await AssertStillServingAsync();
        Assert.Empty(_server.Errors.Entries);
    }
}
