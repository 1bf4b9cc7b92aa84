using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Parks.Hosting.Events;

/// <summary>Configuration section <c>Parks:Events</c>.</summary>
public sealed class EventsOptions
{
    public const string SectionName = "Parks:Events";

    public const string InMemoryProvider = "InMemory";
    public const string RedisProvider = "Redis";
    public const string DaprProvider = "Dapr";

    /// <summary>The local run's shared broker in the AppHost (<c>Parks:Embedded:Address</c>).</summary>
    public const string EmbeddedProvider = Embedded.EmbeddedOptions.ProviderName;

    /// <summary><c>InMemory</c> (one process), <c>Redis</c> (Redis Streams, local run) or <c>Dapr</c> (Kubernetes).</summary>
    public string Provider { get; set; } = InMemoryProvider;

    /// <summary>
    /// This process's application id (e.g. <c>parks-district-lingshui</c>): the CloudEvent source, the consumer
    /// group, and the scope of the outbox, inbox and dead letters. Defaults to Dapr's <c>APP_ID</c>.
    /// </summary>
    public string AppId { get; set; } = "";

    /// <summary>Failed handler attempts per event before it is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// Longest a delivery may take; with Redis Streams also how long an unacknowledged message waits before it is
    /// delivered again (a crashed consumer's messages, and RETRY answers).
    /// </summary>
    public TimeSpan ProcessingTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long inbox markers (and failure counts) are kept: longer than any redelivery can come.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);

    public OutboxOptions Outbox { get; set; } = new();

    public DaprOptions Dapr { get; set; } = new();

    public RedisStreamsOptions Redis { get; set; } = new();

    public sealed class OutboxOptions
    {
        /// <summary>Events read from the outbox per publish round.</summary>
        public int BatchSize { get; set; } = 200;

        /// <summary>How often the relay looks at the outbox when no commit told it to (events left by a crash).</summary>
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>First and longest wait between publish attempts while the transport is down.</summary>
        public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);
    }

    public sealed class DaprOptions
    {
        /// <summary>The sidecar's HTTP API; default <c>http://127.0.0.1:$DAPR_HTTP_PORT</c> (3500).</summary>
        public string HttpEndpoint { get; set; } = "";

        /// <summary>The pub/sub component name.</summary>
        public string PubSubName { get; set; } = "pubsub";

        /// <summary>Sent as <c>dapr-api-token</c> on calls to the sidecar; default from <c>DAPR_API_TOKEN</c>.</summary>
        public string? ApiToken { get; set; }

        /// <summary>Required in <c>dapr-api-token</c> on deliveries from the sidecar; default from <c>APP_API_TOKEN</c>.</summary>
        public string? AppApiToken { get; set; }

        /// <summary>Parallel publish calls to the sidecar.</summary>
        public int PublishConcurrency { get; set; } = 16;

        /// <summary>Path prefix of the delivery routes (<c>{prefix}/{topic}</c>).</summary>
        public string RoutePrefix { get; set; } = "/events";
    }

    public sealed class RedisStreamsOptions
    {
        /// <summary>StackExchange.Redis configuration string; default <c>Parks:State:Redis</c>.</summary>
        public string? ConnectionString { get; set; }

        /// <summary>Prepended to topic names to form stream keys (isolates tests sharing one server).</summary>
        public string StreamKeyPrefix { get; set; } = "";

        /// <summary>Approximate cap per stream (XADD MAXLEN ~).</summary>
        public long MaxStreamLength { get; set; } = 1_000_000;

        /// <summary>Messages read per XREADGROUP.</summary>
        public int ReadBatchSize { get; set; } = 100;

        /// <summary>Deliveries handled in parallel.</summary>
        public int Concurrency { get; set; } = 16;

        /// <summary>Poll interval when no publish notification arrives (notifications are the fast path).</summary>
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>How often pending messages of crashed or failed deliveries are looked for.</summary>
        public TimeSpan ReclaimInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Deliveries of one message (including ones that never answered) before it is dead-lettered.</summary>
        public int MaxDeliveries { get; set; } = 20;

        public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);
    }
}

internal sealed partial class EventsOptionsSetup(IConfiguration configuration) : IPostConfigureOptions<EventsOptions>
{
    public void PostConfigure(string? name, EventsOptions options)
    {
        if (string.IsNullOrEmpty(options.AppId)) options.AppId = configuration["APP_ID"] ?? "";
        if (string.IsNullOrEmpty(options.Dapr.HttpEndpoint))
            options.Dapr.HttpEndpoint = $"http://127.0.0.1:{configuration["DAPR_HTTP_PORT"] ?? "3500"}";
        options.Dapr.ApiToken ??= configuration["DAPR_API_TOKEN"];
        options.Dapr.AppApiToken ??= configuration["APP_API_TOKEN"];
        options.Redis.ConnectionString ??= configuration["Parks:State:Redis"];
    }
}

