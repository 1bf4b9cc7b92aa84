using Parks.Domain;
using Parks.Units.Domain;

namespace Parks.Units.Tests.Domain;

public sealed class ResourceNamesTests
{
    [Fact]
    public void Parses_enterprise_and_child_names()
    {
        Assert.Equal((UnitRef.District("lingshui"), "91350100M000100Y43"), ResourceNames.ParseEnterprise("districts/lingshui/enterprises/91350100M000100Y43"));
        Assert.Equal((UnitRef.Park("jinpu"), "91350100M000100Y43", "2"), ResourceNames.ParseCertification("parks/jinpu/enterprises/91350100M000100Y43/certifications/2"));
        Assert.Equal((UnitRef.Park("jinpu"), "91350100M000100Y43", 2023), ResourceNames.ParseInnovationPoints("parks/jinpu/enterprises/91350100M000100Y43/innovationPoints/2023"));
        Assert.Equal((UnitRef.Park("jinpu"), "p-1a2b"), ResourceNames.ParseProject("parks/jinpu/projects/p-1a2b"));
        Assert.Equal(2023, ResourceNames.ParseInnovationRanking("innovationRankings/2023"));
    }

    [Theory]
    [InlineData("districts/lingshui/enterprises/91350100M000100Y44", "invalid unified social credit code")]
    [InlineData("scienceCity/enterprises/91350100M000100Y43", "not a resource name")]
    [InlineData("districts/Lingshui/enterprises/91350100M000100Y43", "not a district or branch park")]
    [InlineData("districts/lingshui/companies/91350100M000100Y43", "not a resource name")]
    [InlineData("districts/lingshui/enterprises/91350100M000100Y43/extra", "not a resource name")]
    [InlineData("", "not a resource name")]
    public void Rejects_malformed_enterprise_names(string name, string reason)
    {
        var error = Assert.Throws<ValidationException>(() => ResourceNames.ParseEnterprise(name));
        Assert.Equal("name", error.Violations[0].Field);
        Assert.Contains(reason, error.Violations[0].Description);
    }

    [Theory]
    [InlineData("parks/jinpu/enterprises/91350100M000100Y43/certifications/0")]
    [InlineData("parks/jinpu/enterprises/91350100M000100Y43/certifications/x")]
    [InlineData("parks/jinpu/projects/Upper")]
    [InlineData("parks/jinpu/projects/a")]
    [InlineData("innovationRankings/twenty")]
    public void Rejects_malformed_child_names(string name)
    {
        Assert.Throws<ValidationException>(() =>
        {
            if (name.Contains("/certifications/")) ResourceNames.ParseCertification(name);
            else if (name.Contains("/projects/")) ResourceNames.ParseProject(name);
            else ResourceNames.ParseInnovationRanking(name);
        });
    }

    [Fact]
    public void Host_units_are_districts_and_parks_only()
    {
        Assert.Throws<ValidationException>(() => ResourceNames.ParseHostUnit("scienceCity", "parent"));
        Assert.Equal(UnitRef.Park("new-park"), ResourceNames.ParseHostUnit("parks/new-park", "parent"));
    }
}
