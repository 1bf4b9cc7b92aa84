using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Parks.Cli.Dynamic;

/// <summary>
/// Protobuf JSON (the proto3 JSON mapping) to protobuf wire format and back, driven by descriptors only: what
/// grpcurl does with dynamic messages, which Google.Protobuf for C# does not have. Covers scalars, enums,
/// nested messages, repeated (packed and not), maps, oneofs, and the well-known types (Timestamp, Duration,
/// FieldMask, wrappers, Struct/Value/ListValue, Any, Empty). Unknown fields on the wire are skipped; unknown
/// JSON fields are an error, as in Google's parser.
/// </summary>
internal sealed class ProtoJsonCodec(DescriptorSet types)
{
    public byte[] Encode(MessageDescriptor descriptor, string json)
    {
        using var document = ParseDocument(json);
        return Encode(descriptor, document.RootElement);
    }

    public byte[] Encode(MessageDescriptor descriptor, JsonElement json)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer, leaveOpen: true);
        WriteMessage(output, descriptor, json, descriptor.FullName);
        output.Flush();
        return buffer.ToArray();
    }

    public string Decode(MessageDescriptor descriptor, ReadOnlySpan<byte> wire, bool indented = true, bool emitDefaults = false)
    {
        var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteJson(writer, descriptor, wire.ToArray(), emitDefaults);
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }

    public JsonElement DecodeElement(MessageDescriptor descriptor, ReadOnlySpan<byte> wire, bool emitDefaults = false)
    {
        using var document = JsonDocument.Parse(Decode(descriptor, wire, indented: false, emitDefaults));
        return document.RootElement.Clone();
    }

    private static JsonDocument ParseDocument(string json)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ProtoJsonException($"The request is not valid JSON: {e.Message}");
        }
    }

    // ---------------------------------------------------------------- JSON -> wire

    private void WriteMessage(CodedOutputStream output, MessageDescriptor descriptor, JsonElement json, string path)
    {
        if (WellKnown.IsSpecial(descriptor.FullName))
        {
            WriteWellKnown(output, descriptor, json, path);
            return;
        }
        if (json.ValueKind != JsonValueKind.Object) throw Error(path, $"expected a JSON object for {descriptor.FullName}, got {Kind(json)}");
        var seenOneofs = new Dictionary<OneofDescriptor, string>();
        foreach (var property in json.EnumerateObject())
        {
            var field = FindField(descriptor, property.Name)
                ?? throw Error(path, $"{descriptor.FullName} has no field '{property.Name}'");
            var fieldPath = path + "." + field.JsonName;
            if (property.Value.ValueKind == JsonValueKind.Null && !(field.FieldType == FieldType.Message && field.MessageType.FullName == WellKnown.Value))
                continue; // null means "not set"
            if (field.RealContainingOneof is { } oneof)
            {
                if (seenOneofs.TryGetValue(oneof, out var other))
                    throw Error(path, $"'{other}' and '{field.JsonName}' are members of the same oneof '{oneof.Name}': set at most one");
                seenOneofs[oneof] = field.JsonName;
            }
            if (field.IsMap) WriteMap(output, field, property.Value, fieldPath);
            else if (field.IsRepeated) WriteRepeated(output, field, property.Value, fieldPath);
            else WriteSingle(output, field, property.Value, fieldPath);
        }
    }

    private static FieldDescriptor? FindField(MessageDescriptor descriptor, string name) =>
        descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == name)
        ?? descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.Name == name);

    private void WriteRepeated(CodedOutputStream output, FieldDescriptor field, JsonElement json, string path)
    {
        if (json.ValueKind != JsonValueKind.Array) throw Error(path, $"expected a JSON array, got {Kind(json)}");
        if (IsPackable(field.FieldType) && field.IsPacked)
        {
            if (json.GetArrayLength() == 0) return;
            using var packed = new MemoryStream();
            var inner = new CodedOutputStream(packed, leaveOpen: true);
            var i = 0;
            foreach (var item in json.EnumerateArray()) WriteScalarValue(inner, field, item, $"{path}[{i++}]");
            inner.Flush();
            output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(packed.ToArray()));
            return;
        }
        var index = 0;
        foreach (var item in json.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Null) throw Error($"{path}[{index}]", "null is not allowed in a repeated field");
            WriteSingle(output, field, item, $"{path}[{index++}]");
        }
    }

    private void WriteMap(CodedOutputStream output, FieldDescriptor field, JsonElement json, string path)
    {
        if (json.ValueKind != JsonValueKind.Object) throw Error(path, $"expected a JSON object for a map, got {Kind(json)}");
        var keyField = field.MessageType.FindFieldByNumber(1);
        var valueField = field.MessageType.FindFieldByNumber(2);
        foreach (var entry in json.EnumerateObject())
        {
            using var buffer = new MemoryStream();
            var inner = new CodedOutputStream(buffer, leaveOpen: true);
            WriteSingle(inner, keyField, MapKey(keyField, entry.Name, path), $"{path}[\"{entry.Name}\"]");
            if (entry.Value.ValueKind == JsonValueKind.Null) throw Error($"{path}[\"{entry.Name}\"]", "null is not allowed as a map value");
            WriteSingle(inner, valueField, entry.Value, $"{path}[\"{entry.Name}\"]");
            inner.Flush();
            output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(buffer.ToArray()));
        }
    }

    /// <summary>Map keys are JSON strings; as an element they become the key type's JSON value.</summary>
    private static JsonElement MapKey(FieldDescriptor keyField, string key, string path)
    {
        var text = keyField.FieldType switch
        {
            FieldType.String => JsonSerializer.Serialize(key),
            FieldType.Bool => key is "true" or "false" ? key : throw Error(path, $"map key '{key}' is not a bool"),
            _ => JsonSerializer.Serialize(key),
        };
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private void WriteSingle(CodedOutputStream output, FieldDescriptor field, JsonElement json, string path)
    {
        if (field.FieldType is FieldType.Message or FieldType.Group)
        {
            var bytes = EncodeNested(field.MessageType, json, path);
            output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(bytes));
            return;
        }
        output.WriteTag(field.FieldNumber, WireTypeOf(field.FieldType));
        WriteScalarValue(output, field, json, path);
    }

    private byte[] EncodeNested(MessageDescriptor descriptor, JsonElement json, string path)
    {
        using var buffer = new MemoryStream();
        var inner = new CodedOutputStream(buffer, leaveOpen: true);
        WriteMessage(inner, descriptor, json, path);
        inner.Flush();
        return buffer.ToArray();
    }

    private static void WriteScalarValue(CodedOutputStream output, FieldDescriptor field, JsonElement json, string path)
    {
        switch (field.FieldType)
        {
            case FieldType.Int32: output.WriteInt32(checked((int)Integer(json, path, int.MinValue, int.MaxValue))); break;
            case FieldType.SInt32: output.WriteSInt32(checked((int)Integer(json, path, int.MinValue, int.MaxValue))); break;
            case FieldType.SFixed32: output.WriteSFixed32(checked((int)Integer(json, path, int.MinValue, int.MaxValue))); break;
            case FieldType.Int64: output.WriteInt64(checked((long)Integer(json, path, long.MinValue, long.MaxValue))); break;
            case FieldType.SInt64: output.WriteSInt64(checked((long)Integer(json, path, long.MinValue, long.MaxValue))); break;
            case FieldType.SFixed64: output.WriteSFixed64(checked((long)Integer(json, path, long.MinValue, long.MaxValue))); break;
            case FieldType.UInt32: output.WriteUInt32(checked((uint)Integer(json, path, 0, uint.MaxValue))); break;
            case FieldType.Fixed32: output.WriteFixed32(checked((uint)Integer(json, path, 0, uint.MaxValue))); break;
            case FieldType.UInt64: output.WriteUInt64(checked((ulong)Integer(json, path, 0, ulong.MaxValue))); break;
            case FieldType.Fixed64: output.WriteFixed64(checked((ulong)Integer(json, path, 0, ulong.MaxValue))); break;
            case FieldType.Double: output.WriteDouble(Floating(json, path)); break;
            case FieldType.Float:
                var value = Floating(json, path);
                var single = (float)value; // rounds to the nearest float; only what overflows is out of range
                if (double.IsFinite(value) && float.IsInfinity(single)) throw Error(path, $"{value} is out of range for a float");
                output.WriteFloat(single);
                break;
            case FieldType.Bool:
                if (json.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw Error(path, $"expected true or false, got {Kind(json)}");
                output.WriteBool(json.GetBoolean());
                break;
            case FieldType.String:
                if (json.ValueKind != JsonValueKind.String) throw Error(path, $"expected a string, got {Kind(json)}");
                output.WriteString(json.GetString()!);
                break;
            case FieldType.Bytes:
                output.WriteBytes(ByteString.CopyFrom(Base64(json, path)));
                break;
            case FieldType.Enum:
                output.WriteEnum(EnumNumber(field.EnumType, json, path));
                break;
            default:
                throw Error(path, $"unsupported field type {field.FieldType}");
        }
    }

    private static int EnumNumber(EnumDescriptor type, JsonElement json, string path)
    {
        if (json.ValueKind == JsonValueKind.String)
        {
            var name = json.GetString()!;
            return type.FindValueByName(name)?.Number
                ?? throw Error(path, $"'{name}' is not a value of {type.FullName} ({string.Join(", ", type.Values.Select(v => v.Name))})");
        }
        if (json.ValueKind == JsonValueKind.Number && json.TryGetInt32(out var number)) return number;
        throw Error(path, $"expected an enum name of {type.FullName} or a number, got {Kind(json)}");
    }

    /// <summary>An integer from a JSON number or string (proto3 JSON accepts both), range-checked.</summary>
    private static decimal Integer(JsonElement json, string path, decimal min, decimal max)
    {
        decimal value;
        if (json.ValueKind == JsonValueKind.Number)
        {
            if (!json.TryGetDecimal(out value)) throw Error(path, $"{json.GetRawText()} is not an integer");
        }
        else if (json.ValueKind == JsonValueKind.String)
        {
            if (!decimal.TryParse(json.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
                throw Error(path, $"'{json.GetString()}' is not an integer");
        }
        else
        {
            throw Error(path, $"expected an integer, got {Kind(json)}");
        }
        if (value != decimal.Truncate(value)) throw Error(path, $"{value} is not an integer");
        if (value < min || value > max) throw Error(path, $"{value} is out of range ({min}..{max})");
        return value;
    }

    private static double Floating(JsonElement json, string path)
    {
        if (json.ValueKind == JsonValueKind.Number) return json.GetDouble();
        if (json.ValueKind == JsonValueKind.String)
        {
            var text = json.GetString();
            return text switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => throw Error(path, $"'{text}' is not a number"),
            };
        }
        throw Error(path, $"expected a number, got {Kind(json)}");
    }

    private static byte[] Base64(JsonElement json, string path)
    {
        if (json.ValueKind != JsonValueKind.String) throw Error(path, $"expected base64 text, got {Kind(json)}");
        var text = json.GetString()!.Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw Error(path, "not valid base64");
        }
    }

    private void WriteWellKnown(CodedOutputStream output, MessageDescriptor descriptor, JsonElement json, string path)
    {
        switch (descriptor.FullName)
        {
            case WellKnown.Timestamp:
            {
                if (json.ValueKind != JsonValueKind.String) throw Error(path, "expected an RFC 3339 timestamp string");
                var (seconds, nanos) = WellKnown.ParseTimestamp(json.GetString()!) ?? throw Error(path, $"'{json.GetString()}' is not an RFC 3339 timestamp");
                if (seconds != 0) { output.WriteTag(1, WireFormat.WireType.Varint); output.WriteInt64(seconds); }
                if (nanos != 0) { output.WriteTag(2, WireFormat.WireType.Varint); output.WriteInt32(nanos); }
                break;
            }
            case WellKnown.Duration:
            {
                if (json.ValueKind != JsonValueKind.String) throw Error(path, "expected a duration string such as \"1.5s\"");
                var (seconds, nanos) = WellKnown.ParseDuration(json.GetString()!) ?? throw Error(path, $"'{json.GetString()}' is not a duration (\"1.5s\")");
                if (seconds != 0) { output.WriteTag(1, WireFormat.WireType.Varint); output.WriteInt64(seconds); }
                if (nanos != 0) { output.WriteTag(2, WireFormat.WireType.Varint); output.WriteInt32(nanos); }
                break;
            }
            case WellKnown.FieldMask:
            {
                if (json.ValueKind != JsonValueKind.String) throw Error(path, "expected a field mask string such as \"displayName,address\"");
                foreach (var part in json.GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    output.WriteString(WellKnown.ToSnakeCase(part));
                }
                break;
            }
            case WellKnown.Struct:
                WriteStruct(output, json, path);
                break;
            case WellKnown.Value:
                WriteValue(output, json, path);
                break;
            case WellKnown.ListValue:
                WriteListValue(output, json, path);
                break;
            case WellKnown.Any:
                WriteAny(output, json, path);
                break;
            default: // wrappers: the wrapped value is field 1
                if (json.ValueKind == JsonValueKind.Null) return;
                var value = descriptor.FindFieldByNumber(1);
                WriteSingle(output, value, json, path);
                break;
        }
    }

    private void WriteStruct(CodedOutputStream output, JsonElement json, string path)
    {
        if (json.ValueKind != JsonValueKind.Object) throw Error(path, $"expected a JSON object for google.protobuf.Struct, got {Kind(json)}");
        foreach (var entry in json.EnumerateObject())
        {
            using var buffer = new MemoryStream();
            var inner = new CodedOutputStream(buffer, leaveOpen: true);
            inner.WriteTag(1, WireFormat.WireType.LengthDelimited);
            inner.WriteString(entry.Name);
            inner.WriteTag(2, WireFormat.WireType.LengthDelimited);
            inner.WriteBytes(ByteString.CopyFrom(Nested(o => WriteValue(o, entry.Value, path + "." + entry.Name))));
            inner.Flush();
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(buffer.ToArray()));
        }
    }

    private void WriteValue(CodedOutputStream output, JsonElement json, string path)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Null: output.WriteTag(1, WireFormat.WireType.Varint); output.WriteEnum(0); break;
            case JsonValueKind.Number: output.WriteTag(2, WireFormat.WireType.Fixed64); output.WriteDouble(json.GetDouble()); break;
            case JsonValueKind.String: output.WriteTag(3, WireFormat.WireType.LengthDelimited); output.WriteString(json.GetString()!); break;
            case JsonValueKind.True or JsonValueKind.False: output.WriteTag(4, WireFormat.WireType.Varint); output.WriteBool(json.GetBoolean()); break;
            case JsonValueKind.Object:
                output.WriteTag(5, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(Nested(o => WriteStruct(o, json, path))));
                break;
            case JsonValueKind.Array:
                output.WriteTag(6, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(Nested(o => WriteListValue(o, json, path))));
                break;
            default: throw Error(path, $"unsupported JSON value {Kind(json)}");
        }
    }

    private void WriteListValue(CodedOutputStream output, JsonElement json, string path)
    {
        if (json.ValueKind != JsonValueKind.Array) throw Error(path, $"expected a JSON array for google.protobuf.ListValue, got {Kind(json)}");
        var i = 0;
        foreach (var item in json.EnumerateArray())
        {
            var itemPath = $"{path}[{i++}]";
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(Nested(o => WriteValue(o, item, itemPath))));
        }
    }

    private void WriteAny(CodedOutputStream output, JsonElement json, string path)
    {
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("@type", out var typeUrl) || typeUrl.ValueKind != JsonValueKind.String)
            throw Error(path, "a google.protobuf.Any needs an \"@type\" such as \"type.googleapis.com/google.rpc.ErrorInfo\"");
        var url = typeUrl.GetString()!;
        var typeName = url[(url.LastIndexOf('/') + 1)..];
        var type = types.FindMessage(typeName) ?? throw Error(path, $"unknown type '{typeName}' in \"@type\"");
        byte[] value;
        if (WellKnown.IsSpecial(type.FullName))
        {
            if (!json.TryGetProperty("value", out var wrapped)) throw Error(path, $"an Any holding {type.FullName} needs \"value\"");
            value = EncodeNested(type, wrapped, path + ".value");
        }
        else
        {
            var fields = new Dictionary<string, JsonElement>();
            foreach (var property in json.EnumerateObject())
            {
                if (property.Name != "@type") fields[property.Name] = property.Value;
            }
            using var document = JsonDocument.Parse(JsonSerializer.Serialize(fields));
            value = EncodeNested(type, document.RootElement, path);
        }
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteString(url);
        if (value.Length > 0)
        {
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(value));
        }
    }

    private static byte[] Nested(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var inner = new CodedOutputStream(buffer, leaveOpen: true);
        write(inner);
        inner.Flush();
        return buffer.ToArray();
    }

    private static bool IsPackable(FieldType type) => type is not (FieldType.String or FieldType.Bytes or FieldType.Message or FieldType.Group);

    private static WireFormat.WireType WireTypeOf(FieldType type) => type switch
    {
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => WireFormat.WireType.Fixed64,
        FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => WireFormat.WireType.Fixed32,
        FieldType.String or FieldType.Bytes or FieldType.Message => WireFormat.WireType.LengthDelimited,
        FieldType.Group => WireFormat.WireType.StartGroup,
        _ => WireFormat.WireType.Varint,
    };

    // ---------------------------------------------------------------- wire -> JSON

    private void WriteJson(Utf8JsonWriter writer, MessageDescriptor descriptor, byte[] wire, bool emitDefaults)
    {
        if (WellKnown.IsSpecial(descriptor.FullName))
        {
            WriteWellKnownJson(writer, descriptor, wire, emitDefaults);
            return;
        }
        var values = ReadFields(descriptor, wire);
        writer.WriteStartObject();
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            values.TryGetValue(field.FieldNumber, out var found);
            if (field.IsMap)
            {
                if (found is null && !emitDefaults) continue;
                writer.WritePropertyName(field.JsonName);
                writer.WriteStartObject();
                var entries = new Dictionary<string, object>(StringComparer.Ordinal);
                foreach (var entry in found ?? [])
                {
                    var entryValues = ReadFields(field.MessageType, (byte[])entry);
                    var keyField = field.MessageType.FindFieldByNumber(1);
                    var valueField = field.MessageType.FindFieldByNumber(2);
                    var key = entryValues.TryGetValue(1, out var k) ? k[^1] : DefaultOf(keyField);
                    entries[MapKeyText(keyField, key)] = entryValues.TryGetValue(2, out var v) ? v[^1] : DefaultOf(valueField);
                }
                foreach (var (key, value) in entries)
                {
                    writer.WritePropertyName(key);
                    WriteValueJson(writer, field.MessageType.FindFieldByNumber(2), value, emitDefaults);
                }
                writer.WriteEndObject();
            }
            else if (field.IsRepeated)
            {
                if (found is null && !emitDefaults) continue;
                writer.WritePropertyName(field.JsonName);
                writer.WriteStartArray();
                foreach (var value in found ?? []) WriteValueJson(writer, field, value, emitDefaults);
                writer.WriteEndArray();
            }
            else
            {
                object value;
                if (found is not null)
                {
                    value = field.FieldType == FieldType.Message ? MergeMessages(found) : found[^1];
                    if (!field.HasPresence && !emitDefaults && IsDefault(field, value)) continue;
                }
                else
                {
                    if (!emitDefaults || field.HasPresence) continue;
                    value = DefaultOf(field);
                }
                writer.WritePropertyName(field.JsonName);
                WriteValueJson(writer, field, value, emitDefaults);
            }
        }
        writer.WriteEndObject();
    }

    /// <summary>A message field that occurs more than once on the wire: the occurrences merge (concatenated bytes).</summary>
    private static byte[] MergeMessages(List<object> occurrences) =>
        occurrences.Count == 1 ? (byte[])occurrences[0] : occurrences.SelectMany(o => (byte[])o).ToArray();

    private void WriteValueJson(Utf8JsonWriter writer, FieldDescriptor field, object value, bool emitDefaults)
    {
        switch (field.FieldType)
        {
            case FieldType.Message or FieldType.Group:
                WriteJson(writer, field.MessageType, (byte[])value, emitDefaults);
                break;
            case FieldType.Enum:
                var number = (int)value;
                if (field.EnumType.FullName == WellKnown.NullValue) writer.WriteNullValue();
                else if (field.EnumType.FindValueByNumber(number) is { } named) writer.WriteStringValue(named.Name);
                else writer.WriteNumberValue(number);
                break;
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                writer.WriteStringValue(((long)value).ToString(CultureInfo.InvariantCulture));
                break;
            case FieldType.UInt64 or FieldType.Fixed64:
                writer.WriteStringValue(((ulong)value).ToString(CultureInfo.InvariantCulture));
                break;
            case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32:
                writer.WriteNumberValue((int)value);
                break;
            case FieldType.UInt32 or FieldType.Fixed32:
                writer.WriteNumberValue((uint)value);
                break;
            case FieldType.Double:
                WriteFloating(writer, (double)value);
                break;
            case FieldType.Float:
                WriteFloating(writer, (float)value);
                break;
            case FieldType.Bool:
                writer.WriteBooleanValue((bool)value);
                break;
            case FieldType.String:
                writer.WriteStringValue((string)value);
                break;
            case FieldType.Bytes:
                writer.WriteStringValue(Convert.ToBase64String((byte[])value));
                break;
        }
    }

    private static void WriteFloating(Utf8JsonWriter writer, double value)
    {
        if (double.IsNaN(value)) writer.WriteStringValue("NaN");
        else if (double.IsPositiveInfinity(value)) writer.WriteStringValue("Infinity");
        else if (double.IsNegativeInfinity(value)) writer.WriteStringValue("-Infinity");
        else writer.WriteNumberValue(value);
    }

    private static void WriteFloating(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value)) writer.WriteRawValue(value.ToString("R", CultureInfo.InvariantCulture));
        else WriteFloating(writer, (double)value);
    }

    private static string MapKeyText(FieldDescriptor keyField, object key) => key switch
    {
        bool b => b ? "true" : "false",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => key.ToString() ?? "",
    };

    private void WriteWellKnownJson(Utf8JsonWriter writer, MessageDescriptor descriptor, byte[] wire, bool emitDefaults)
    {
        var values = ReadFields(descriptor, wire);
        object? Last(int number) => values.TryGetValue(number, out var list) ? list[^1] : null;
        switch (descriptor.FullName)
        {
            case WellKnown.Timestamp:
                writer.WriteStringValue(WellKnown.FormatTimestamp((long?)Last(1) ?? 0, (int?)Last(2) ?? 0));
                break;
            case WellKnown.Duration:
                writer.WriteStringValue(WellKnown.FormatDuration((long?)Last(1) ?? 0, (int?)Last(2) ?? 0));
                break;
            case WellKnown.FieldMask:
                writer.WriteStringValue(string.Join(",", (values.TryGetValue(1, out var paths) ? paths : []).Select(p => WellKnown.ToCamelCase((string)p))));
                break;
            case WellKnown.Struct:
                writer.WriteStartObject();
                foreach (var entry in values.TryGetValue(1, out var fields) ? fields : [])
                {
                    var entryValues = ReadFields(descriptor.FindFieldByNumber(1).MessageType, (byte[])entry);
                    writer.WritePropertyName(entryValues.TryGetValue(1, out var key) ? (string)key[^1] : "");
                    WriteJson(writer, types.FindMessage(WellKnown.Value)!, entryValues.TryGetValue(2, out var v) ? (byte[])v[^1] : [], emitDefaults);
                }
                writer.WriteEndObject();
                break;
            case WellKnown.ListValue:
                writer.WriteStartArray();
                foreach (var item in values.TryGetValue(1, out var items) ? items : [])
                    WriteJson(writer, types.FindMessage(WellKnown.Value)!, (byte[])item, emitDefaults);
                writer.WriteEndArray();
                break;
            case WellKnown.Value:
                if (Last(2) is double number) WriteFloating(writer, number);
                else if (Last(3) is string text) writer.WriteStringValue(text);
                else if (Last(4) is bool flag) writer.WriteBooleanValue(flag);
                else if (Last(5) is byte[] structure) WriteJson(writer, types.FindMessage(WellKnown.Struct)!, structure, emitDefaults);
                else if (Last(6) is byte[] list) WriteJson(writer, types.FindMessage(WellKnown.ListValue)!, list, emitDefaults);
                else writer.WriteNullValue();
                break;
            case WellKnown.Any:
            {
                var url = (string?)Last(1) ?? "";
                var value = (byte[]?)Last(2) ?? [];
                var type = types.FindMessage(url[(url.LastIndexOf('/') + 1)..]);
                writer.WriteStartObject();
                writer.WriteString("@type", url);
                if (type is null)
                {
                    writer.WriteString("value", Convert.ToBase64String(value)); // a type the server did not describe
                }
                else if (WellKnown.IsSpecial(type.FullName))
                {
                    writer.WritePropertyName("value");
                    WriteJson(writer, type, value, emitDefaults);
                }
                else
                {
                    var inner = DecodeElement(type, value, emitDefaults);
                    foreach (var property in inner.EnumerateObject()) property.WriteTo(writer);
                }
                writer.WriteEndObject();
                break;
            }
            default: // wrappers
                var valueField = descriptor.FindFieldByNumber(1);
                WriteValueJson(writer, valueField, Last(1) ?? DefaultOf(valueField), emitDefaults);
                break;
        }
    }

    /// <summary>The fields on the wire by number, in order; messages, strings and bytes as their bytes/text, packed runs unpacked.</summary>
    private static Dictionary<int, List<object>> ReadFields(MessageDescriptor descriptor, byte[] wire)
    {
        var values = new Dictionary<int, List<object>>();
        var input = new CodedInputStream(wire);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            var wireType = WireFormat.GetTagWireType(tag);
            var field = descriptor.FindFieldByNumber(number);
            if (field is null)
            {
                input.SkipLastField();
                continue;
            }
            if (field.FieldType == FieldType.Group)
            {
                input.SkipLastField(); // proto2 groups: not used by Parks
                continue;
            }
            if (!values.TryGetValue(number, out var list)) values[number] = list = [];
            if (wireType == WireFormat.WireType.LengthDelimited && IsPackable(field.FieldType))
            {
                var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
                while (!packed.IsAtEnd) list.Add(ReadScalar(packed, field.FieldType));
            }
            else
            {
                list.Add(ReadScalar(input, field.FieldType));
            }
        }
        return values;
    }

    private static object ReadScalar(CodedInputStream input, FieldType type) => type switch
    {
        FieldType.Int32 => input.ReadInt32(),
        FieldType.SInt32 => input.ReadSInt32(),
        FieldType.SFixed32 => input.ReadSFixed32(),
        FieldType.Int64 => input.ReadInt64(),
        FieldType.SInt64 => input.ReadSInt64(),
        FieldType.SFixed64 => input.ReadSFixed64(),
        FieldType.UInt32 => input.ReadUInt32(),
        FieldType.Fixed32 => input.ReadFixed32(),
        FieldType.UInt64 => input.ReadUInt64(),
        FieldType.Fixed64 => input.ReadFixed64(),
        FieldType.Double => input.ReadDouble(),
        FieldType.Float => input.ReadFloat(),
        FieldType.Bool => input.ReadBool(),
        FieldType.String => input.ReadString(),
        FieldType.Enum => input.ReadEnum(),
        _ => input.ReadBytes().ToByteArray(), // bytes and messages
    };

    private static object DefaultOf(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 or FieldType.Enum => 0,
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 0L,
        FieldType.UInt32 or FieldType.Fixed32 => 0u,
        FieldType.UInt64 or FieldType.Fixed64 => 0ul,
        FieldType.Double => 0d,
        FieldType.Float => 0f,
        FieldType.Bool => false,
        FieldType.String => "",
        _ => Array.Empty<byte>(),
    };

    private static bool IsDefault(FieldDescriptor field, object value) => value switch
    {
        byte[] bytes => field.FieldType == FieldType.Bytes && bytes.Length == 0,
        string s => s.Length == 0,
        double d => BitConverter.DoubleToInt64Bits(d) == 0,
        float f => BitConverter.SingleToInt32Bits(f) == 0,
        _ => value.Equals(DefaultOf(field)),
    };

    private static ProtoJsonException Error(string path, string message) => new($"{path}: {message}");

    private static string Kind(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}

/// <summary>A JSON request that does not fit the message: names the field path and what is wrong.</summary>
internal sealed class ProtoJsonException(string message) : Exception(message);
