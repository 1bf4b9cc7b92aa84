using System.Diagnostics;
using System.Diagnostics.Metrics;
using Parks.Rpc.Internal;

namespace Parks.Rpc;

/// <summary>
/// The names under which Parks.Rpc reports traces and metrics. Spans follow the OpenTelemetry RPC conventions
/// (name <c>{service}/{method}</c>, <c>rpc.system=grpc</c>, <c>rpc.grpc.status_code</c>); the W3C trace context
/// travels in the <c>traceparent</c>/<c>tracestate</c> metadata entries, as grpc-dotnet and grpc-go send it.
/// </summary>
public static class RpcDiagnostics
{
    /// <summary>The ActivitySource of client and server call spans.</summary>
    public const string ActivitySourceName = "Parks.Rpc";

    /// <summary>The Meter of <c>parks.rpc.server.*</c> and <c>parks.rpc.client.*</c>.</summary>
    public const string MeterName = "Parks.Rpc";

    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";
}

/// <summary>Starts and ends the spans of calls and carries their context across the wire.</summary>
internal static class RpcActivities
{
    public static readonly ActivitySource Source = new(RpcDiagnostics.ActivitySourceName);

    /// <summary>
    /// Starts the server span of a call, continuing the caller's trace when the request carries a valid
    /// <c>traceparent</c>. The span's parent is always the remote caller (or none): ASP.NET Core's own request
    /// activity is not exported, so a span hanging below it would point at a parent no backend ever receives.
    /// </summary>
    public static Activity? StartServer(IMethod method, Microsoft.AspNetCore.Http.IHeaderDictionary headers)
    {
        if (!Source.HasListeners()) return null;
        ActivityContext.TryParse(headers[RpcDiagnostics.TraceParentHeader], headers[RpcDiagnostics.TraceStateHeader], isRemote: true, out var parent);
        if (parent == default) Activity.Current = null;
        var activity = Source.StartActivity(SpanName(method), ActivityKind.Server, parent);
        if (activity is { IsAllDataRequested: true }) AddMethodTags(activity, method);
        return activity;
    }

    /// <summary>
    /// Starts the client span of a call, a child of the current activity. The span does not become the current
    /// activity: the call is started synchronously in the caller's flow, which must not run on inside the span.
    /// </summary>
    public static Activity? StartClient(IMethod method, Uri address)
    {
        if (!Source.HasListeners()) return null;
        var previous = Activity.Current;
        var activity = Source.StartActivity(SpanName(method), ActivityKind.Client);
        Activity.Current = previous;
        if (activity is { IsAllDataRequested: true })
        {
            AddMethodTags(activity, method);
            activity.SetTag("server.address", address.Host);
            activity.SetTag("server.port", address.Port);
        }
        return activity;
    }

    /// <summary>
    /// The trace context to send: the client span, or else the current activity, so the trace continues
    /// across this hop even when nobody records client spans.
    /// </summary>
    public static Activity? ContextToSend(Activity? clientActivity) =>
        clientActivity ?? (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current : null);

    /// <summary>Ends a span with the call's status (server spans treat caller errors as not the server's fault).</summary>
    public static void Stop(Activity? activity, StatusCode code, string? detail, bool server)
    {
        if (activity is null) return;
        activity.SetTag("rpc.grpc.status_code", (int)code);
        if (IsError(code, server)) activity.SetStatus(ActivityStatusCode.Error, detail);
        // Stopping makes the span's predecessor current again; in a client call's flow that would be wrong.
        var current = Activity.Current;
        activity.Dispose();
        if (!server) Activity.Current = current;
    }

    private static bool IsError(StatusCode code, bool server) => server
        ? code is StatusCode.Unknown or StatusCode.DeadlineExceeded or StatusCode.Unimplemented or StatusCode.Internal or StatusCode.Unavailable or StatusCode.DataLoss
        : code != StatusCode.OK;

    private static string SpanName(IMethod method) => method.FullName.Length > 1 ? method.FullName[1..] : method.FullName;

    private static void AddMethodTags(Activity activity, IMethod method)
    {
        activity.SetTag("rpc.system", "grpc");
        activity.SetTag("rpc.service", method.ServiceName);
        activity.SetTag("rpc.method", method.Name);
    }
}

/// <summary>Client call metrics (process-wide: channels are created without a service provider).</summary>
internal static class ClientMetrics
{
    private static readonly Meter Meter = new(RpcDiagnostics.MeterName);
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("parks.rpc.client.calls", description: "gRPC calls made, by method and status code.");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("parks.rpc.client.duration", unit: "s", description: "gRPC call duration seen by the caller, by method and status code.");

    public static void CallEnded(string method, StatusCode code, long startTimestamp)
    {
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
