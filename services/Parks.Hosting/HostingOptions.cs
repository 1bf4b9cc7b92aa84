using System.ComponentModel.DataAnnotations;

namespace Parks.Hosting;

/// <summary>The process's two Kestrel endpoints (configuration section <c>Parks:Endpoints</c>).</summary>
public sealed class EndpointOptions
{
    public const string Section = "Parks:Endpoints";

    /// <summary>HTTP/2-only cleartext port: gRPC, and Dapr delivery (app-protocol h2c).</summary>
    [Range(0, 65535)]
    public int GrpcPort { get; set; } = 8081;

    /// <summary>HTTP/1.1 port: liveness/readiness, metrics, and on the gateway REST/JSON and the dashboard.</summary>
    [Range(0, 65535)]
    public int HttpPort { get; set; } = 8080;

    /// <summary>The address both endpoints bind (0.0.0.0 in containers; the local run uses 127.0.0.1).</summary>
    [Required]
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>
    /// Connections each endpoint holds at once (Kestrel counts per endpoint, so a flood of the gRPC port does not
    /// lock out the HTTP port's health probes); beyond it Kestrel closes new connections at once. Unset: no limit
    /// (Kestrel's default). An idle HTTP/2 connection costs about 30 KiB of resident memory
    /// (docs/reliability.md, connection flood), so a cap bounds what a flood of connections can take.
    /// </summary>
    [Range(1, 10_000_000)]
    public long? MaxConnections { get; set; }
}

/// <summary>Who this process is (configuration section <c>Parks:Service</c>).</summary>
public sealed class ServiceIdentityOptions
{
    public const string Section = "Parks:Service";

    /// <summary>district, branchparks, sciencecity, talent, finance, gateway.</summary>
    [Required]
    [RegularExpression("^[a-z][a-z0-9-]{1,40}$", ErrorMessage = "Parks:Service:Name must be lower-case letters, digits and '-'.")]
    public string Name { get; set; } = string.Empty;

    /// <summary>The Dapr app-id / instance name, e.g. parks-district-lingshui. Defaults to parks-{Name}.</summary>
    public string? AppId { get; set; }

    public string EffectiveAppId => string.IsNullOrEmpty(AppId) ? $"parks-{Name}" : AppId;
}

/// <summary>Process-level settings (configuration section <c>Parks:Hosting</c>).</summary>
public sealed class HostingOptions
{
    public const string Section = "Parks:Hosting";

    /// <summary>
    /// How long shutdown waits for in-flight calls to drain after readiness turns NOT_SERVING. Kubernetes'
    /// terminationGracePeriodSeconds must exceed the preStop delay plus this.
    /// </summary>
    [Range(1, 300)]
    public int ShutdownTimeoutSeconds { get; set; } = 20;

    /// <summary>
    /// After shutdown begins, how long the process keeps serving with readiness NOT_SERVING before it stops
    /// accepting calls, so callers and load balancers move away first. 0 on Kubernetes, where the pod's preStop
    /// sleep does this; the local run and the rolling-restart tests set it.
    /// </summary>
    [Range(0, 60)]
    public int DrainDelaySeconds { get; set; }

    /// <summary>"json" for one JSON object per line (containers), "simple" for a developer console.</summary>
    [RegularExpression("^(json|simple)$")]
    public string LogFormat { get; set; } = "json";

    /// <summary>Include exception messages in UNKNOWN statuses (development only).</summary>
    public bool DetailedErrors { get; set; }

    /// <summary>
    /// Stop when this process exits (the local run sets its own id, so no service outlives the AppHost).
    /// </summary>
    [Range(1, int.MaxValue)]
    public int? ParentProcessId { get; set; }
}
