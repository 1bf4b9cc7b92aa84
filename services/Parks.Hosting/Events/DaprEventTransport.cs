using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Parks.Hosting.Events;

/// <summary>
/// Publishes through the Dapr sidecar's HTTP API (wire-contracts §A1): <c>POST /v1.0/publish/{pubsub}/{topic}</c>
/// with the proto3 JSON as an <c>application/json</c> body, so Dapr embeds it as the CloudEvent's <c>data</c>
/// value, and our id, type, subject and trace context as <c>metadata.cloudevent.*</c> overrides, so subscribers
/// see our event id. 204 is the acknowledgement; anything else leaves the event in the outbox.
/// </summary>
internal sealed partial class DaprEventTransport(
    IHttpClientFactory httpClientFactory,
    IOptions<EventsOptions> options,
    ILogger<DaprEventTransport> logger) : IEventTransport
{
    public const string HttpClientName = "parks-dapr";
    public const string ApiTokenHeader = "dapr-api-token";

    private static readonly MediaTypeHeaderValue JsonContentType = new(EventEnvelope.JsonContentType);

    private readonly EventsOptions.DaprOptions _options = options.Value.Dapr;

    public async Task<IReadOnlyCollection<string>> PublishAsync(IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(HttpClientName);
        var acknowledged = new ConcurrentBag<string>();
        var unreachable = 0;
        Exception? lastError = null;
        await Parallel.ForEachAsync(events,
            new ParallelOptions { MaxDegreeOfParallelism = _options.PublishConcurrency, CancellationToken = cancellationToken },
            async (envelope, ct) =>
            {
                try
                {
                    if (await PublishOneAsync(client, envelope, ct)) acknowledged.Add(envelope.Id);
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref unreachable);
                    lastError = e;
                }
                catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref unreachable);
                    lastError = e;
                }
            });
        if (unreachable > 0 && acknowledged.IsEmpty)
            throw new HttpRequestException($"the Dapr sidecar at {_options.HttpEndpoint} is unreachable", lastError);
        return acknowledged;
    }

    private async Task<bool> PublishOneAsync(HttpClient client, EventEnvelope envelope, CancellationToken cancellationToken)
    {
        using var activity = EventsTelemetry.Start($"publish {envelope.Topic}", ActivityKind.Producer,
            envelope.TraceParent, envelope.TraceState, envelope.Topic);
        activity?.SetTag("messaging.message.id", envelope.Id);
        var traceParent = activity?.Id ?? envelope.TraceParent;
        var traceState = activity?.TraceStateString ?? envelope.TraceState;

        using var request = new HttpRequestMessage(HttpMethod.Post, PublishUri(envelope, traceParent, traceState))
        {
            Content = new StringContent(envelope.DataJson ?? "{}", Encoding.UTF8),
        };
        // Exactly application/json (no charset parameter needed): Dapr then embeds data as a JSON value.
        request.Content.Headers.ContentType = JsonContentType;
        if (!string.IsNullOrEmpty(_options.ApiToken)) request.Headers.Add(ApiTokenHeader, _options.ApiToken);

        using var response = await client.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode) return true;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        activity?.SetStatus(ActivityStatusCode.Error, body);
        LogPublishRejected(logger, envelope.Id, envelope.Topic, (int)response.StatusCode, body);
        return false;
    }

    private string PublishUri(EventEnvelope envelope, string? traceParent, string? traceState)
    {
        var uri = new StringBuilder(_options.HttpEndpoint.TrimEnd('/'))
            .Append("/v1.0/publish/").Append(Uri.EscapeDataString(_options.PubSubName))
            .Append('/').Append(Uri.EscapeDataString(envelope.Topic));
        var separator = '?';
        void Metadata(string key, string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            uri.Append(separator).Append("metadata.").Append(key).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
        Metadata("cloudevent.id", envelope.Id);
        Metadata("cloudevent.type", envelope.Type);
        Metadata("cloudevent.subject", envelope.Subject);
        Metadata("cloudevent.traceparent", traceParent);
        Metadata("cloudevent.tracestate", traceState);
        return uri.ToString();
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning,
        Message = "Dapr refused to publish event {Id} to {Topic}: HTTP {Status} {Body}; it stays in the outbox")]
    private static partial void LogPublishRejected(ILogger logger, string id, string topic, int status, string body);
}
