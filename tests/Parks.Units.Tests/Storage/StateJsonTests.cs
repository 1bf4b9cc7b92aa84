using System.Text;
using Parks.Units.Domain;
using Parks.Units.Storage;
using static Parks.Units.Tests.TestData;

namespace Parks.Units.Tests.Storage;

public sealed class StateJsonTests
{
    [Fact]
    public void Stored_records_read_like_the_api_and_round_trip()
    {
        var e = NewEnterprise().Certify(Cert(EnterpriseTier.TechSme, new DateOnly(2024, 1, 2)), Rules, Today, Now).Enterprise;

        var bytes = StateJson.Serialize(e);
        var text = Encoding.UTF8.GetString(bytes);
        var back = StateJson.Deserialize<Enterprise>(bytes, "k");

        Assert.Contains("\"unit\":\"districts/lingshui\"", text);
        Assert.Contains("\"tier\":\"TechSme\"", text);
        Assert.Contains("\"registrationDate\":\"2018-03-01\"", text);
        Assert.DoesNotContain("\"renews\"", text);   // nulls are left out
        Assert.Equal(e with { Certifications = back.Certifications, Locations = back.Locations }, back);
        Assert.Equal(e.Certifications, back.Certifications);
    }

    [Fact]
    public void Types_outside_the_generated_context_use_the_same_format()
    {
        var text = Encoding.UTF8.GetString(StateJson.Serialize(new { unit = Parks.Domain.UnitRef.Park("jinpu"), tier = EnterpriseTier.Gazelle }));

        Assert.Equal("{\"unit\":\"parks/jinpu\",\"tier\":\"Gazelle\"}", text);
    }
}
