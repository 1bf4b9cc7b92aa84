using Google.Protobuf;
using Grpc.Testing;

namespace Parks.Rpc.Tests.Interop;

/// <summary>The interop client cases (doc/interop-test-descriptions.md) written against the Parks client.</summary>
internal static class InteropCases
{
    public static readonly string[] Names =
    [
        "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
        "custom_metadata", "status_code_and_message", "special_status_message", "unimplemented_method",
        "unimplemented_service", "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server",
    ];

    private static readonly int[] RequestSizes = [27182, 8, 1828, 45904];
    private static readonly int[] ResponseSizes = [31415, 9, 2653, 58979];

    public static Task RunAsync(string name, RpcChannel channel)
    {
        var client = new TestService.TestServiceClient(channel);
        return name switch
        {
            "empty_unary" => EmptyUnary(client),
            "large_unary" => LargeUnary(client),
            "client_streaming" => ClientStreaming(client),
            "server_streaming" => ServerStreaming(client),
            "ping_pong" => PingPong(client),
            "empty_stream" => EmptyStream(client),
            "custom_metadata" => CustomMetadata(client),
            "status_code_and_message" => StatusCodeAndMessage(client),
            "special_status_message" => SpecialStatusMessage(client),
            "unimplemented_method" => UnimplementedMethod(client),
            "unimplemented_service" => UnimplementedService(channel),
            "cancel_after_begin" => CancelAfterBegin(client),
            "cancel_after_first_response" => CancelAfterFirstResponse(client),
            "timeout_on_sleeping_server" => TimeoutOnSleepingServer(client),
            _ => throw new ArgumentException($"unknown case {name}"),
        };
    }

    private static CallOptions Options(Metadata? headers = null) => new(headers, DateTime.UtcNow.AddSeconds(30));

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };

    private static async Task EmptyUnary(TestService.TestServiceClient client)
    {
        var response = await client.EmptyCallAsync(new Empty(), Options());
        Assert.Equal(new Empty(), response);
    }

    private static async Task LargeUnary(TestService.TestServiceClient client)
    {
        var response = await client.UnaryCallAsync(new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) }, Options());
        Assert.Equal(314159, response.Payload.Body.Length);
        Assert.All(response.Payload.Body.ToByteArray(), b => Assert.Equal(0, b));
    }

    private static async Task ClientStreaming(TestService.TestServiceClient client)
    {
        using var call = client.StreamingInputCall(Options());
        foreach (var size in RequestSizes) await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(size) });
        await call.RequestStream.CompleteAsync();
        var response = await call;
        Assert.Equal(74922, response.AggregatedPayloadSize);
    }

    private static async Task ServerStreaming(TestService.TestServiceClient client)
    {
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.AddRange(ResponseSizes.Select(s => new ResponseParameters { Size = s }));
        using var call = client.StreamingOutputCall(request, Options());
        var sizes = new List<int>();
        await foreach (var response in call.ResponseStream.ReadAllAsync()) sizes.Add(response.Payload.Body.Length);
        Assert.Equal(ResponseSizes, sizes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private static async Task PingPong(TestService.TestServiceClient client)
    {
        using var call = client.FullDuplexCall(Options());
        for (var i = 0; i < RequestSizes.Length; i++)
        {
            var request = new StreamingOutputCallRequest { Payload = Zeros(RequestSizes[i]) };
            request.ResponseParameters.Add(new ResponseParameters { Size = ResponseSizes[i] });
            await call.RequestStream.WriteAsync(request);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(ResponseSizes[i], call.ResponseStream.Current.Payload.Body.Length);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private static async Task EmptyStream(TestService.TestServiceClient client)
    {
        using var call = client.FullDuplexCall(Options());
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private static async Task CustomMetadata(TestService.TestServiceClient client)
    {
        Metadata Headers() => new()
        {
            { "x-grpc-test-echo-initial", "test_initial_metadata_value" },
            { "x-grpc-test-echo-trailing-bin", new byte[] { 0xab, 0xab, 0xab } },
        };

        using (var unary = client.UnaryCallAsync(new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) }, Options(Headers())))
        {
            await unary;
            Assert.Equal("test_initial_metadata_value", (await unary.ResponseHeadersAsync).GetValue("x-grpc-test-echo-initial"));
            Assert.Equal(new byte[] { 0xab, 0xab, 0xab }, unary.GetTrailers().GetValueBytes("x-grpc-test-echo-trailing-bin"));
        }

        using var call = client.FullDuplexCall(Options(Headers()));
        var request = new StreamingOutputCallRequest { Payload = Zeros(271828) };
        request.ResponseParameters.Add(new ResponseParameters { Size = 314159 });
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        Assert.Equal("test_initial_metadata_value", (await call.ResponseHeadersAsync).GetValue("x-grpc-test-echo-initial"));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(314159, call.ResponseStream.Current.Payload.Body.Length);
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(new byte[] { 0xab, 0xab, 0xab }, call.GetTrailers().GetValueBytes("x-grpc-test-echo-trailing-bin"));
    }

    private static async Task StatusCodeAndMessage(TestService.TestServiceClient client)
    {
        var echo = new EchoStatus { Code = 2, Message = "test status message" };
        var unary = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryCallAsync(new SimpleRequest { ResponseStatus = echo }, Options()));
        Assert.Equal(StatusCode.Unknown, unary.StatusCode);
        Assert.Equal("test status message", unary.Status.Detail);

        using var call = client.FullDuplexCall(Options());
        await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = echo });
        await call.RequestStream.CompleteAsync();
        var streamed = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Unknown, streamed.StatusCode);
        Assert.Equal("test status message", streamed.Status.Detail);
    }

    private static async Task SpecialStatusMessage(TestService.TestServiceClient client)
    {
        const string message = "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n";
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.UnaryCallAsync(new SimpleRequest { ResponseStatus = new EchoStatus { Code = 2, Message = message } }, Options()));
        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.Equal(message, ex.Status.Detail);
    }

    private static async Task UnimplementedMethod(TestService.TestServiceClient client)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.UnimplementedCallAsync(new Empty(), Options()));
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    private static async Task UnimplementedService(RpcChannel channel)
    {
        var client = new Grpc.Testing.UnimplementedService.UnimplementedServiceClient(channel);
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.UnimplementedCallAsync(new Empty(), Options()));
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    private static async Task CancelAfterBegin(TestService.TestServiceClient client)
    {
        using var cts = new CancellationTokenSource();
        using var call = client.StreamingInputCall(Options().WithCancellationToken(cts.Token));
        cts.Cancel();
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call);
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    private static async Task CancelAfterFirstResponse(TestService.TestServiceClient client)
    {
        using var cts = new CancellationTokenSource();
        using var call = client.FullDuplexCall(Options().WithCancellationToken(cts.Token));
        var request = new StreamingOutputCallRequest { Payload = Zeros(27182) };
        request.ResponseParameters.Add(new ResponseParameters { Size = 31415 });
        await call.RequestStream.WriteAsync(request);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(31415, call.ResponseStream.Current.Payload.Body.Length);
        cts.Cancel();
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    private static async Task TimeoutOnSleepingServer(TestService.TestServiceClient client)
    {
        using var call = client.FullDuplexCall(new CallOptions(deadline: DateTime.UtcNow.AddMilliseconds(1)));
        try
        {
            await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { Payload = Zeros(27182) });
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
        {
            // The deadline may pass before the write: that is the expected outcome too.
        }
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }
}
