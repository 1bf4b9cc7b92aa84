using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Parks.Rpc.Internal;

/// <summary>What every call handler of one server shares: options, interceptors, logging, metrics.</summary>
internal sealed class ServerRuntime
{
    public ServerRuntime(RpcServerOptions options, IReadOnlyList<Interceptor> interceptors, ILogger logger, IMeterFactory? meterFactory = null)
    {
        Options = options;
        Interceptors = interceptors;
        Logger = logger;
        MaxReceiveMessageSize = options.MaxReceiveMessageSize ?? int.MaxValue;
        Metrics = meterFactory is null ? ServerMetrics.Shared : new ServerMetrics(meterFactory.Create(RpcDiagnostics.MeterName));
    }

    public RpcServerOptions Options { get; }
    public IReadOnlyList<Interceptor> Interceptors { get; }
    public ILogger Logger { get; }
    public int MaxReceiveMessageSize { get; }
    public ServerMetrics Metrics { get; }
}

/// <summary>
/// Server call metrics. Each host gets its own meter from its IMeterFactory, so two hosts in one process (the
/// local run's single-process mode, tests) each report only their own calls. Calls in progress are counted by each
/// method's handler and observed when metrics are collected, so a call records two measurements (count and
/// duration) instead of four.
/// </summary>
internal sealed class ServerMetrics
{
    public static readonly ServerMetrics Shared = new(new Meter(RpcDiagnostics.MeterName));

    private readonly Counter<long> _calls;
    private readonly Histogram<double> _duration;
    private readonly Lock _handlersGate = new();
    private ServerCallHandler[] _handlers = [];

    public ServerMetrics(Meter meter)
    {
        _calls = meter.CreateCounter<long>("parks.rpc.server.calls", description: "gRPC calls handled, by method and status code.");
        _duration = meter.CreateHistogram<double>("parks.rpc.server.duration", unit: "s", description: "gRPC call duration, by method and status code.");
        meter.CreateObservableUpDownCounter("parks.rpc.server.active_calls", ObserveActiveCalls, description: "gRPC calls in progress.");
    }

    /// <summary>Adds a method's handler to those whose calls in progress are reported.</summary>
    public void Track(ServerCallHandler handler)
    {
        lock (_handlersGate) _handlers = [.. _handlers, handler];
    }

    private IEnumerable<Measurement<long>> ObserveActiveCalls()
    {
        foreach (var handler in Volatile.Read(ref _handlers))
            yield return new Measurement<long>(handler.ActiveCalls, new KeyValuePair<string, object?>("rpc.method", handler.Method.FullName));
    }

    public void CallEnded(string method, StatusCode code, long startTimestamp)
    {
        if (!_calls.Enabled && !_duration.Enabled) return;
        var tags = new TagList
        {
            { "rpc.method", method },
            { "rpc.grpc.status_code", GrpcProtocol.StatusToString(code) },
        };
        _calls.Add(1, tags);
        if (_duration.Enabled) _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }
}

internal static partial class RpcLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Error when executing service method '{Method}'.")]
    public static partial void HandlerError(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Call {Method} ended with status {StatusCode}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Call {Method} was cancelled by the client.")]
    public static partial void ClientCancelled(ILogger logger, string method);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Call {Method} exceeded its deadline.")]
    public static partial void DeadlineExceeded(ILogger logger, string method);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Rejected request to {Path}: {Reason}")]
    public static partial void RequestRejected(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "Could not write the status of call {Method}.")]
    public static partial void StatusWriteFailed(ILogger logger, string method, Exception exception);
}
