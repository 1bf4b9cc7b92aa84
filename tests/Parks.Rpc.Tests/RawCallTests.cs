using Google.Protobuf;
using Grpc.Testing;

namespace Parks.Rpc.Tests;

/// <summary>
/// Raw (pass-through) calls: a raw client against a typed server, and a raw proxy server in front of a typed
/// server called by a typed client, over the real protocol. Messages stay byte-identical; status, trailers,
/// deadlines and cancellation cross the proxy.
/// </summary>
public sealed class RawCallTests : IAsyncLifetime
{
    private static readonly RawMethod Unary = new(MethodType.Unary, TestService.ServiceName, "UnaryCall");
    private static readonly RawMethod StreamingOutput = new(MethodType.ServerStreaming, TestService.ServiceName, "StreamingOutputCall");
    private static readonly RawMethod StreamingInput = new(MethodType.ClientStreaming, TestService.ServiceName, "StreamingInputCall");
    private static readonly RawMethod FullDuplex = new(MethodType.DuplexStreaming, TestService.ServiceName, "FullDuplexCall");

    private RpcTestServer _backend = null!;
    private RpcTestServer _proxy = null!;
    private RpcChannel _backendChannel = null!;
    private RpcChannel _proxyChannel = null!;

    public async Task InitializeAsync()
    {
        _backend = await RpcTestServer.StartAsync(rpc => rpc.AddService<TestServiceImpl>());
        _backendChannel = RpcChannel.ForAddress(_backend.Address);
        var invoker = _backendChannel.CreateRawCallInvoker();
        _proxy = await RpcTestServer.StartAsync(rpc => rpc.AddService(_ => ProxyDefinition(invoker)));
        _proxyChannel = RpcChannel.ForAddress(_proxy.Address);
    }

