using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Parks.Hosting.Events;

/// <summary>
/// An event as it travels: a CloudEvents 1.0 envelope (the shape Dapr delivers, wire-contracts §A3) whose
/// <c>type</c> is the protobuf message's full name, <c>id</c> the id consumers deduplicate on, <c>source</c> the
/// producing app id, <c>subject</c> the resource it is about, and <c>data</c> the message in proto3 JSON.
/// </summary>
public sealed record EventEnvelope
{
    public const string SpecVersion = "1.0";
    public const string JsonContentType = "application/json";
    public const string CloudEventContentType = "application/cloudevents+json";

    public required string Id { get; init; }

    /// <summary>The protobuf full name, e.g. <c>parks.events.v1.EnterpriseRegistered</c>.</summary>
    public required string Type { get; init; }

    public required string Source { get; init; }

    public string? Subject { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required string Topic { get; init; }

    /// <summary>W3C trace context of the producer.</summary>
    public string? TraceParent { get; init; }

    public string? TraceState { get; init; }

    /// <summary>The message as proto3 JSON (null when it came as binary <c>data_base64</c>).</summary>
    public string? DataJson { get; init; }

    /// <summary>The message as protobuf bytes, when a producer sent <c>data_base64</c>.</summary>
    public byte[]? DataBinary { get; init; }

    /// <summary>The CloudEvent JSON (structured mode), as Dapr's Redis component stores and delivers it.</summary>
    public byte[] ToCloudEventJson(string? pubSubName = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (DataJson?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("specversion", SpecVersion);
            writer.WriteString("id", Id);
            writer.WriteString("source", Source);
            writer.WriteString("type", Type);
            if (Subject is not null) writer.WriteString("subject", Subject);
            writer.WriteString("time", Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            writer.WriteString("topic", Topic);
            if (pubSubName is not null) writer.WriteString("pubsubname", pubSubName);
            if (TraceParent is not null)
            {
                writer.WriteString("traceparent", TraceParent);
                writer.WriteString("traceid", TraceParent);
                writer.WriteString("tracestate", TraceState ?? "");
            }
            if (DataBinary is not null)
            {
                writer.WriteString("datacontenttype", "application/octet-stream");
                writer.WriteBase64String("data_base64", DataBinary);
            }
            else
            {
                writer.WriteString("datacontenttype", JsonContentType);
                writer.WritePropertyName("data");
                writer.WriteRawValue(DataJson ?? "{}");
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a delivered CloudEvent. <c>data</c> may be a JSON value (application/json), a JSON string holding
    /// JSON text (a producer that set another content type), or <c>data_base64</c> (binary protobuf).
    /// </summary>
    /// <exception cref="FormatException">Not a CloudEvent Parks can read; the message says why.</exception>
    public static EventEnvelope Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("a CloudEvent must be a JSON object");
            string? dataJson = null;
            byte[]? dataBinary = null;
            if (root.TryGetProperty("data_base64", out var base64) && base64.ValueKind == JsonValueKind.String)
            {
                dataBinary = base64.GetBytesFromBase64();
            }
            else if (root.TryGetProperty("data", out var data))
            {
                dataJson = data.ValueKind == JsonValueKind.String ? data.GetString() : data.GetRawText();
            }
            else
            {
                throw new FormatException("the CloudEvent has neither data nor data_base64");
            }
            var time = OptionalString(root, "time");
            return new EventEnvelope
            {
                Id = RequiredString(root, "id"),
                Type = RequiredString(root, "type"),
                Source = OptionalString(root, "source") ?? "",
                Subject = OptionalString(root, "subject"),
                Time = time is null ? DateTimeOffset.UtcNow : DateTimeOffset.Parse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                Topic = OptionalString(root, "topic") ?? "",
                TraceParent = OptionalString(root, "traceparent"),
                TraceState = OptionalString(root, "tracestate") is { Length: > 0 } state ? state : null,
                DataJson = dataJson,
                DataBinary = dataBinary,
            };
        }
        catch (JsonException e)
        {
            throw new FormatException($"not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    public static EventEnvelope Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    private static string RequiredString(JsonElement root, string name) =>
        OptionalString(root, name) is { Length: > 0 } value ? value : throw new FormatException($"the CloudEvent has no '{name}'");

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
