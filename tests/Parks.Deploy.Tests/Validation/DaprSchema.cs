using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Parks.Deploy.Tests.Manifests;

namespace Parks.Deploy.Tests.Validation;

/// <summary>
/// Checks Dapr's resources (Component, Resiliency, Configuration, Subscription) against the fields written
/// down in Schemas/dapr.schema.json, plus what a schema cannot say: the metadata names a component type
/// accepts, one source per metadata item, and policy names that resolve.
/// </summary>
internal static class DaprSchema
{
    private static readonly Lazy<JsonObject> Document = new(Load);

    public static bool Covers(JsonObject obj) => SchemaFor(obj) is not null;

    public static IReadOnlyList<string> Validate(JsonObject obj)
    {
        var schema = SchemaFor(obj);
        if (schema is null)
        {
            return [$"no Dapr schema for {obj.Str("apiVersion")} {obj.Str("kind")}"];
        }

        var errors = new List<string>();
        Check(obj, schema, "", errors);
        switch (obj.Str("kind"))
        {
            case "Component":
                CheckComponentMetadata(obj, errors);
                break;
            case "Resiliency":
                CheckPolicyReferences(obj, errors);
                break;
        }

        return errors;
    }

    private static JsonObject? SchemaFor(JsonObject obj) =>
        Document.Value.Obj("kinds", $"{obj.Str("apiVersion")}/{obj.Str("kind")}");

    private static JsonObject Load()
    {
        using var stream = typeof(DaprSchema).Assembly.GetManifestResourceStream("Parks.Deploy.Tests.Schemas.dapr.schema.json")
            ?? throw new InvalidOperationException("The embedded Dapr schema is missing.");
        return JsonNode.Parse(stream) as JsonObject ?? throw new InvalidOperationException("The Dapr schema is not an object.");
    }

    private static JsonObject Resolve(JsonObject schema)
    {
        while (schema.Str("$ref") is { } reference)
        {
            const string prefix = "#/definitions/";
            schema = Document.Value.Obj("definitions", reference[prefix.Length..])
                ?? throw new InvalidOperationException($"Unresolved $ref {reference} in the Dapr schema.");
        }

        return schema;
    }

    private static void Check(JsonNode? value, JsonObject schema, string path, List<string> errors)
    {
        schema = Resolve(schema);
        var at = path.Length == 0 ? "/" : path;
        if (schema["enum"] is JsonArray allowed)
        {
            if (!allowed.Any(a => JsonNode.DeepEquals(a, value)))
            {
                errors.Add($"{at}: {Show(value)} is not one of {allowed.ToJsonString()}");
            }

            return;
        }

        var type = schema.Str("type");
        if (type is not null && !HasType(value, type))
        {
            errors.Add($"{at}: expected {type}, found {Show(value)}");
            return;
        }

        switch (value)
        {
            case JsonObject obj:
                CheckObject(obj, schema, path, errors);
                break;
            case JsonArray array when schema.Obj("items") is { } items:
                for (var i = 0; i < array.Count; i++)
                {
                    Check(array[i], items, $"{path}/{i}", errors);
                }

                break;
            case JsonValue scalar:
                if (schema.Str("pattern") is { } pattern && scalar.TryGetValue<string>(out var text) && !Regex.IsMatch(text, pattern))
                {
                    errors.Add($"{at}: \"{text}\" does not match {pattern}");
                }

                if (schema.Long("minimum") is { } minimum && scalar.TryGetValue<long>(out var number) && number < minimum)
                {
                    errors.Add($"{at}: {number} is below the minimum {minimum}");
                }

                break;
        }
    }

    private static void CheckObject(JsonObject obj, JsonObject schema, string path, List<string> errors)
    {
        foreach (var required in schema.Items("required").Select(r => r?.GetValue<string>() ?? ""))
        {
            if (!obj.ContainsKey(required))
            {
                errors.Add($"{path}/{required}: required");
            }
        }

        var properties = schema.Obj("properties");
        foreach (var (name, value) in obj)
        {
            if (properties?.Obj(name) is { } property)
            {
                Check(value, property, $"{path}/{name}", errors);
            }
            else if (schema["additionalProperties"] is JsonObject additional)
            {
                Check(value, additional, $"{path}/{name}", errors);
            }
            else if (schema.Bool("additionalProperties") == false)
            {
                errors.Add($"{path}/{name}: not a field Parks uses (misspelt, or add it to Schemas/dapr.schema.json)");
            }
        }
    }

    private static void CheckComponentMetadata(JsonObject component, List<string> errors)
    {
        var type = component.Str("spec", "type") ?? "";
        var known = Document.Value.Items("componentMetadata", type).Select(n => n?.GetValue<string>()).ToHashSet();
        var items = component.Items("spec", "metadata").OfType<JsonObject>().ToArray();
        if (known.Count == 0)
        {
            errors.Add($"/spec/type: no metadata list for component type '{type}' in Schemas/dapr.schema.json");
        }

        foreach (var item in items)
        {
            var name = item.Str("name");
            if (known.Count > 0 && !known.Contains(name))
            {
                errors.Add($"/spec/metadata/{name}: not a metadata field of {type}");
            }

            if (item.ContainsKey("value") == item.ContainsKey("secretKeyRef"))
            {
                errors.Add($"/spec/metadata/{name}: needs exactly one of value and secretKeyRef");
            }
        }

        var names = items.Select(i => i.Str("name")).ToArray();
        foreach (var duplicate in names.GroupBy(n => n).Where(g => g.Count() > 1))
        {
            errors.Add($"/spec/metadata/{duplicate.Key}: set more than once");
        }

        if (type == "pubsub.redis")
        {
            if (!names.Contains("redisHost"))
            {
                errors.Add("/spec/metadata: pubsub.redis requires redisHost");
            }

            if (names.Contains("maxLenApprox") && names.Contains("streamTTL"))
            {
                errors.Add("/spec/metadata: pubsub.redis cannot combine maxLenApprox and streamTTL");
            }
        }
    }

    private static void CheckPolicyReferences(JsonObject resiliency, List<string> errors)
    {
        var policies = resiliency.Obj("spec", "policies");
        var targets = resiliency.Obj("spec", "targets");
        var uses = (targets.Obj("apps") ?? []).Select(app => (Path: $"/spec/targets/apps/{app.Key}", Names: app.Value as JsonObject))
            .Concat((targets.Obj("components") ?? []).SelectMany(component => new[] { "inbound", "outbound" }
                .Select(direction => (Path: $"/spec/targets/components/{component.Key}/{direction}", Names: component.Value.Obj(direction)))));
        foreach (var (path, names) in uses)
        {
            foreach (var (field, section) in new[] { ("timeout", "timeouts"), ("retry", "retries"), ("circuitBreaker", "circuitBreakers") })
            {
                if (names.Str(field) is { } name && policies.At(section, name) is null
                    && !(field == "timeout" && Workloads.DurationSeconds(name) is not null))
                {
                    errors.Add($"{path}/{field}: no {section} policy named '{name}'");
                }
            }
        }
    }

    private static bool HasType(JsonNode? value, string type) => type switch
    {
        "object" => value is JsonObject,
        "array" => value is JsonArray,
        "string" => value is JsonValue v && v.TryGetValue<string>(out _),
        "boolean" => value is JsonValue v && v.TryGetValue<bool>(out _),
        "integer" => value is JsonValue v && (v.TryGetValue<long>(out _) || v.TryGetValue<int>(out _)),
        _ => throw new InvalidOperationException($"Unsupported type '{type}' in the Dapr schema."),
    };

    private static string Show(JsonNode? value) => value?.ToJsonString() ?? "null";
}
