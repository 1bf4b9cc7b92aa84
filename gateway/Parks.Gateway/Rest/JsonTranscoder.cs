using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Http;
using Parks.Gateway.Api;
using Parks.Gateway.Pipeline;

namespace Parks.Gateway.Rest;

/// <summary>
/// proto3 canonical JSON both ways (Google.Protobuf's JsonParser and JsonFormatter, with every known type registered
/// so google.protobuf.Any works): int64 as strings, enums by name, lowerCamelCase names (proto names accepted on
/// input), unknown fields refused. Query parameters bind request fields by path (<c>?page_size=10&amp;tier=…</c>).
/// </summary>
internal sealed class JsonTranscoder(ServiceCatalog catalog)
{
    private readonly JsonParser _parser = new(JsonParser.Settings.Default.WithTypeRegistry(catalog.TypeRegistry));
    private readonly JsonFormatter _formatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(catalog.TypeRegistry));

    public string Format(IMessage message) => _formatter.Format(message);

    /// <summary>Parses a request body; INVALID_ARGUMENT naming the problem when it is not this message in canonical JSON.</summary>
    public IMessage Parse(string json, MessageDescriptor descriptor)
    {
        try
        {
            return _parser.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json, descriptor);
        }
        catch (InvalidJsonException ex)
        {
            throw GatewayErrors.InvalidArgument("body", $"is not valid JSON for {descriptor.FullName}: {ex.Message}");
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw GatewayErrors.InvalidArgument("body", $"is not valid JSON for {descriptor.FullName}: {ex.Message}");
        }
    }

    /// <summary>Builds a request from query parameters and (for resource routes) the path variable.</summary>
    public IMessage FromQuery(MessageDescriptor descriptor, IQueryCollection query, FieldPath? variable, string? variableValue)
    {
        var root = new JsonObject();
        foreach (var (key, values) in query)
        {
            var path = FieldPath.ResolveAny(descriptor, key, out var problem)
                ?? throw GatewayErrors.InvalidArgument(key, $"is not a field of {descriptor.FullName}: {problem}");
            if (variable is not null && path.Display == variable.Display)
                throw GatewayErrors.InvalidArgument(key, "is bound by the path and may not also be a query parameter");
            Set(root, path.Fields, JsonFor(path.Fields[^1], key, values));
        }
        if (variable is not null && variableValue is not null) Set(root, variable.Fields, JsonValue.Create(variableValue));
        return Parse(root.ToJsonString(), descriptor);
    }

    private static void Set(JsonObject root, IReadOnlyList<FieldDescriptor> fields, JsonNode value)
    {
        var current = root;
        for (var i = 0; i < fields.Count - 1; i++)
        {
            if (current[fields[i].JsonName] is not JsonObject next)
            {
                next = new JsonObject();
                current[fields[i].JsonName] = next;
            }
            current = next;
        }
        current[fields[^1].JsonName] = value;
    }

    private static JsonNode JsonFor(FieldDescriptor field, string key, Microsoft.Extensions.Primitives.StringValues values)
    {
        if (field.IsMap) throw GatewayErrors.InvalidArgument(key, "is a map; send it in a JSON body to POST /v1/rpc/...");
        if (field.IsRepeated) return new JsonArray(values.Select(v => Scalar(field, key, v ?? string.Empty)).ToArray());
        if (values.Count > 1) throw GatewayErrors.InvalidArgument(key, "is not repeated but was given more than once");
        return Scalar(field, key, values.ToString());
    }

    private static JsonNode Scalar(FieldDescriptor field, string key, string value)
    {
        switch (field.FieldType)
        {
            case FieldType.Bool:
                return value switch
                {
                    "true" => JsonValue.Create(true),
                    "false" => JsonValue.Create(false),
                    _ => throw GatewayErrors.InvalidArgument(key, $"must be true or false, not '{value}'"),
                };
            case FieldType.Message when field.MessageType.FullName is "google.protobuf.Timestamp" or "google.protobuf.Duration" or "google.protobuf.FieldMask"
                or "google.protobuf.StringValue" or "google.protobuf.Int64Value" or "google.protobuf.UInt64Value":
                return JsonValue.Create(value);
            case FieldType.Message:
                throw GatewayErrors.InvalidArgument(key, $"is a {field.MessageType.FullName}; bind its fields ({key}.<field>) or send a JSON body to POST /v1/rpc/...");
            default:
                // Canonical JSON parsers take every number as a string too; strings, bytes (base64) and enums (names)
                // are strings anyway. The parser then checks the value against the field's type.
                return JsonValue.Create(value);
        }
    }
}
