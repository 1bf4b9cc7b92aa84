using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Parks.Rpc.Internal;

/// <summary>What every call handler of one server shares: options, interceptors, logging, metrics.</summary>
internal sealed class ServerRuntime
{
    public const string MeterName = "Parks.Rpc";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("parks.rpc.server.calls", description: "gRPC calls handled, by method and status code.");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("parks.rpc.server.duration", unit: "s", description: "gRPC call duration, by method and status code.");
    private static readonly UpDownCounter<long> Active = Meter.CreateUpDownCounter<long>("parks.rpc.server.active_calls", description: "gRPC calls in progress.");

    public ServerRuntime(RpcServerOptions options, IReadOnlyList<Interceptor> interceptors, ILogger logger)
    {
        Options = options;
        Interceptors = interceptors;
        Logger = logger;
        MaxReceiveMessageSize = options.MaxReceiveMessageSize ?? int.MaxValue;
    }

    public RpcServerOptions Options { get; }
    public IReadOnlyList<Interceptor> Interceptors { get; }
    public ILogger Logger { get; }
    public int MaxReceiveMessageSize { get; }

    public static void CallStarted(string method)
    {
        if (Active.Enabled) Active.Add(1, new KeyValuePair<string, object?>("rpc.method", method));
    }

    public static void CallEnded(string method, StatusCode code, long startTimestamp)
    {
        if (Active.Enabled) Active.Add(-1, new KeyValuePair<string, object?>("rpc.method", method));
        if (!Calls.Enabled && !Duration.Enabled) return;
        var tags = new TagList
        {
            { "rpc.method", method },
            { "rpc.grpc.status_code", GrpcProtocol.StatusToString(code) },
        };
        Calls.Add(1, tags);
        if (Duration.Enabled) Duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
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
