using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Parks.Domain;
using Parks.Units.Application;
using Parks.Units.Domain;

namespace Parks.Units.Storage;

/// <summary>
/// How this area's records are stored: UTF-8 JSON of the domain records, enums by name, units by resource name
/// (so a stored record reads like the API and survives enum renumbering).
/// </summary>
internal static class StateJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new UnitRefConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    // Stored records go through the source-generated context (same format, its fast path); anything else
    // (fingerprints of requests) through the reflection-backed options.
    public static byte[] Serialize<T>(T value) =>
        StoredRecordsContext.Default.GetTypeInfo(typeof(T)) is JsonTypeInfo<T> info
            ? JsonSerializer.SerializeToUtf8Bytes(value, info)
            : JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes, string key) =>
        (StoredRecordsContext.Default.GetTypeInfo(typeof(T)) is JsonTypeInfo<T> info
            ? JsonSerializer.Deserialize(bytes.Span, info)
            : JsonSerializer.Deserialize<T>(bytes.Span, Options))
        ?? throw new InvalidOperationException($"state entry {key} is empty");

    internal sealed class UnitRefConverter : JsonConverter<UnitRef>
    {
        public override UnitRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var name = reader.GetString();
            return UnitRef.TryParse(name, out var unit) ? unit : throw new JsonException($"'{name}' is not a unit name");
        }

        public override void Write(Utf8JsonWriter writer, UnitRef value, JsonSerializerOptions options) => writer.WriteStringValue(value.ResourceName);
    }
}

/// <summary>A record as stored, with its version (the etag).</summary>
public sealed record Stored<T>(T Value, long Version)
{
    public string Etag => Etags.Format(Version);
}

/// <summary>Etags are the store's versions written as decimal strings.</summary>
public static class Etags
{
    public static string Format(long version) => version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Throws <see cref="ConcurrencyException"/> when a caller's etag is not the current version.</summary>
    public static void Check(string? etag, long current, string resourceName, string field = "etag")
    {
        if (string.IsNullOrEmpty(etag)) return;
        if (!long.TryParse(etag, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) || version <= 0)
            throw new ValidationException(field, $"'{etag}' is not an etag issued by this service");
        if (version != current)
            throw new ConcurrencyException(resourceName, $"{resourceName} has changed since it was read (etag {etag}, current {Format(current)}); read it again and retry");
    }
}

/// <summary>The records this area stores, with source-generated serialization (the same format as <see cref="StateJson.Options"/>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    Converters = [typeof(StateJson.UnitRefConverter)])]
[JsonSerializable(typeof(Enterprise))]
[JsonSerializable(typeof(InvestmentProject))]
[JsonSerializable(typeof(Referral))]
[JsonSerializable(typeof(Observation))]
[JsonSerializable(typeof(InnovationPointsEvaluation))]
[JsonSerializable(typeof(BranchPark))]
[JsonSerializable(typeof(RegistryEntry))]
[JsonSerializable(typeof(RequestRecord))]
internal sealed partial class StoredRecordsContext : JsonSerializerContext;

/// <summary>The storage format, for tools that read or write stored records (the benchmark's breakdown).</summary>
public static class StateJsonAccess
{
    public static byte[] Serialize<T>(T value) => StateJson.Serialize(value);

    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes) => StateJson.Deserialize<T>(bytes, "(tool)");
}
