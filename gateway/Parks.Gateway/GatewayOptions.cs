using System.ComponentModel.DataAnnotations;

namespace Parks.Gateway;

/// <summary>
/// The gateway's settings (section <c>Parks:Gateway</c>). Limits and timeouts are illustrative defaults, not
/// figures from the documents; production sets them per deployment.
/// </summary>
internal sealed class GatewayOptions
{
    public const string Section = "Parks:Gateway";

    /// <summary>
    /// Caller credentials: caller id → API key (≥ 32 characters). The id says who the caller is:
    /// <c>district-{id}</c>, <c>branchpark-{id}</c>, <c>sciencecity</c> (unit systems), <c>dashboard[-name]</c>,
    /// <c>operator[-name]</c>. From the Secret <c>parks-gateway-credentials</c> in production.
    /// </summary>
    public Dictionary<string, string> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The deadline a forwarded call gets when the caller set none.</summary>
    [Range(1, 600)]
    public int DefaultTimeoutSeconds { get; set; } = 30;

    /// <summary>How long opening a connection to a backend may take before the call fails with UNAVAILABLE.</summary>
    [Range(50, 60_000)]
    public int BackendConnectTimeoutMilliseconds { get; set; } = 2_000;

    /// <summary>The largest request message (gRPC) or body (REST) accepted; larger is RESOURCE_EXHAUSTED / 413.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Calls the gateway handles at once; beyond this, calls are refused with UNAVAILABLE at once.</summary>
    [Range(1, 100_000)]
    public int MaxConcurrentCalls { get; set; } = 1_000;

    [Required]
    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Per-caller overrides of <see cref="RateLimit"/>, by caller id.</summary>
    public Dictionary<string, RateLimitOptions> CallerRateLimits { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long signed request tokens stay valid around their timestamp, and how long nonces are remembered.</summary>
    [Range(5, 3_600)]
    public int SignedTokenMaxAgeSeconds { get; set; } = 300;

    /// <summary>Lifetime of a browser session (cookie) opened with an API key.</summary>
    [Range(1, 7 * 24 * 60)]
    public int SessionMinutes { get; set; } = 480;

    /// <summary>How many audit records the gateway keeps in memory for operators.</summary>
    [Range(100, 10_000_000)]
    public int AuditCapacity { get; set; } = 50_000;

    [Required]
    public OverviewOptions Overview { get; set; } = new();

    /// <summary>The folder the dashboard is served from; defaults to wwwroot next to the assembly.</summary>
    public string? DashboardRoot { get; set; }
}

/// <summary>A token bucket per caller: <see cref="TokensPerSecond"/> sustained, bursts up to <see cref="Burst"/>.</summary>
internal sealed class RateLimitOptions
{
    [Range(1, 1_000_000)]
    public int TokensPerSecond { get; set; } = 500;

    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 1_000;
}

/// <summary>How the city overview fetches and keeps each unit's figures.</summary>
internal sealed class OverviewOptions
{
    /// <summary>The deadline of each unit's fetch (capped by the caller's remaining deadline).</summary>
    [Range(10, 60_000)]
    public int UnitTimeoutMilliseconds { get; set; } = 800;

    /// <summary>Figures younger than this are served without fetching again.</summary>
    [Range(0, 3_600_000)]
    public int FreshMilliseconds { get; set; } = 2_000;

    /// <summary>
    /// Figures younger than this are served at once while a fetch refreshes them in the background; older ones wait
    /// for the fetch (up to the unit deadline).
    /// </summary>
    [Range(0, 3_600_000)]
    public int ServeWhileRefreshingMilliseconds { get; set; } = 30_000;

    /// <summary>After a failed fetch, calls do not wait for that unit again for this long (they get it degraded).</summary>
    [Range(0, 3_600_000)]
    public int RetryFailedAfterMilliseconds { get; set; } = 3_000;

    /// <summary>
    /// Whether the units' figures include their synthetic demo data set (<c>Parks:Units:DemoData</c>, the local run
    /// only); otherwise the overview counts real records only.
    /// </summary>
    public bool IncludeDemoData { get; set; }
}
