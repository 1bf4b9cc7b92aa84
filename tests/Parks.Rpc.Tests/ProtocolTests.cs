using Parks.Rpc.Internal;

namespace Parks.Rpc.Tests;

public sealed class ProtocolTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("1000m", 10_000_000L)]
    [InlineData("250u", 2_500L)]
    [InlineData("1000n", 10L)]
    [InlineData("0m", 0L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    public void Timeouts_parse_with_case_sensitive_units(string value, long ticks)
    {
        Assert.True(GrpcProtocol.TryParseTimeout(value, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("123456789S")]
    [InlineData("1s")]
    [InlineData("-1S")]
    [InlineData("1.5S")]
    public void Malformed_timeouts_are_rejected(string value) => Assert.False(GrpcProtocol.TryParseTimeout(value, out _));

    [Fact]
    public void Formatted_timeouts_have_at_most_eight_digits_and_round_trip_up()
    {
        foreach (var timeout in new[] { TimeSpan.FromTicks(1), TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromDays(3), TimeSpan.FromDays(20000) })
        {
            var text = GrpcProtocol.FormatTimeout(timeout);
            Assert.True(text.Length <= 9, text);
            Assert.True(GrpcProtocol.TryParseTimeout(text, out var parsed));
            Assert.True(parsed >= timeout || timeout > TimeSpan.FromHours(99_999_999), $"{timeout} -> {text}");
        }
    }

    [Theory]
    [InlineData("plain ascii: a,b;c=d?", "plain ascii: a,b;c=d?")]
    [InlineData("100%", "100%25")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("☺", "%E2%98%BA")]
    public void Status_messages_are_percent_encoded_as_the_spec_says(string message, string encoded)
    {
        Assert.Equal(encoded, GrpcProtocol.EncodeMessage(message));
        Assert.Equal(message, GrpcProtocol.DecodeMessage(encoded));
    }

    [Theory]
    [InlineData("%", "%")]
    [InlineData("%G1", "%G1")]
    [InlineData("abc%2", "abc%2")]
    [InlineData("%20%3A", " :")]
    public void Decoding_never_fails_on_bad_sequences(string value, string decoded) => Assert.Equal(decoded, GrpcProtocol.DecodeMessage(value));

    [Theory]
    [InlineData("q6ur", new byte[] { 0xab, 0xab, 0xab })]
    [InlineData("AQ", new byte[] { 1 })]
    [InlineData("AQ==", new byte[] { 1 })]
    [InlineData("-_8", new byte[] { 0xfb, 0xff })]
    public void Binary_headers_accept_padded_unpadded_and_url_safe_base64(string value, byte[] bytes) =>
        Assert.Equal(bytes, GrpcProtocol.DecodeBinaryHeader(value));

    [Theory]
    [InlineData(400, StatusCode.Internal)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(429, StatusCode.Unavailable)]
    [InlineData(502, StatusCode.Unavailable)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(504, StatusCode.Unavailable)]
    [InlineData(200, StatusCode.Unknown)]
    [InlineData(500, StatusCode.Unknown)]
    public void Http_statuses_map_as_the_spec_table_says(int http, StatusCode code) => Assert.Equal(code, GrpcProtocol.MapHttpStatus(http));
}