internal sealed partial class EventsOptionsValidator : IValidateOptions<EventsOptions>
{
    private const string S = EventsOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, EventsOptions o)
    {
        var failures = new List<string>();
        if (o.Provider is not (EventsOptions.InMemoryProvider or EventsOptions.RedisProvider or EventsOptions.DaprProvider or EventsOptions.EmbeddedProvider))
            failures.Add($"{S}:Provider must be 'InMemory', 'Redis', 'Dapr' or 'Embedded' (got '{o.Provider}').");
        if (string.IsNullOrEmpty(o.AppId))
            failures.Add($"{S}:AppId is required (or APP_ID): this process's app id, e.g. 'parks-district-lingshui'.");
        else if (!AppIdPattern().IsMatch(o.AppId))
            failures.Add($"{S}:AppId must be lower-case letters, digits and '-', starting with a letter (got '{o.AppId}').");
        if (o.MaxAttempts is < 1 or > 100) failures.Add($"{S}:MaxAttempts must be between 1 and 100 (got {o.MaxAttempts}).");
        Positive(failures, $"{S}:ProcessingTimeout", o.ProcessingTimeout);
        Positive(failures, $"{S}:InboxRetention", o.InboxRetention);
        if (o.Outbox.BatchSize is < 1 or > 10_000) failures.Add($"{S}:Outbox:BatchSize must be between 1 and 10000 (got {o.Outbox.BatchSize}).");
        Positive(failures, $"{S}:Outbox:PollInterval", o.Outbox.PollInterval);
        Positive(failures, $"{S}:Outbox:MinRetryDelay", o.Outbox.MinRetryDelay);
        if (o.Outbox.MaxRetryDelay < o.Outbox.MinRetryDelay)
            failures.Add($"{S}:Outbox:MaxRetryDelay must not be less than {S}:Outbox:MinRetryDelay (got {o.Outbox.MaxRetryDelay}).");

        if (o.Provider == EventsOptions.DaprProvider)
        {
            if (!Uri.TryCreate(o.Dapr.HttpEndpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
                failures.Add($"{S}:Dapr:HttpEndpoint must be an absolute http(s) URL (got '{o.Dapr.HttpEndpoint}').");
            if (string.IsNullOrWhiteSpace(o.Dapr.PubSubName))
                failures.Add($"{S}:Dapr:PubSubName is required (the Dapr pub/sub component name).");
            if (o.Dapr.PublishConcurrency is < 1 or > 256)
                failures.Add($"{S}:Dapr:PublishConcurrency must be between 1 and 256 (got {o.Dapr.PublishConcurrency}).");
            if (!o.Dapr.RoutePrefix.StartsWith('/') || o.Dapr.RoutePrefix.EndsWith('/'))
                failures.Add($"{S}:Dapr:RoutePrefix must start with '/' and not end with '/' (got '{o.Dapr.RoutePrefix}').");
        }

        if (o.Provider == EventsOptions.RedisProvider)
        {
            if (string.IsNullOrWhiteSpace(o.Redis.ConnectionString))
                failures.Add($"{S}:Redis:ConnectionString (or Parks:State:Redis) is required when {S}:Provider is 'Redis'.");
            if (o.Redis.MaxStreamLength < 1000) failures.Add($"{S}:Redis:MaxStreamLength must be at least 1000 (got {o.Redis.MaxStreamLength}).");
            if (o.Redis.ReadBatchSize is < 1 or > 10_000) failures.Add($"{S}:Redis:ReadBatchSize must be between 1 and 10000 (got {o.Redis.ReadBatchSize}).");
            if (o.Redis.Concurrency is < 1 or > 256) failures.Add($"{S}:Redis:Concurrency must be between 1 and 256 (got {o.Redis.Concurrency}).");
            if (o.Redis.MaxDeliveries < o.MaxAttempts)
                failures.Add($"{S}:Redis:MaxDeliveries must be at least {S}:MaxAttempts ({o.MaxAttempts}) (got {o.Redis.MaxDeliveries}).");
            Positive(failures, $"{S}:Redis:PollInterval", o.Redis.PollInterval);
            Positive(failures, $"{S}:Redis:ReclaimInterval", o.Redis.ReclaimInterval);
            Positive(failures, $"{S}:Redis:OperationTimeout", o.Redis.OperationTimeout);
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero) failures.Add($"{key} must be positive (got {value}).");
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex AppIdPattern();
}
