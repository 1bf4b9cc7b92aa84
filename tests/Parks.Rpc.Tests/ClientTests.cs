using System.Net;
using Google.Protobuf;
using Grpc.Testing;

namespace Parks.Rpc.Tests;

/// <summary>Client behaviour beyond the interop cases: retries, deadline propagation, failures to connect.</summary>
public sealed class ClientTests : IAsyncLifetime
{
    private RpcTestServer _server = null!;

    public async Task InitializeAsync() => _server = await RpcTestServer.StartAsync(rpc => rpc.AddService<TestServiceImpl>());

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    private static SimpleRequest Failing(StatusCode code, string id) => new()
    {
        ResponseStatus = new EchoStatus { Code = (int)code, Message = "injected" },
        Payload = new Payload { Body = ByteString.CopyFromUtf8(id) },
    };

    [Fact]
    public async Task Unavailable_is_retried_for_idempotent_methods_only()
    {
        using var channel = RpcChannel.ForAddress(_server.Address);
        var client = new TestService.TestServiceClient(channel);
        var idempotent = Guid.NewGuid().ToString();
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.CacheableUnaryCallAsync(Failing(StatusCode.Unavailable, idempotent), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(20))));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(3, TestServiceImpl.Attempts[idempotent]);

        var other = Guid.NewGuid().ToString();
        ex = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryCallAsync(Failing(StatusCode.Unavailable, other), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(20))));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(1, TestServiceImpl.Attempts[other]);
    }

    [Fact]
    public async Task Other_failures_are_never_retried()
    {
        using var channel = RpcChannel.ForAddress(_server.Address);
        var id = Guid.NewGuid().ToString();
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new TestService.TestServiceClient(channel).CacheableUnaryCallAsync(Failing(StatusCode.Internal, id)));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Equal(1, TestServiceImpl.Attempts[id]);
    }

    [Fact]
    public async Task A_request_that_never_reached_the_server_is_retried_even_when_not_idempotent()
    {
        var handler = new RefuseFirstConnections(2, new SocketsHttpHandler());
        using var channel = RpcChannel.ForAddress(_server.Address, new RpcChannelOptions { HttpHandler = handler });
        var id = Guid.NewGuid().ToString();
        var response = await new TestService.TestServiceClient(channel).UnaryCallAsync(new SimpleRequest { ResponseSize = 4, Payload = new Payload { Body = ByteString.CopyFromUtf8(id) } });
        Assert.Equal(4, response.Payload.Body.Length);
        Assert.Equal(3, handler.Attempts);
        Assert.Equal(1, TestServiceImpl.Attempts[id]);
    }

    [Fact]
    public async Task A_server_that_is_down_gives_unavailable_quickly()
    {
        using var channel = RpcChannel.ForAddress($"http://127.0.0.1:{Repo.FreePort()}");
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new TestService.TestServiceClient(channel).EmptyCallAsync(new Empty(), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30))));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    [Fact]
    public async Task The_deadline_of_an_incoming_call_propagates_to_outgoing_calls()
    {
        // A server-side handler that forwards to the same server with PropagateFrom: the forwarded call carries
        // the caller's remaining deadline (grpc-timeout) and fails with DEADLINE_EXCEEDED when it passes.
        await using var relay = await RpcTestServer.StartAsync(rpc => rpc.AddService(_ => TestService.BindService(new RelayService(_server.Address))));
        using var channel = RpcChannel.ForAddress(relay.Address);
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.Add(new ResponseParameters { Size = 1, IntervalUs = 3_000_000 });
        var started = DateTime.UtcNow;
        using var call = new TestService.TestServiceClient(channel).StreamingOutputCall(request, new CallOptions(deadline: DateTime.UtcNow.AddMilliseconds(500)));
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(RelayService.LastForwardedTimeout is { } t && t <= TimeSpan.FromMilliseconds(500), $"forwarded timeout {RelayService.LastForwardedTimeout}");
    }

    private sealed class RelayService(string target) : TestService.TestServiceBase
    {
        public static TimeSpan? LastForwardedTimeout;

        public override async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
        {
            LastForwardedTimeout = context.Deadline - DateTime.UtcNow;
            using var channel = RpcChannel.ForAddress(target);
            using var call = new TestService.TestServiceClient(channel).StreamingOutputCall(request, new CallOptions().PropagateFrom(context));
            await foreach (var item in call.ResponseStream.ReadAllAsync()) await responseStream.WriteAsync(item);
        }
    }

    private sealed class RefuseFirstConnections(int refusals, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public int Attempts;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref Attempts) <= refusals)
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (simulated)", null, null);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
