using Parks.Rpc;
using Parks.Testing;
using Parks.Units.Tests.Support;
using Parks.Units.V1;

namespace Parks.Units.Tests.Functional;

/// <summary>The services on a real redis-server (as in Kubernetes): registration uniqueness across instances and a relocation.</summary>
[Collection(RedisServerFixture.Collection)]
public sealed class RedisServicesTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Two_districts_and_the_parks_service_on_one_redis_keep_an_enterprise_in_one_place()
    {
        var zone = new Zone(RedisStores.For(redis));
        await using var lingshui = await UnitsHost.DistrictAsync(zone, "lingshui");
        await using var longtou = await UnitsHost.DistrictAsync(zone, "longtou");
        await using var parks = await UnitsHost.BranchParksAsync(zone);
        var enterprise = new Enterprise { Uscc = TestData.NewUscc(), DisplayName = "智能装备示例有限公司", Industry = "intelligent-manufacturing", RegistrationDate = new Google.Type.Date { Year = 2012, Month = 3, Day = 3 } };

        var created = (await new EnterpriseService.EnterpriseServiceClient(lingshui.Channel)
            .CreateEnterpriseAsync(new CreateEnterpriseRequest { Parent = "districts/lingshui", Enterprise = enterprise }, Zone.UnitSystem("districts/lingshui"))).Enterprise;
        var duplicate = await Assert.ThrowsAsync<RpcException>(() => new EnterpriseService.EnterpriseServiceClient(longtou.Channel)
            .CreateEnterpriseAsync(new CreateEnterpriseRequest { Parent = "districts/longtou", Enterprise = enterprise }, Zone.UnitSystem("districts/longtou")).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);

        await new EnterpriseService.EnterpriseServiceClient(lingshui.Channel).RelocateEnterpriseAsync(new RelocateEnterpriseRequest
        {
            Name = created.Name, TargetUnit = "parks/wafangdian", RelocationDate = new Google.Type.Date { Year = 2024, Month = 3, Day = 1 },
        }, Zone.UnitSystem("districts/lingshui"));

        var target = new EnterpriseService.EnterpriseServiceClient(parks.Channel);
        var name = $"parks/wafangdian/enterprises/{created.Uscc}";
        var moved = await Eventually.ResultAsync(async () =>
        {
            try { return (await target.GetEnterpriseAsync(new GetEnterpriseRequest { Name = name }, Zone.Dashboard)).Enterprise; }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { return null; }
        }, "wafangdian takes the enterprise over");
        Assert.Equal("districts/lingshui", moved.Locations[0].FromUnit);
        var listed = await target.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = "parks/wafangdian", Industry = "intelligent-manufacturing" }, Zone.Dashboard);
        Assert.Equal(name, Assert.Single(listed.Enterprises).Name);
        Assert.Empty(lingshui.Errors.Entries.Concat(longtou.Errors.Entries).Concat(parks.Errors.Entries));
    }
}