    public async Task DisposeAsync()
    {
        _proxyChannel.Dispose();
        _backendChannel.Dispose();
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Raw_unary_call_returns_the_serialized_response()
    {
        var request = new SimpleRequest { ResponseSize = 31 };
        using var call = _backendChannel.CreateRawCallInvoker().AsyncUnaryCall(Unary, default, request.ToByteArray());

        var bytes = await call.ResponseAsync;

        var expected = new SimpleResponse { Payload = new Payload { Body = ByteString.CopyFrom(new byte[31]) } };
        Assert.Equal(expected.ToByteArray(), bytes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Raw_server_streaming_call_yields_each_message()
    {
        var request = new StreamingOutputCallRequest { ResponseParameters = { new ResponseParameters { Size = 3 }, new ResponseParameters { Size = 5 } } };
        using var call = _backendChannel.CreateRawCallInvoker().AsyncServerStreamingCall(StreamingOutput, default, request.ToByteArray());

        var sizes = new List<int>();
        await foreach (var message in call.ResponseStream.ReadAllAsync()) sizes.Add(StreamingOutputCallResponse.Parser.ParseFrom(message).Payload.Body.Length);

        Assert.Equal([3, 5], sizes);
    }

    [Fact]
    public async Task A_server_error_status_comes_with_the_servers_headers_with_or_without_retries()
    {
        var request = new SimpleRequest { ResponseStatus = new EchoStatus { Code = (int)StatusCode.NotFound, Message = "no such thing" } };
        foreach (var retry in new RetryPolicy?[] { null, new() })
        {
            using var channel = RpcChannel.ForAddress(_backend.Address, new RpcChannelOptions { Retry = retry });
            using var call = channel.CreateRawCallInvoker().AsyncUnaryCall(Unary, default, request.ToByteArray());

            var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

            Assert.Equal(StatusCode.NotFound, ex.StatusCode);
            // The headers task tells a status the server sent from a call that never reached it.
            Assert.True(call.ResponseHeadersAsync.IsCompletedSuccessfully);
        }
    }

    [Fact]
    public void Raw_method_of_another_type_is_refused()
    {
        var invoker = _backendChannel.CreateRawCallInvoker();
        Assert.Throws<ArgumentException>(() => invoker.AsyncUnaryCall(StreamingOutput, default, []));
    }

    [Fact]
    public async Task Typed_calls_pass_through_a_raw_proxy_unchanged()
    {
        var client = new TestService.TestServiceClient(_proxyChannel);

        var unary = await client.UnaryCallAsync(new SimpleRequest { ResponseSize = 7 });
        Assert.Equal(7, unary.Payload.Body.Length);

        using var output = client.StreamingOutputCall(new StreamingOutputCallRequest { ResponseParameters = { new ResponseParameters { Size = 1 }, new ResponseParameters { Size = 2 } } });
        var sizes = new List<int>();
        await foreach (var message in output.ResponseStream.ReadAllAsync()) sizes.Add(message.Payload.Body.Length);
        Assert.Equal([1, 2], sizes);

        using var input = client.StreamingInputCall();
        await input.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[10]) } });
        await input.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = new Payload { Body = ByteString.CopyFrom(new byte[20]) } });
        await input.RequestStream.CompleteAsync();
        Assert.Equal(30, (await input.ResponseAsync).AggregatedPayloadSize);

        using var duplex = client.FullDuplexCall();
        await duplex.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseParameters = { new ResponseParameters { Size = 4 } } });
        Assert.True(await duplex.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(4, duplex.ResponseStream.Current.Payload.Body.Length);
        await duplex.RequestStream.CompleteAsync();
        Assert.False(await duplex.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task Backend_status_and_trailers_cross_the_proxy()
    {
        var client = new TestService.TestServiceClient(_proxyChannel);
        var request = new SimpleRequest { ResponseStatus = new EchoStatus { Code = (int)StatusCode.FailedPrecondition, Message = "not now ☺" } };
        var headers = new Metadata { { "x-grpc-test-echo-trailing-bin", new byte[] { 1, 2, 3 } } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryCallAsync(request, new CallOptions(headers)).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal("not now ☺", ex.Status.Detail);
        Assert.Equal(new byte[] { 1, 2, 3 }, ex.Trailers.GetValueBytes("x-grpc-test-echo-trailing-bin"));
    }

    [Fact]
    public async Task Caller_deadline_reaches_the_backend_through_the_proxy()
    {
        var client = new TestService.TestServiceClient(_proxyChannel);
        var request = new StreamingOutputCallRequest { ResponseParameters = { new ResponseParameters { Size = 1, IntervalUs = 5_000_000 } } };
        using var call = client.StreamingOutputCall(request, new CallOptions(deadline: DateTime.UtcNow.AddMilliseconds(300)));

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    /// <summary>A proxy for four TestService methods: raw handlers forwarding to the backend with the caller's deadline.</summary>
    private static ServerServiceDefinition ProxyDefinition(RawCallInvoker backend) =>
        ServerServiceDefinition.CreateBuilder(TestService.ServiceName)
            .AddMethod(Unary, (request, context) => backend.AsyncUnaryCall(Unary, Forward(context), request).ResponseAsync)
            .AddMethod(StreamingOutput, async (request, responses, context) =>
            {
                using var call = backend.AsyncServerStreamingCall(StreamingOutput, Forward(context), request);
                await foreach (var message in call.ResponseStream.ReadAllAsync(context.CancellationToken)) await responses.WriteAsync(message);
            })
            .AddMethod(StreamingInput, async (requests, context) =>
            {
                using var call = backend.AsyncClientStreamingCall(StreamingInput, Forward(context));
                await foreach (var message in requests.ReadAllAsync(context.CancellationToken)) await call.RequestStream.WriteAsync(message);
                await call.RequestStream.CompleteAsync();
                return await call.ResponseAsync;
            })
            .AddMethod(FullDuplex, async (requests, responses, context) =>
            {
                using var call = backend.AsyncDuplexStreamingCall(FullDuplex, Forward(context));
                var upstream = Task.Run(async () =>
                {
                    await foreach (var message in requests.ReadAllAsync(context.CancellationToken)) await call.RequestStream.WriteAsync(message);
                    await call.RequestStream.CompleteAsync();
                });
                await foreach (var message in call.ResponseStream.ReadAllAsync(context.CancellationToken)) await responses.WriteAsync(message);
                await upstream;
            })
            .Build();

    private static CallOptions Forward(ServerCallContext context)
    {
        var headers = new Metadata();
        foreach (var entry in context.RequestHeaders) headers.Add(entry);
        return new CallOptions(headers).PropagateFrom(context);
    }
}
