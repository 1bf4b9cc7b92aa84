using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Health.V1;
using Parks.Observability.TestApp;
using Parks.Observability.Tests.Support;
using Parks.Rpc;

namespace Parks.Observability.Tests;

/// <summary>Spans of calls between two hosts in this process, captured with an ActivityListener.</summary>
public sealed class TracingTests : IDisposable
{
    private static readonly ActivitySource TestSource = new("Parks.Observability.Tests");
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is RpcDiagnostics.ActivitySourceName or "Parks.Observability.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task A_call_through_a_relay_is_one_trace_with_client_and_server_spans_linked_hop_by_hop()
    {
        await using var downstream = await InProcessHost.StartAsync("trace-b");
        await using var relay = await InProcessHost.StartAsync("trace-a", (builder, rpc) =>
        {
            rpc.AddService<RelayService>();
            builder.Services.AddOptions<RelayOptions>().BindConfiguration(RelayOptions.Section);
        }, new Dictionary<string, string?> { ["Relay:Downstream"] = downstream.GrpcAddress });
        using var channel = RpcChannel.ForAddress(relay.GrpcAddress);

        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("test-root")!)
        {
            traceId = root.TraceId;
            await channel.CreateCallInvoker().AsyncUnaryCall(RelayService.CheckMethod, default, new HealthCheckRequest());
        }

        var spans = await WaitForSpansAsync(traceId, 5);
        var rootSpan = Assert.Single(spans, s => s.OperationName == "test-root");
        var testClient = Assert.Single(spans, s => s.Kind == ActivityKind.Client && s.OperationName == "parks.testing.Relay/Check");
        var relayServer = Assert.Single(spans, s => s.Kind == ActivityKind.Server && s.OperationName == "parks.testing.Relay/Check");
        var relayClient = Assert.Single(spans, s => s.Kind == ActivityKind.Client && s.OperationName == "grpc.health.v1.Health/Check");
        var downstreamServer = Assert.Single(spans, s => s.Kind == ActivityKind.Server && s.OperationName == "grpc.health.v1.Health/Check");
        Assert.Equal(rootSpan.SpanId, testClient.ParentSpanId);
        Assert.Equal(testClient.SpanId, relayServer.ParentSpanId);
        Assert.Equal(relayServer.SpanId, relayClient.ParentSpanId);
        Assert.Equal(relayClient.SpanId, downstreamServer.ParentSpanId);
        Assert.Equal("grpc", downstreamServer.GetTagItem("rpc.system"));
        Assert.Equal("grpc.health.v1.Health", downstreamServer.GetTagItem("rpc.service"));
        Assert.Equal("Check", downstreamServer.GetTagItem("rpc.method"));
        Assert.Equal(0, downstreamServer.GetTagItem("rpc.grpc.status_code"));
        Assert.All(spans, s => Assert.Equal(ActivityStatusCode.Unset, s.Status));
    }

    [Fact]
    public async Task A_caller_error_marks_the_client_span_but_not_the_server_span()
    {
        await using var host = await InProcessHost.StartAsync("trace-error");
        using var channel = RpcChannel.ForAddress(host.GrpcAddress);
        var health = new Health.HealthClient(channel);

        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("test-root")!)
        {
            traceId = root.TraceId;
            await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest { Service = "unknown" }));
        }

        var spans = await WaitForSpansAsync(traceId, 3);
        var client = Assert.Single(spans, s => s.Kind == ActivityKind.Client);
        var server = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal(ActivityStatusCode.Error, client.Status);
        Assert.Equal((int)StatusCode.NotFound, client.GetTagItem("rpc.grpc.status_code"));
        Assert.Equal(ActivityStatusCode.Unset, server.Status);
        Assert.Equal((int)StatusCode.NotFound, server.GetTagItem("rpc.grpc.status_code"));
    }

    [Fact]
    public async Task The_client_span_does_not_stay_current_in_the_callers_flow()
    {
        await using var host = await InProcessHost.StartAsync("trace-current");
        using var channel = RpcChannel.ForAddress(host.GrpcAddress);
        var health = new Health.HealthClient(channel);

        using var root = TestSource.StartActivity("test-root")!;
        await health.CheckAsync(new HealthCheckRequest());
        var call = health.CheckAsync(new HealthCheckRequest());
        Assert.Same(root, Activity.Current);
        await call;
        call.Dispose();

        Assert.Same(root, Activity.Current);
    }

    [Fact]
    public async Task A_call_without_trace_context_starts_a_new_trace_at_the_server()
    {
        await using var host = await InProcessHost.StartAsync("trace-root");
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        // A bare gRPC request (empty HealthCheckRequest), as a client that knows nothing of tracing sends it.
        using var request = new HttpRequestMessage(HttpMethod.Post, host.GrpcAddress + "/grpc.health.v1.Health/Check")
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.TryAddWithoutValidation("content-type", "application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");

        using (var response = await http.SendAsync(request))
        {
            await response.Content.ReadAsByteArrayAsync();
            Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
        }

        // Other tests' server spans all have a client span as parent; this one must be a root.
        var server = await WaitForAsync(() => _stopped.FirstOrDefault(s => s.Kind == ActivityKind.Server
            && s.OperationName == "grpc.health.v1.Health/Check" && s.ParentSpanId == default));
        Assert.Null(server.Parent);
        Assert.Null(server.ParentId);
    }

    private async Task<List<Activity>> WaitForSpansAsync(ActivityTraceId traceId, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var spans = _stopped.Where(a => a.TraceId == traceId).ToList();
            if (spans.Count >= count || timeout.IsCancellationRequested) return spans;
            await Task.Delay(20);
        }
    }

    private static async Task<Activity> WaitForAsync(Func<Activity?> find)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (find() is { } found) return found;
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Delay(20);
        }
    }
}
