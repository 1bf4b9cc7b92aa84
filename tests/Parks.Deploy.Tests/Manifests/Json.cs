using System.Text.Json.Nodes;

namespace Parks.Deploy.Tests.Manifests;

/// <summary>Null-tolerant navigation of Kubernetes objects held as JSON trees.</summary>
internal static class Json
{
    /// <summary>The node at <paramref name="path"/> (property names), or null when any step is missing.</summary>
    public static JsonNode? At(this JsonNode? node, params string[] path)
    {
        foreach (var step in path)
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(step, out var next) ? next : null;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    public static string? Str(this JsonNode? node, params string[] path) =>
        node.At(path) is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static long? Long(this JsonNode? node, params string[] path) =>
        node.At(path) is JsonValue value && value.TryGetValue<long>(out var number) ? number
        : node.At(path) is JsonValue other && other.TryGetValue<int>(out var small) ? small
        : null;

    public static bool? Bool(this JsonNode? node, params string[] path) =>
        node.At(path) is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;

    public static JsonObject? Obj(this JsonNode? node, params string[] path) => node.At(path) as JsonObject;

    /// <summary>The array's elements, or nothing when the node is missing or not an array.</summary>
    public static IEnumerable<JsonNode?> Items(this JsonNode? node, params string[] path) =>
        node.At(path) as JsonArray ?? [];

    /// <summary>A string-to-string map (labels, annotations, ConfigMap data); other values are skipped.</summary>
    public static IReadOnlyDictionary<string, string> Map(this JsonNode? node, params string[] path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node.At(path) is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                if (value is JsonValue v && v.TryGetValue<string>(out var text))
                {
                    result[key] = text;
                }
            }
        }

        return result;
    }

    /// <summary>"Kind/name", how violations name an object.</summary>
    public static string Id(this JsonNode obj) => $"{obj.Str("kind")}/{obj.Str("metadata", "name")}";
}
