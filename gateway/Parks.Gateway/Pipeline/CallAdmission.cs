using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Domain;
using Parks.Gateway.Api;
using Parks.Gateway.Audit;
using Parks.Gateway.Domain;
using Parks.Gateway.Security;
using Parks.Gateway.V1;
using Parks.Hosting.Rpc;
using Parks.Hosting.Security;
using Parks.Rpc;

namespace Parks.Gateway.Pipeline;

/// <summary>
/// Lets a call in, or refuses it, in the same order for gRPC and REST: the concurrency limit (UNAVAILABLE when the
/// gateway is full), authentication (UNAUTHENTICATED), the caller's rate limit (RESOURCE_EXHAUSTED with RetryInfo),
/// and whether the caller may call this kind of method at all (PERMISSION_DENIED). Writes are audited whatever
/// their outcome, from here on.
/// </summary>
internal sealed class CallAdmission : IDisposable
{
    private readonly ConcurrencyLimiter _concurrency;
    private readonly PartitionedRateLimiter<string> _rates;
    private readonly Authenticator _authenticator;
    private readonly AuditTrail _audit;
    private readonly TimeProvider _time;
    private readonly ILogger<CallAdmission> _logger;
    private readonly LogThrottle _logThrottle = new();

    public CallAdmission(IOptions<GatewayOptions> options, Authenticator authenticator, AuditTrail audit, TimeProvider time, ILogger<CallAdmission> logger)
    {
        var settings = options.Value;
        _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = settings.MaxConcurrentCalls, QueueLimit = 0 });
        _rates = PartitionedRateLimiter.Create<string, string>(caller =>
        {
            var limit = settings.CallerRateLimits.GetValueOrDefault(caller) ?? settings.RateLimit;
            return RateLimitPartition.GetTokenBucketLimiter(caller, _ => BucketFor(limit));
        });
        _authenticator = authenticator;
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    /// <summary>Admits a call or throws the RpcException that refuses it.</summary>
    /// <param name="resourceHint">For audit of refused writes: the request's resource, when it can be read without more work.</param>
    public AdmittedCall Admit(ExposedMethod method, string? authorization, string? sessionCookie, string transport, string peer, Func<string?>? resourceHint = null)
    {
        var lease = _concurrency.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            if (_logThrottle.Allow()) GatewayLog.Overloaded(_logger, method.FullName);
            throw GatewayErrors.Overloaded();
        }
        try
        {
            var result = _authenticator.Authenticate(authorization, sessionCookie, method.FullName);
            if (result.Caller is not { } caller)
            {
                if (_logThrottle.Allow()) GatewayLog.Unauthenticated(_logger, method.FullName, peer, result.Failure!);
                throw GatewayErrors.Unauthenticated(result.Failure!);
            }
            // The caller's rate comes before anything that is logged per call, so no caller can flood the audit.
            using (var rate = _rates.AttemptAcquire(caller.Identity.Id))
            {
                if (!rate.IsAcquired)
                {
                    if (_logThrottle.Allow()) GatewayLog.RateLimited(_logger, caller.Identity.Id, method.FullName);
                    var retryAfter = rate.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                    throw GatewayErrors.RateLimited(caller.Identity.Id, retryAfter);
                }
            }
            var call = new GatewayCall(method, caller, transport, peer);
            // A session cookie is a browser's read-only credential: writes need the API key or a signed token.
            var decision = result.Kind == CredentialKind.Session && method.IsWrite
                ? AccessDecision.Deny("a browser session may only read; send an API key or a signed token to write")
                : AccessRules.CheckMethod(caller.Identity, method.Access);
            if (!decision.Allowed)
            {
                call.Resource = SafeHint(resourceHint);
                var denied = GatewayErrors.PermissionDenied(decision.Reason!, caller.Identity.Id, call.Resource);
                if (method.IsWrite) Audit(call, denied.StatusCode, denied.Status.Detail);
                throw denied;
            }
            return new AdmittedCall(this, call, lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    internal void Audit(GatewayCall call, StatusCode code, string detail)
    {
        var identity = call.Caller.Identity;
        _audit.Record(new AuditRecord
        {
            Time = AuditTrail.Now(_time),
            Caller = identity.Id,
            CallerRole = Caller.RoleName(identity.Role),
            CallerUnit = identity.Unit?.ResourceName ?? string.Empty,
            Method = call.Method.FullName,
            Resource = call.Resource ?? string.Empty,
            Status = StatusName(code),
            StatusMessage = detail,
            Transport = call.Transport,
            Peer = call.Peer,
            DurationMs = Stopwatch.GetElapsedTime(call.StartTimestamp).TotalMilliseconds,
        });
    }

    /// <summary>The status a handler's exception ends the call with (as the RPC layer and the error interceptor map it).</summary>
    public static (StatusCode Code, string Detail) StatusOf(Exception exception) => exception switch
    {
        RpcException rpc => (rpc.StatusCode, rpc.Status.Detail),
        DomainException domain => (DomainErrorInterceptor.ToRpcException(domain).StatusCode, domain.Message),
        OperationCanceledException => (StatusCode.Cancelled, "The call was cancelled."),
        _ => (StatusCode.Unknown, "Exception was thrown by handler."),
    };

    /// <summary>The upper-case name of a status code, e.g. PERMISSION_DENIED.</summary>
    public static string StatusName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "CANCELLED",
        StatusCode.Unknown => "UNKNOWN",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.Aborted => "ABORTED",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Internal => "INTERNAL",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.DataLoss => "DATA_LOSS",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        _ => ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public void Dispose()
    {
        _concurrency.Dispose();
        _rates.Dispose();
    }

    private static string? SafeHint(Func<string?>? hint)
    {
        if (hint is null) return null;
        try { return hint(); } catch (Google.Protobuf.InvalidProtocolBufferException) { return null; }
    }

    private static TokenBucketRateLimiterOptions BucketFor(RateLimitOptions limit)
    {
        // Replenish ten times a second so a caller's allowance arrives smoothly, not in one burst per second.
        var perTick = Math.Max(1, limit.TokensPerSecond / 10);
        var period = TimeSpan.FromSeconds((double)perTick / limit.TokensPerSecond);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(limit.Burst, perTick),
            TokensPerPeriod = perTick,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }
}

/// <summary>An admitted call: holds its concurrency slot until disposed and audits its outcome if it is a write.</summary>
internal sealed class AdmittedCall(CallAdmission admission, GatewayCall call, RateLimitLease lease) : IDisposable
{
    private bool _completed;

    public GatewayCall Call { get; } = call;

    public void Complete(StatusCode code, string detail)
    {
        if (_completed) return;
        _completed = true;
        if (Call.Method.IsWrite) admission.Audit(Call, code, detail);
    }

    public void Fail(Exception exception)
    {
        var (code, detail) = CallAdmission.StatusOf(exception);
        Complete(code, detail);
    }

    public void Dispose() => lease.Dispose();
}

/// <summary>
/// Bounds the warnings refused calls log (at most 20 a second, bursts of 100), so a flood of bad credentials or an
/// overload does not become a flood of log lines too.
/// </summary>
internal sealed class LogThrottle
{
    private readonly TokenBucketRateLimiter _bucket = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = 100,
        TokensPerPeriod = 2,
        ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
        QueueLimit = 0,
        AutoReplenishment = true,
    });

    public bool Allow()
    {
        using var lease = _bucket.AttemptAcquire();
        return lease.IsAcquired;
    }
}
