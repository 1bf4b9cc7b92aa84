using System.Text;
using System.Text.Json;
using Parks.Hosting.Events;

namespace Parks.Events.Tests;

public sealed class EventEnvelopeTests
{
    private static EventEnvelope Sample(string? dataJson = """{"item":"a"}""") => new()
    {
        Id = "0190f7a4-0000-7000-8000-000000000001",
        Type = "parks.testing.v1.WorkItemSubmitted",
        Source = "parks-test",
        Subject = "testapp/s/items/a",
        Time = new DateTimeOffset(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero),
        Topic = "parks.testing.v1.WorkItemSubmitted",
        TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        TraceState = "congo=t61rcWkgMzE",
        DataJson = dataJson,
    };

    [Fact]
    public void The_cloud_event_has_the_fields_dapr_delivers_with_data_as_a_json_value()
    {
        var json = JsonDocument.Parse(Sample().ToCloudEventJson("pubsub")).RootElement;

        Assert.Equal("1.0", json.GetProperty("specversion").GetString());
        Assert.Equal("0190f7a4-0000-7000-8000-000000000001", json.GetProperty("id").GetString());
        Assert.Equal("parks-test", json.GetProperty("source").GetString());
        Assert.Equal("parks.testing.v1.WorkItemSubmitted", json.GetProperty("type").GetString());
        Assert.Equal("testapp/s/items/a", json.GetProperty("subject").GetString());
        Assert.Equal("application/json", json.GetProperty("datacontenttype").GetString());
        Assert.Equal("pubsub", json.GetProperty("pubsubname").GetString());
        Assert.Equal(JsonValueKind.Object, json.GetProperty("data").ValueKind);
        Assert.Equal("a", json.GetProperty("data").GetProperty("item").GetString());
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", json.GetProperty("traceparent").GetString());
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero), json.GetProperty("time").GetDateTimeOffset());
    }

    [Fact]
    public void An_envelope_survives_the_round_trip()
    {
        var original = Sample();
        var parsed = EventEnvelope.Parse(original.ToCloudEventJson());

        Assert.Equal(original with { DataJson = null }, parsed with { DataJson = null });
        Assert.Equal(JsonDocument.Parse(original.DataJson!).RootElement.GetRawText(), JsonDocument.Parse(parsed.DataJson!).RootElement.GetRawText());
    }

    [Fact]
    public void Data_sent_as_a_json_string_is_read_as_json_text()
    {
        var parsed = EventEnvelope.Parse("""{"id":"1","type":"t","source":"s","data":"{\"item\":\"x\"}"}""");
        Assert.Equal("""{"item":"x"}""", parsed.DataJson);
    }

    [Fact]
    public void Data_base64_is_read_as_binary()
    {
        var parsed = EventEnvelope.Parse("""{"id":"1","type":"t","source":"s","data_base64":"AQID"}""");
        Assert.Equal([1, 2, 3], parsed.DataBinary);
        Assert.Null(parsed.DataJson);
    }

    [Fact]
    public void Dapr_second_precision_time_is_read()
    {
        var parsed = EventEnvelope.Parse("""{"id":"1","type":"t","source":"s","time":"2025-01-02T03:04:05Z","data":{}}""");
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), parsed.Time);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("""{"type":"t","data":{}}""", "no 'id'")]
    [InlineData("""{"id":"1","data":{}}""", "no 'type'")]
    [InlineData("""{"id":"1","type":"t"}""", "neither data nor data_base64")]
    [InlineData("""{"id":"1","type":"t","data_base64":"***"}""", "")]
    public void What_is_not_a_readable_cloud_event_is_a_format_error(string json, string reason)
    {
        var error = Assert.Throws<FormatException>(() => EventEnvelope.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
