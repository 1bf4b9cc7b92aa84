using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parks.DaprSidecarDouble;

/// <summary>Builds the CloudEvent that daprd stores for a publish request (wire-contracts §A1, §A3).</summary>
internal static class CloudEventBuilder
{
    public const string CloudEventContentType = "application/cloudevents+json";
    public const string DefaultContentType = "text/plain";
    public const string DefaultType = "com.dapr.event.sent";

    private static readonly string[] OverrideKeys =
        ["id", "source", "type", "traceid", "traceparent", "tracestate", "subject"];

    /// <summary>The stored envelope, or an error (status, errorCode, message) the publish call answers with.</summary>
    public static byte[] Build(string appId, string pubSubName, string topic, string? contentType, byte[] body,
        IReadOnlyDictionary<string, string> metadata, string? requestTraceParent, DateTimeOffset now)
    {
        var type = string.IsNullOrEmpty(contentType) ? DefaultContentType : contentType;
        JsonObject envelope;
        if (MediaType(type) == CloudEventContentType)
        {
            // The app's own CloudEvent: no overrides; fill what is missing, always set topic and pubsubname.
            envelope = JsonNode.Parse(body) as JsonObject
                ?? throw new PublishException(500, "ERR_PUBSUB_CLOUD_EVENTS_SER", "the body is not a CloudEvent JSON object");
            var traceParent = requestTraceParent ?? NewTraceParent();
            envelope.TryAdd("id", Guid.NewGuid().ToString());
            envelope.TryAdd("specversion", "1.0");
            envelope.TryAdd("source", appId);
            envelope.TryAdd("type", DefaultType);
            envelope.TryAdd("time", Rfc3339(now));
            envelope.TryAdd("traceid", traceParent);
            envelope.TryAdd("traceparent", traceParent);
            envelope.TryAdd("tracestate", "");
            envelope["topic"] = topic;
            envelope["pubsubname"] = pubSubName;
        }
        else
        {
            var overrides = OverrideKeys.ToDictionary(k => k, k => metadata.GetValueOrDefault("cloudevent." + k));
            var traceParent = overrides["traceparent"] ?? overrides["traceid"] ?? requestTraceParent ?? NewTraceParent();
            envelope = new JsonObject
            {
                ["id"] = overrides["id"] ?? Guid.NewGuid().ToString(),
                ["specversion"] = "1.0",
                ["source"] = overrides["source"] ?? appId,
                ["type"] = overrides["type"] ?? DefaultType,
                ["datacontenttype"] = type,
                ["topic"] = topic,
                ["pubsubname"] = pubSubName,
                ["traceid"] = traceParent,
                ["traceparent"] = traceParent,
                ["tracestate"] = overrides["tracestate"] ?? "",
                ["time"] = Rfc3339(now),
            };
            if (overrides["subject"] is { } subject) envelope["subject"] = subject;
            AddData(envelope, type, body);
        }
        if (metadata.TryGetValue("ttlInSeconds", out var ttlText))
        {
            envelope["expiration"] = Rfc3339(now.AddSeconds(int.Parse(ttlText, CultureInfo.InvariantCulture)));
        }
        return Encoding.UTF8.GetBytes(envelope.ToJsonString());
    }

    /// <summary>The data rule: JSON embedded as a value, octet-stream as data_base64, anything else as a string.</summary>
    private static void AddData(JsonObject envelope, string contentType, byte[] body)
    {
        switch (MediaType(contentType))
        {
            case "application/json":
                try
                {
                    envelope["data"] = JsonNode.Parse(body);
                }
                catch (JsonException)
                {
                    envelope["data"] = Encoding.UTF8.GetString(body);
                }
                break;
            case "application/octet-stream":
                envelope["data_base64"] = Convert.ToBase64String(body);
                break;
            default:
                envelope["data"] = Encoding.UTF8.GetString(body);
                break;
        }
    }

    /// <summary>What a subscription with metadata rawPayload=true receives: a new CloudEvent around the raw bytes.</summary>
    public static byte[] FromRawPayload(byte[] data, string topic, string pubSubName, DateTimeOffset now) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["specversion"] = "1.0",
            ["source"] = "Dapr",
            ["type"] = DefaultType,
            ["datacontenttype"] = "application/octet-stream",
            ["data_base64"] = Convert.ToBase64String(data),
            ["topic"] = topic,
            ["pubsubname"] = pubSubName,
            ["time"] = Rfc3339(now),
        }.ToJsonString());

    public static string MediaType(string contentType) =>
        contentType.Split(';', 2)[0].Trim().ToLowerInvariant();

    /// <summary>Go's time.Now().Format(time.RFC3339): second precision.</summary>
    public static string Rfc3339(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string NewTraceParent() =>
        $"00-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01";

    /// <summary>Go's strconv.ParseBool.</summary>
    public static bool? ParseGoBool(string text) => text switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => null,
    };
}

internal sealed class PublishException(int status, string errorCode, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string ErrorCode { get; } = errorCode;
}
