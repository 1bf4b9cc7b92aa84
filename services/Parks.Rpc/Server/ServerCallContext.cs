using Microsoft.AspNetCore.Http;

namespace Parks.Rpc;

/// <summary>The server side of one call: its deadline, cancellation, metadata and status.</summary>
public abstract class ServerCallContext
{
    /// <summary>The full method path, e.g. <c>/parks.units.v1.EnterpriseService/GetEnterprise</c>.</summary>
    public abstract string Method { get; }

    public abstract string Host { get; }

    /// <summary>The caller's address, e.g. <c>ipv4:127.0.0.1:52100</c>.</summary>
    public abstract string Peer { get; }

    /// <summary>The call's deadline in UTC; <see cref="DateTime.MaxValue"/> when the caller set none.</summary>
    public abstract DateTime Deadline { get; }

    /// <summary>Custom request metadata (transport headers such as content-type and te are left out).</summary>
    public abstract Metadata RequestHeaders { get; }

    /// <summary>Fires when the caller cancels, the connection drops or the deadline passes.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Trailing metadata sent with the status.</summary>
    public abstract Metadata ResponseTrailers { get; }

    /// <summary>The status the call ends with when the handler returns normally (OK unless set).</summary>
    public abstract Status Status { get; set; }

    /// <summary>Per-call state for interceptors and handlers (e.g. the authenticated caller).</summary>
    public abstract IDictionary<object, object> UserState { get; }

    /// <summary>Sends response headers now; at most once, before the first message.</summary>
    public abstract Task WriteResponseHeadersAsync(Metadata responseHeaders);

    /// <summary>The underlying ASP.NET Core context, when the call arrived over HTTP.</summary>
    public virtual HttpContext? GetHttpContext() => null;
}
