using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Parks.Gateway.Api;

/// <summary>
/// A path to a singular string field of a request, through singular message fields: <c>parent</c>,
/// <c>enterprise.name</c>. The gateway reads it from the serialized request without parsing the rest.
/// </summary>
internal sealed class FieldPath
{
    private readonly int[] _numbers;

    private FieldPath(IReadOnlyList<FieldDescriptor> fields)
    {
        Fields = fields;
        _numbers = fields.Select(f => f.FieldNumber).ToArray();
        Display = string.Join('.', fields.Select(f => f.Name));
    }

    public IReadOnlyList<FieldDescriptor> Fields { get; }

    /// <summary>The proto field names, dotted (as in google.rpc.BadRequest field violations).</summary>
    public string Display { get; }

    public override string ToString() => Display;

    /// <summary>Resolves a dotted path of proto (or JSON) field names; null with <paramref name="problem"/> when it is not a path to a string.</summary>
    public static FieldPath? Resolve(MessageDescriptor message, string path, out string problem) => Resolve(message, path, stringLeaf: true, out problem);

    /// <summary>Resolves a dotted path to a field of any type (a query parameter); only the last field may be repeated.</summary>
    public static FieldPath? ResolveAny(MessageDescriptor message, string path, out string problem) => Resolve(message, path, stringLeaf: false, out problem);

    private static FieldPath? Resolve(MessageDescriptor message, string path, bool stringLeaf, out string problem)
    {
        problem = string.Empty;
        var fields = new List<FieldDescriptor>();
        var current = message;
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var field = current.FindFieldByName(parts[i]) ?? current.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == parts[i]);
            if (field is null) { problem = $"{current.FullName} has no field '{parts[i]}'"; return null; }
            if ((field.IsRepeated || field.IsMap) && (stringLeaf || i < parts.Length - 1)) { problem = $"{current.FullName}.{field.Name} is repeated"; return null; }
            fields.Add(field);
            if (i < parts.Length - 1)
            {
                if (field.FieldType != FieldType.Message) { problem = $"{current.FullName}.{field.Name} is not a message"; return null; }
                current = field.MessageType;
            }
            else if (stringLeaf && field.FieldType != FieldType.String)
            {
                problem = $"{current.FullName}.{field.Name} is not a string";
                return null;
            }
        }
        return new FieldPath(fields);
    }

    /// <summary>
    /// The field that names the resource a request addresses, by the AIP conventions: <c>name</c>, else
    /// <c>parent</c>, else the <c>name</c> of the one singular message field that has one (an Update request's
    /// resource). Null when there is none.
    /// </summary>
    public static FieldPath? Discover(MessageDescriptor request)
    {
        foreach (var candidate in new[] { "name", "parent" })
        {
            if (request.FindFieldByName(candidate) is { FieldType: FieldType.String, IsRepeated: false })
                return Resolve(request, candidate, out _);
        }
        var nested = request.Fields.InDeclarationOrder()
            .Where(f => f is { FieldType: FieldType.Message, IsRepeated: false, IsMap: false }
                && f.MessageType.FindFieldByName("name") is { FieldType: FieldType.String, IsRepeated: false })
            .ToArray();
        return nested.Length == 1 ? Resolve(request, nested[0].Name + ".name", out _) : null;
    }

    /// <summary>
    /// Reads the field from a serialized message as protobuf parsing would: the last occurrence wins and an embedded
    /// message that occurs more than once is merged. Null when the field is absent.
    /// </summary>
    /// <exception cref="InvalidProtocolBufferException">The bytes are not a valid protobuf message.</exception>
    public string? ReadFrom(byte[] message) => Read(message, 0, message.Length, 0);

    private string? Read(byte[] buffer, int offset, int length, int depth)
    {
        var input = new CodedInputStream(buffer, offset, length);
        var wanted = WireFormat.MakeTag(_numbers[depth], WireFormat.WireType.LengthDelimited);
        var last = depth == _numbers.Length - 1;
        string? value = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag != wanted)
            {
                input.SkipLastField();
                continue;
            }
            if (last)
            {
                value = input.ReadString();
            }
            else
            {
                var bytes = input.ReadBytes();
                var inner = bytes.Length == 0 ? null : Read(bytes.ToByteArray(), 0, bytes.Length, depth + 1);
                if (inner is not null) value = inner;
            }
        }
        return value;
    }
}
