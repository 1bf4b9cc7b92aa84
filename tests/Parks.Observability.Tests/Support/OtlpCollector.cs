using System.Collections.Concurrent;
using Parks.Observability.Tests.Otlp;
using Parks.Rpc;

namespace Parks.Observability.Tests.Support;

/// <summary>An OTLP/gRPC receiver (trace and metrics services) that keeps what it is sent.</summary>
internal sealed class OtlpCollector : IAsyncDisposable
{
    private readonly InProcessHost _host;
    private readonly Receiver _receiver;

    private OtlpCollector(InProcessHost host, Receiver receiver)
    {
        _host = host;
        _receiver = receiver;
    }

    public string Endpoint => _host.GrpcAddress;

    public IReadOnlyCollection<ResourceSpans> Spans => _receiver.Spans;

    public IReadOnlyCollection<ResourceMetrics> Metrics => _receiver.Metrics;

    public static async Task<OtlpCollector> StartAsync()
    {
        var receiver = new Receiver();
        var host = await InProcessHost.StartAsync("otlp-collector", (_, rpc) =>
        {
            rpc.AddService(_ => TraceService.BindService(receiver.Traces));
            rpc.AddService(_ => MetricsService.BindService(receiver.MetricsService));
        });
        return new OtlpCollector(host, receiver);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private sealed class Receiver
    {
        public ConcurrentQueue<ResourceSpans> Spans { get; } = new();

        public ConcurrentQueue<ResourceMetrics> Metrics { get; } = new();

        public TraceReceiver Traces => new(this);

        public MetricsReceiver MetricsService => new(this);
    }

    private sealed class TraceReceiver(Receiver owner) : TraceService.TraceServiceBase
    {
        public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
        {
            foreach (var spans in request.ResourceSpans) owner.Spans.Enqueue(spans);
            return Task.FromResult(new ExportTraceServiceResponse());
        }
    }

    private sealed class MetricsReceiver(Receiver owner) : MetricsService.MetricsServiceBase
    {
        public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
        {
            foreach (var metrics in request.ResourceMetrics) owner.Metrics.Enqueue(metrics);
            return Task.FromResult(new ExportMetricsServiceResponse());
        }
    }
}
