using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Parks.Cli.Dynamic;
using Parks.Tools.Tests.Codec;

namespace Parks.Tools.Tests;

/// <summary>
/// The reflection codec of parksctl against Google.Protobuf's own implementations: what it encodes from JSON must
/// parse (binary) to the message Google's JsonParser reads from the same JSON, and what it decodes from the wire
/// must be read back by Google's JsonParser as the original message. The descriptors come the way reflection
/// delivers them: serialized files, rebuilt with FileDescriptor.BuildFromByteStrings.
/// </summary>
public sealed class CodecTests
{
    private static readonly TypeRegistry Registry = TypeRegistry.FromMessages(Nested.Descriptor, AllTypes.Descriptor, Timestamp.Descriptor, Int32Value.Descriptor);
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(Registry));
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithTypeRegistry(Registry));

    private readonly DescriptorSet _descriptors = FromReflection(AllTypes.Descriptor.File);
    private readonly ProtoJsonCodec _codec;
    private readonly MessageDescriptor _allTypes;

    public CodecTests()
    {
        _codec = new ProtoJsonCodec(_descriptors);
        _allTypes = _descriptors.FindMessage("parks.testing.codec.v1.AllTypes")!;
    }

    /// <summary>The file and its imports as a server's reflection sends them (serialized), deliberately in reverse order.</summary>
    internal static DescriptorSet FromReflection(FileDescriptor file)
    {
        var files = new List<ByteString>();
        void Visit(FileDescriptor f)
        {
            if (files.Contains(f.SerializedData)) return;
            files.Add(f.SerializedData);
            foreach (var dependency in f.Dependencies) Visit(dependency);
        }
        Visit(file);
        var set = new DescriptorSet();
        set.Add(files);
        return set;
    }

    public static TheoryData<string> Samples() => new(SampleMessages().Keys);

    private static Dictionary<string, AllTypes> SampleMessages() => new()
    {
        ["empty"] = new AllTypes(),
        ["scalars at their limits"] = new AllTypes
        {
            I32 = int.MinValue, I64 = long.MinValue, U32 = uint.MaxValue, U64 = ulong.MaxValue, S32 = -1, S64 = long.MaxValue,
            F32 = uint.MaxValue, F64 = ulong.MaxValue, Sf32 = int.MinValue, Sf64 = long.MinValue, Fl = 3.4028235e38f, Db = -1.7976931348623157e308,
            Flag = true, Text = "一城六区多园 \"quoted\" \\ \n tab\t €", Data = ByteString.CopyFrom(0, 1, 2, 254, 255), Color = Color.Green,
        },
        ["special floats"] = new AllTypes { Fl = float.NaN, Db = double.NegativeInfinity, Doubles = { double.PositiveInfinity, double.NaN, -0.5, 1e-300 } },
        ["nested and repeated"] = new AllTypes
        {
            Nested = new Nested { Name = "a", Value = 1, Child = new Nested { Name = "b", Child = new Nested() } },
            PackedInts = { 0, -1, int.MaxValue, 300 }, Names = { "", "x", "园" }, Items = { new Nested(), new Nested { Value = -7 } },
            Colors = { Color.Red, Color.Unspecified, Color.Green }, PackedSints = { -1, long.MinValue, 5 }, Bools = { true, false, true },
        },
        ["maps"] = new AllTypes
        {
            Counts = { ["zero"] = 0, ["big"] = long.MaxValue, [""] = -1 },
            ById = { [-5] = new Nested { Name = "neg" }, [0] = new Nested(), [7] = new Nested { Value = 7 } },
            Flags = { [true] = "yes", [false] = "" },
        },
        ["oneof text"] = new AllTypes { ChoiceText = "" },
        ["oneof nested"] = new AllTypes { ChoiceNested = new Nested() },
        ["oneof number"] = new AllTypes { ChoiceNumber = 0 },
        ["optional zero"] = new AllTypes { Maybe = 0 },
        ["well-known types"] = new AllTypes
        {
            At = Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 6, 15, 8, 30, 1, 123, TimeSpan.Zero)),
            Took = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(-1500)),
            Mask = new FieldMask { Paths = { "display_name", "address.street_name" } },
            Extra = new Struct { Fields = { ["n"] = Value.ForNumber(1.5), ["s"] = Value.ForString("x"), ["b"] = Value.ForBool(false), ["null"] = Value.ForNull(),
                ["list"] = Value.ForList(Value.ForNumber(1), Value.ForString("two")), ["obj"] = Value.ForStruct(new Struct { Fields = { ["k"] = Value.ForString("v") } }) } },
            AnyValue = Value.ForString("loose"),
            List = new ListValue { Values = { Value.ForBool(true), Value.ForNull() } },
            WrappedI64 = long.MinValue, WrappedText = "", WrappedFlag = false, WrappedDouble = 2.5, WrappedBytes = ByteString.CopyFromUtf8("hi"),
            Nothing = new Empty(),
            Times = { new Timestamp(), Timestamp.FromDateTime(new DateTime(1970, 1, 1, 0, 0, 1, DateTimeKind.Utc).AddTicks(1)) },
        },
        ["any holding a message"] = new AllTypes { Detail = Any.Pack(new Nested { Name = "inside", Child = new Nested { Value = 2 } }) },
        ["any holding a well-known type"] = new AllTypes { Detail = Any.Pack(Timestamp.FromDateTime(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc))) },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Decoded_wire_reads_back_as_the_same_message_with_Googles_parser(string sample)
    {
        var message = SampleMessages()[sample];

        var json = _codec.Decode(_allTypes, message.ToByteArray());

        Assert.Equal(message, Parser.Parse<AllTypes>(json));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Encoded_json_parses_to_the_message_Googles_parser_reads(string sample)
    {
        var message = SampleMessages()[sample];
        var json = Formatter.Format(message);

        var wire = _codec.Encode(_allTypes, json);

        Assert.Equal(message, AllTypes.Parser.ParseFrom(wire));
    }

    [Fact]
    public void Random_messages_round_trip_both_ways()
    {
        var random = new Random(20240615);
        for (var i = 0; i < 300; i++)
        {
            var message = RandomMessage(random);
            Assert.Equal(message, Parser.Parse<AllTypes>(_codec.Decode(_allTypes, message.ToByteArray())));
            Assert.Equal(message, AllTypes.Parser.ParseFrom(_codec.Encode(_allTypes, Formatter.Format(message))));
        }
    }

    [Fact]
    public void Field_names_may_be_json_names_or_proto_names_and_numbers_may_be_strings()
    {
        var wire = _codec.Encode(_allTypes, """{"packed_ints": [1, "2"], "choiceText": "t", "i64": 5, "u64": "18446744073709551615", "color": 2, "at": "2024-06-15T10:30:00+02:00"}""");

        var message = AllTypes.Parser.ParseFrom(wire);
        Assert.Equal([1, 2], message.PackedInts);
        Assert.Equal("t", message.ChoiceText);
        Assert.Equal(5, message.I64);
        Assert.Equal(ulong.MaxValue, message.U64);
        Assert.Equal(Color.Green, message.Color);
        Assert.Equal(new DateTime(2024, 6, 15, 8, 30, 0, DateTimeKind.Utc), message.At.ToDateTime());
    }

    [Fact]
    public void Unknown_fields_on_the_wire_are_skipped()
    {
        var wire = new AllTypes { Text = "kept" }.ToByteArray().Concat(new byte[] { 0xF8, 0x3E, 0x01 }).ToArray(); // field 999, varint 1

        Assert.Equal("""{"text":"kept"}""", _codec.Decode(_allTypes, wire, indented: false));
    }

    [Theory]
    [InlineData("""{"nope": 1}""", "AllTypes has no field 'nope'")]
    [InlineData("""{"i32": 2147483648}""", ".i32: 2147483648 is out of range")]
    [InlineData("""{"u32": -1}""", ".u32: -1 is out of range")]
    [InlineData("""{"i32": 1.5}""", ".i32: 1.5 is not an integer")]
    [InlineData("""{"i32": "x"}""", ".i32: 'x' is not an integer")]
    [InlineData("""{"flag": "true"}""", ".flag: expected true or false, got a string")]
    [InlineData("""{"color": "COLOR_BLUE"}""", "'COLOR_BLUE' is not a value of parks.testing.codec.v1.Color")]
    [InlineData("""{"choiceText": "a", "choiceNumber": 1}""", "members of the same oneof 'choice'")]
    [InlineData("""{"at": "yesterday"}""", ".at: 'yesterday' is not an RFC 3339 timestamp")]
    [InlineData("""{"took": "5 minutes"}""", ".took: '5 minutes' is not a duration")]
    [InlineData("""{"nested": {"child": {"value": "big"}}}""", ".nested.child.value: 'big' is not an integer")]
    [InlineData("""{"packedInts": [1, null]}""", "null")]
    [InlineData("""{"data": "***"}""", ".data: not valid base64")]
    [InlineData("""{"detail": {"name": "no type"}}""", "needs an \"@type\"")]
    [InlineData("""{"detail": {"@type": "type.googleapis.com/no.Such"}}""", "unknown type 'no.Such'")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    [InlineData("""{"text": """, "not valid JSON")]
    public void Bad_json_is_rejected_with_the_field_path_and_the_reason(string json, string expected)
    {
        var error = Assert.Throws<ProtoJsonException>(() => _codec.Encode(_allTypes, json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Raw_messages_carry_the_encoded_fields_through_unchanged_in_meaning()
    {
        var message = SampleMessages()["nested and repeated"];
        message.MergeFrom(SampleMessages()["maps"]);

        var raw = RawMessage.Parser.ParseFrom(new RawMessage(message.ToByteArray()).ToBytes());

        Assert.Equal(message, AllTypes.Parser.ParseFrom(raw.ToBytes()));
        Assert.Equal(message.CalculateSize(), raw.CalculateSize());
    }

    [Fact]
    public void Descriptors_arrive_in_any_order_and_are_found_by_every_kind_of_name()
    {
        var health = FromReflection(Grpc.Health.V1.HealthCheckRequest.Descriptor.File);

        Assert.NotNull(health.FindMethod("grpc.health.v1.Health/Check"));
        Assert.NotNull(health.FindMethod("/grpc.health.v1.Health/Check"));
        Assert.NotNull(health.FindMethod("grpc.health.v1.Health.Watch"));
        Assert.NotNull(health.FindSymbol("grpc.health.v1.HealthCheckResponse.ServingStatus"));
        Assert.NotNull(health.FindSymbol("grpc.health.v1.HealthCheckRequest.service"));
        Assert.Null(health.FindMethod("grpc.health.v1.Health/Nope"));
    }

    private static AllTypes RandomMessage(Random random)
    {
        string Text() => new([.. Enumerable.Range(0, random.Next(0, 8)).Select(_ => (char)random.Next(0x20, 0x7F5))]);
        Nested NestedValue(int depth) => new() { Name = Text(), Value = random.Next(int.MinValue, int.MaxValue), Child = depth > 0 && random.Next(2) == 0 ? NestedValue(depth - 1) : null };
        var message = new AllTypes
        {
            I32 = random.Next(int.MinValue, int.MaxValue), I64 = random.NextInt64(long.MinValue, long.MaxValue), U32 = (uint)random.NextInt64(0, uint.MaxValue),
            U64 = (ulong)random.NextInt64() * 2, S32 = random.Next(int.MinValue, int.MaxValue), S64 = random.NextInt64(long.MinValue, long.MaxValue),
            Fl = (float)(random.NextDouble() * 1e6 - 5e5), Db = random.NextDouble() * 1e300 * (random.Next(2) == 0 ? 1 : -1),
            Flag = random.Next(2) == 0, Text = Text(), Data = ByteString.CopyFrom([.. Enumerable.Range(0, random.Next(0, 10)).Select(_ => (byte)random.Next(256))]),
            Color = (Color)random.Next(0, 3),
        };
        if (random.Next(2) == 0) message.Nested = NestedValue(3);
        for (var i = random.Next(0, 5); i > 0; i--) message.PackedInts.Add(random.Next(int.MinValue, int.MaxValue));
        for (var i = random.Next(0, 3); i > 0; i--) message.Items.Add(NestedValue(2));
        for (var i = random.Next(0, 4); i > 0; i--) message.Counts[Text()] = random.NextInt64(long.MinValue, long.MaxValue);
        for (var i = random.Next(0, 3); i > 0; i--) message.ById[random.Next(-100, 100)] = NestedValue(1);
        switch (random.Next(4))
        {
            case 0: message.ChoiceText = Text(); break;
            case 1: message.ChoiceNested = NestedValue(1); break;
            case 2: message.ChoiceNumber = random.Next(); break;
        }
        if (random.Next(2) == 0) message.Maybe = random.Next(-3, 3);
        if (random.Next(2) == 0) message.At = new Timestamp { Seconds = random.NextInt64(-62135596800, 253402300799), Nanos = random.Next(0, 1_000_000_000) };
        if (random.Next(2) == 0) message.WrappedI64 = random.NextInt64();
        return message;
    }
}
