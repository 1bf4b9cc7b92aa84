using System.Buffers;
using System.Buffers.Binary;
using Parks.Rpc.Internal;

namespace Parks.Rpc.Tests;

/// <summary>Property tests of the frame reader: messages survive any split into segments; garbage never throws.</summary>
public sealed class FrameReaderTests
{
    [Fact]
    public void Any_sequence_of_messages_split_anywhere_reads_back_exactly()
    {
        var random = new Random(7);
        for (var iteration = 0; iteration < 300; iteration++)
        {
            var messages = Enumerable.Range(0, random.Next(0, 6)).Select(_ =>
            {
                var m = new byte[random.Next(0, random.Next(2) == 0 ? 20 : 3000)];
                random.NextBytes(m);
                return m;
            }).ToList();
            var stream = messages.SelectMany(m => BadRequestTests.Frame(m)).ToArray();
            var buffer = Segments(stream, random);

            var read = new List<byte[]>();
            while (true)
            {
                var result = FrameReader.TryRead(ref buffer, int.MaxValue, out var message, out var compressed, out _);
                if (result != FrameReadResult.Message) { Assert.Equal(FrameReadResult.Incomplete, result); break; }
                Assert.False(compressed);
                read.Add(message.ToArray());
            }
            Assert.Equal(0, buffer.Length);
            Assert.Equal(messages, read);
        }
    }

    [Fact]
    public void A_partial_frame_is_incomplete_until_its_last_byte()
    {
        var frame = BadRequestTests.Frame([1, 2, 3, 4]);
        for (var cut = 0; cut < frame.Length; cut++)
        {
            var buffer = new ReadOnlySequence<byte>(frame, 0, cut);
            Assert.Equal(FrameReadResult.Incomplete, FrameReader.TryRead(ref buffer, 100, out _, out _, out _));
            Assert.Equal(cut, buffer.Length);
        }
    }

    [Fact]
    public void Limits_and_flags_are_checked_before_the_body_arrives()
    {
        var header = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), 101);
        var buffer = new ReadOnlySequence<byte>(header);
        Assert.Equal(FrameReadResult.TooLarge, FrameReader.TryRead(ref buffer, 100, out _, out _, out var declared));
        Assert.Equal(101, declared);

        header[0] = 2;
        buffer = new ReadOnlySequence<byte>(header);
        Assert.Equal(FrameReadResult.InvalidFlag, FrameReader.TryRead(ref buffer, 1000, out _, out _, out _));
    }

    [Fact]
    public void Random_bytes_never_throw_and_never_overrun()
    {
        var random = new Random(11);
        for (var i = 0; i < 20000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            var buffer = Segments(bytes, random);
            var before = buffer.Length;
            var result = FrameReader.TryRead(ref buffer, 32, out var message, out _, out _);
            if (result == FrameReadResult.Message) Assert.Equal(before - 5 - message.Length, buffer.Length);
            else Assert.Equal(before, buffer.Length);
        }
    }

    private static ReadOnlySequence<byte> Segments(byte[] data, Random random)
    {
        if (data.Length == 0) return ReadOnlySequence<byte>.Empty;
        Segment? first = null, last = null;
        var offset = 0;
        while (offset < data.Length)
        {
            var size = Math.Min(data.Length - offset, random.Next(1, 200));
            var segment = new Segment(data.AsMemory(offset, size));
            if (first is null) first = last = segment;
            else last = last!.Append(segment);
            offset += size;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
            return next;
        }
    }
}
