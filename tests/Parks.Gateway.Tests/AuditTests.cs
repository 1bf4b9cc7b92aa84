using System.Net;
using System.Text.Json;
using Parks.Gateway.Tests.Infrastructure;
using Parks.Gateway.V1;
using Parks.GatewayTest.V1;
using Parks.Rpc;

namespace Parks.Gateway.Tests;

/// <summary>Every write is audited — who, which method, which resource, when, how it ended — and operators can read the trail.</summary>
[Collection(ZoneCollection.Name)]
public sealed class AuditTests(ZoneFixture zone)
{
    private readonly AuditService.AuditServiceClient _audit = new(zone.Gateway.Channel);

    [Fact]
    public async Task Allowed_and_denied_writes_are_recorded_and_reads_are_not()
    {
        var widgets = new WidgetService.WidgetServiceClient(zone.Gateway.Channel);
        var id = ZoneFixture.Unique("a");
        var started = DateTime.UtcNow.AddSeconds(-1);
        await widgets.CreateWidgetAsync(new CreateWidgetRequest { Parent = "districts/longtou", WidgetId = id, Widget = new Widget { DisplayName = "audited" } }, zone.Gateway.As("district-longtou"));
        var denied = $"districts/longtou/widgets/{id}";
        await Assert.ThrowsAsync<RpcException>(() => widgets.DeleteWidgetAsync(new DeleteWidgetRequest { Name = denied }, zone.Gateway.As("district-lingshui")).ResponseAsync);
        await Assert.ThrowsAsync<RpcException>(() => widgets.DeleteWidgetAsync(new DeleteWidgetRequest { Name = denied }, zone.Gateway.As("dashboard")).ResponseAsync);
        await widgets.GetWidgetAsync(new GetWidgetRequest { Name = denied }, zone.Gateway.As("district-longtou"));

        var records = (await _audit.ListAuditRecordsAsync(new ListAuditRecordsRequest { PageSize = 1000 }, zone.Gateway.As("operator"))).Records;

        var created = Assert.Single(records, r => r.Method.EndsWith("/CreateWidget", StringComparison.Ordinal) && r.Resource == "districts/longtou" && r.Caller == "district-longtou" && r.Status == "OK" && r.Time.ToDateTime() >= started);
        Assert.Equal("unit", created.CallerRole);
        Assert.Equal("districts/longtou", created.CallerUnit);
        Assert.Equal("grpc", created.Transport);
        var refused = Assert.Single(records, r => r.Resource == denied && r.Caller == "district-lingshui");
        Assert.Equal("PERMISSION_DENIED", refused.Status);
        Assert.Equal("/parks.gatewaytest.v1.WidgetService/DeleteWidget", refused.Method);
        var readOnly = Assert.Single(records, r => r.Resource == denied && r.Caller == "dashboard");
        Assert.Equal("PERMISSION_DENIED", readOnly.Status);
        Assert.DoesNotContain(records, r => r.Method.EndsWith("/GetWidget", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_operators_read_the_trail_which_rest_also_serves()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => _audit.ListAuditRecordsAsync(new ListAuditRecordsRequest(), zone.Gateway.As("district-lingshui")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);

        using var rest = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Get, "/v1/auditRecords?pageSize=5&status=PERMISSION_DENIED", "operator"));
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        using var json = JsonDocument.Parse(await rest.Content.ReadAsStringAsync());
        if (json.RootElement.TryGetProperty("records", out var list))
            Assert.All(list.EnumerateArray(), r => Assert.Equal("PERMISSION_DENIED", r.GetProperty("status").GetString()));
    }
}
