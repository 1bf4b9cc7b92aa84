using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Health.V1;
using Parks.Observability.TestApp;
using Parks.Observability.Tests.Otlp;
using Parks.Observability.Tests.Support;
using Parks.Rpc;

namespace Parks.Observability.Tests;

/// <summary>
/// Two real processes (the test app as a relay and as its downstream) export over OTLP/gRPC to a receiver in the
/// test: the spans of both processes belong to the caller's trace, linked hop by hop, and the JSON logs carry
/// the same trace id.
/// </summary>
public sealed class CrossProcessTracingTests
{
    [Fact]
    public async Task One_request_is_one_trace_across_processes_in_spans_metrics_and_logs()
    {
        await using var collector = await OtlpCollector.StartAsync();
        var telemetry = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
            ["Parks__Hosting__LogFormat"] = "json",
        };
        await using var downstream = await ChildHost.StartAsync(new Dictionary<string, string>(telemetry) { ["Parks__Service__AppId"] = "parks-relay-b" });
        await using var relay = await ChildHost.StartAsync(new Dictionary<string, string>(telemetry)
        {
            ["Parks__Service__AppId"] = "parks-relay-a",
            ["Relay__Downstream"] = downstream.GrpcAddress,
        });

        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();
        using var channel = RpcChannel.ForAddress(relay.GrpcAddress);
        var headers = new Metadata { { "traceparent", $"00-{traceId}-{callerSpan}-01" } };
        var response = await channel.CreateCallInvoker().AsyncUnaryCall(RelayService.CheckMethod, new CallOptions(headers), new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);

        var spans = await EventuallyAsync(() =>
        {
            var found = collector.Spans.SelectMany(r => r.ScopeSpans.SelectMany(s => s.Spans.Select(span => (Service: ServiceName(r), Span: span))))
                .Where(s => s.Span.TraceId == ByteString.CopyFrom(Convert.FromHexString(traceId.ToHexString())))
                .ToList();
            return found.Count >= 3 ? found : null;
        });
        var relayServer = Assert.Single(spans, s => s.Service == "parks-relay-a" && s.Span.Kind == Span.Types.SpanKind.Server);
        var relayClient = Assert.Single(spans, s => s.Service == "parks-relay-a" && s.Span.Kind == Span.Types.SpanKind.Client);
        var downstreamServer = Assert.Single(spans, s => s.Service == "parks-relay-b" && s.Span.Kind == Span.Types.SpanKind.Server);
        Assert.Equal("parks.testing.Relay/Check", relayServer.Span.Name);
        Assert.Equal("grpc.health.v1.Health/Check", downstreamServer.Span.Name);
        Assert.Equal(callerSpan.ToHexString(), Convert.ToHexStringLower(relayServer.Span.ParentSpanId.Span));
        Assert.Equal(relayServer.Span.SpanId, relayClient.Span.ParentSpanId);
        Assert.Equal(relayClient.Span.SpanId, downstreamServer.Span.ParentSpanId);

        var metricServices = await EventuallyAsync(() =>
        {
            var services = collector.Metrics.Where(r => r.ScopeMetrics.Any(s => s.Metrics.Any(m => m.Name == "parks.rpc.server.calls")))
                .Select(ServiceName).Distinct().ToList();
            return services.Count >= 2 ? services : null;
        });
        Assert.Contains("parks-relay-a", metricServices);
        Assert.Contains("parks-relay-b", metricServices);

        var logged = relay.Output.Select(TryParseJson).OfType<JsonElement>()
            .Single(e => e.TryGetProperty("EventId", out var id) && id.GetInt32() == 1 && e.GetProperty("Category").GetString()!.EndsWith("RelayService", StringComparison.Ordinal));
        var scopes = logged.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.TryGetProperty("TraceId", out var t) && t.GetString() == traceId.ToHexString());
        Assert.Contains(scopes, s => s.TryGetProperty("SpanId", out var t) && t.GetString() == Convert.ToHexStringLower(relayServer.Span.SpanId.Span));
    }

    private static string ServiceName(ResourceSpans spans) => ServiceName(spans.Resource);

    private static string ServiceName(ResourceMetrics metrics) => ServiceName(metrics.Resource);

    private static string ServiceName(Parks.Observability.Tests.Otlp.Resource? resource) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value.StringValue ?? string.Empty;

    private static JsonElement? TryParseJson(string line)
    {
        if (!line.StartsWith('{')) return null;
        try
        {
            return JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<T> EventuallyAsync<T>(Func<T?> probe) where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (probe() is { } value) return value;
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Delay(100);
        }
    }
}
