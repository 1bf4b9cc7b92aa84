using Microsoft.Extensions.Logging;

namespace Parks.Gateway;

/// <summary>The gateway's log events (stable ids 2000-2099).</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, EventName = "Audit",
        Message = "Audit: {Caller} ({CallerRole} {CallerUnit}) {Method} {Resource} -> {Status} via {Transport} in {DurationMs:0.0} ms")]
    public static partial void Audit(ILogger logger, string caller, string callerRole, string callerUnit, string method, string resource, string status, string transport, double durationMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, EventName = "Unauthenticated",
        Message = "Refused {Method} from {Peer}: {Reason}")]
    public static partial void Unauthenticated(ILogger logger, string method, string peer, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, EventName = "BackendUnavailable",
        Message = "Backend {Backend} failed {Method} before answering: {Status} {Detail}")]
    public static partial void BackendFailed(ILogger logger, string backend, string method, Parks.Rpc.StatusCode status, string detail);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, EventName = "BackendNotConfigured",
        Message = "No address is configured for backend {Backend} (Parks:Services:{Backend}); its calls fail with UNAVAILABLE.")]
    public static partial void BackendNotConfigured(ILogger logger, string backend);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, EventName = "RateLimited",
        Message = "Rate limit of caller {Caller} reached on {Method}")]
    public static partial void RateLimited(ILogger logger, string caller, string method);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, EventName = "Overloaded",
        Message = "Concurrency limit reached; refused {Method}")]
    public static partial void Overloaded(ILogger logger, string method);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, EventName = "UnitFetchFailed",
        Message = "City overview: fetching {Unit} failed: {Error}")]
    public static partial void UnitFetchFailed(ILogger logger, string unit, string error);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, EventName = "UnitRecovered",
        Message = "City overview: {Unit} answers again")]
    public static partial void UnitRecovered(ILogger logger, string unit);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Information, EventName = "SessionOpened",
        Message = "Session opened for {Caller}")]
    public static partial void SessionOpened(ILogger logger, string caller);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, EventName = "FeedSubscriberDropped",
        Message = "Live feed: a slow subscriber lost {Count} items")]
    public static partial void FeedSubscriberLagged(ILogger logger, long count);
}
