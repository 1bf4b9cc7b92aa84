using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Parks.Cli.Dynamic;

/// <summary>
/// A message carried as its encoded fields, for calls whose types are known only from reflection: the
/// request is encoded by <see cref="ProtoJsonCodec"/>, the response decoded by it. Parks.Rpc's typed API needs an
/// <see cref="IMessage{T}"/>; this one holds every field as an unknown field (field order across different
/// numbers is not kept, which protobuf semantics allow).
/// </summary>
internal sealed class RawMessage : IMessage<RawMessage>, IBufferMessage
{
    public static readonly MessageParser<RawMessage> Parser = new(() => new RawMessage());

    private UnknownFieldSet? _fields;

    public RawMessage()
    {
    }

    public RawMessage(byte[] encoded)
    {
        var input = new CodedInputStream(encoded);
        uint tag;
        while ((tag = input.ReadTag()) != 0) _fields = UnknownFieldSet.MergeFieldFrom(_fields, input);
    }

    /// <summary>No static descriptor: the reflection descriptors are used by the codec, not by this type.</summary>
    public MessageDescriptor Descriptor => throw new NotSupportedException("A RawMessage has no descriptor; decode it with ProtoJsonCodec.");

    public byte[] ToBytes()
    {
        if (_fields is null) return [];
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer, leaveOpen: true);
        _fields.WriteTo(output);
        output.Flush();
        return buffer.ToArray();
    }

    public void MergeFrom(RawMessage message) => _fields = UnknownFieldSet.MergeFrom(_fields, message._fields);

    public void MergeFrom(CodedInputStream input)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0) _fields = UnknownFieldSet.MergeFieldFrom(_fields, input);
    }

    public void InternalMergeFrom(ref ParseContext input)
    {
        uint tag;
        while ((tag = input.ReadTag()) != 0) _fields = UnknownFieldSet.MergeFieldFrom(_fields, ref input);
    }

    public void WriteTo(CodedOutputStream output) => _fields?.WriteTo(output);

    public void InternalWriteTo(ref WriteContext output) => _fields?.WriteTo(ref output);

    public int CalculateSize() => _fields?.CalculateSize() ?? 0;

    public RawMessage Clone() => new() { _fields = UnknownFieldSet.Clone(_fields) };

    public bool Equals(RawMessage? other) => other is not null && Equals(_fields, other._fields);

    public override bool Equals(object? obj) => Equals(obj as RawMessage);

    public override int GetHashCode() => _fields?.GetHashCode() ?? 0;
}
