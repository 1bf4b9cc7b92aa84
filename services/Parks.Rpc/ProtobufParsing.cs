using Google.Protobuf;

namespace Parks.Rpc;

/// <summary>What a failed protobuf parse can throw.</summary>
public static class ProtobufParsing
{
    /// <summary>
    /// Whether an exception thrown while parsing untrusted protobuf bytes means "malformed input". Google.Protobuf
    /// documents <see cref="InvalidProtocolBufferException"/>, but some malformed inputs escape as other exceptions:
    /// a length prefix near int.MaxValue in a nested message throws IndexOutOfRangeException (3.25.1 and later,
    /// protocolbuffers/protobuf#26856; found by tools/reliability fuzz), and others ArgumentException or
    /// InvalidOperationException (protocolbuffers/protobuf#5513). Use only around a parse call.
    /// </summary>
    public static bool IsMalformedInput(Exception exception) =>
        exception is InvalidProtocolBufferException or IndexOutOfRangeException or ArgumentException or InvalidOperationException;
}
