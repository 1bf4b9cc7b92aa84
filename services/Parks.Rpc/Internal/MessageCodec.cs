using System.Buffers;
using Google.Protobuf;

namespace Parks.Rpc.Internal;

/// <summary>
/// Turns a call's messages into the bytes of a gRPC message and back. Typed calls use protobuf; raw calls
/// (<see cref="RawMethod"/>, for proxies) pass the serialized bytes through untouched.
/// </summary>
internal abstract class MessageCodec<T> where T : class
{
    public abstract int GetSize(T message);

    /// <summary>Writes exactly <see cref="GetSize"/> bytes.</summary>
    public abstract void Write(T message, Span<byte> destination);

    public abstract void Write(T message, IBufferWriter<byte> destination);

    /// <summary>Parses one message; throws <see cref="InvalidProtocolBufferException"/> for malformed protobuf.</summary>
    public abstract T Parse(ReadOnlySequence<byte> payload);

    public abstract T Parse(byte[] buffer, int offset, int length);
}

internal sealed class ProtobufCodec<T>(MessageParser<T> parser) : MessageCodec<T> where T : class, IMessage<T>
{
    public override int GetSize(T message) => message.CalculateSize();

    public override void Write(T message, Span<byte> destination) => message.WriteTo(destination);

    public override void Write(T message, IBufferWriter<byte> destination) => message.WriteTo(destination);

    public override T Parse(ReadOnlySequence<byte> payload) => parser.ParseFrom(payload);

    public override T Parse(byte[] buffer, int offset, int length) => parser.ParseFrom(buffer, offset, length);
}

/// <summary>The identity codec: a message is its serialized bytes.</summary>
internal sealed class RawCodec : MessageCodec<byte[]>
{
    public static readonly RawCodec Instance = new();

    public override int GetSize(byte[] message) => message.Length;

    public override void Write(byte[] message, Span<byte> destination) => message.CopyTo(destination);

    public override void Write(byte[] message, IBufferWriter<byte> destination) => destination.Write(message);

    public override byte[] Parse(ReadOnlySequence<byte> payload) => payload.ToArray();

    public override byte[] Parse(byte[] buffer, int offset, int length) => buffer.AsSpan(offset, length).ToArray();
}
