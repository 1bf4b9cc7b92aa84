namespace Parks.DaprSidecarDouble;

/// <summary>How the double is set up; the defaults follow daprd's where it has them.</summary>
public sealed class DaprSidecarDoubleOptions
{
    /// <summary>The app id of the app this sidecar belongs to: CloudEvent source and consumer group.</summary>
    public string AppId { get; set; } = "";

    /// <summary>The app's port (dapr.io/app-port); deliveries go there over h2c (dapr.io/app-protocol: h2c).</summary>
    public int AppPort { get; set; }

    /// <summary>The Dapr HTTP API port (DAPR_HTTP_PORT); 0 picks a free one.</summary>
    public int HttpPort { get; set; }

    /// <summary>The redis-server behind the pubsub.redis component.</summary>
    public string Redis { get; set; } = "";

    /// <summary>Names of the pub/sub components that exist.</summary>
    public IList<string> PubSubNames { get; set; } = ["pubsub"];

    /// <summary>DAPR_API_TOKEN: required from the app on every API call but the health checks.</summary>
    public string? DaprApiToken { get; set; }

    /// <summary>APP_API_TOKEN: sent to the app on every call.</summary>
    public string? AppApiToken { get; set; }

    /// <summary>Inbound resiliency retries after the first delivery attempt (constant policy).</summary>
    public int MaxRetries { get; set; } = 3;

    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>pubsub.redis processingTimeout: delivery time limit and the idle time before a pending message is redelivered.</summary>
    public TimeSpan ProcessingTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>pubsub.redis redeliverInterval: how often pending messages are checked.</summary>
    public TimeSpan RedeliverInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>pubsub.redis concurrency: deliveries in flight.</summary>
    public int Concurrency { get; set; } = 10;

    /// <summary>pubsub.redis queueDepth: messages read per XREADGROUP.</summary>
    public int QueueDepth { get; set; } = 100;

    /// <summary>
    /// Dapr ≥ 1.17 acknowledges a message whose retries are exhausted when the subscription has no dead-letter
    /// topic (it is lost); false keeps it pending for redelivery as earlier versions did.
    /// </summary>
    public bool AckWhenRetriesExhausted { get; set; } = true;

    /// <summary>Prepended to topic names to form stream keys (isolates tests sharing one redis-server).</summary>
    public string StreamKeyPrefix { get; set; } = "";
}
