using System.Net;
using Grpc.Health.V1;
using Grpc.Reflection.V1;
using Microsoft.Extensions.DependencyInjection;
using Parks.Gateway.Tests.Infrastructure;
using Parks.Rpc;

namespace Parks.Gateway.Tests;

/// <summary>What the gateway shows without credentials: health and reflection of the exposed services, nothing else.</summary>
[Collection(ZoneCollection.Name)]
public sealed class SurfaceTests(ZoneFixture zone)
{
    [Fact]
    public async Task Health_and_reflection_need_no_credentials_and_reflection_lists_exactly_the_exposed_services()
    {
        var health = await new Health.HealthClient(zone.Gateway.Channel).CheckAsync(new HealthCheckRequest { Service = "readiness" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        using var call = new ServerReflection.ServerReflectionClient(zone.Gateway.Channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var listed = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToHashSet();

        var allowList = zone.Gateway.Services.GetRequiredService<Parks.Gateway.Api.AllowList>();
        Assert.Superset(allowList.ServiceNames.ToHashSet(), listed);
        // Besides the exposed and public services: the event bus's operator API every Parks process carries.
        Assert.Subset(allowList.ServiceNames.Concat(allowList.PublicServices).Append(Parks.Ops.V1.EventAdminService.ServiceName).ToHashSet(), listed);
        Assert.Contains("parks.gatewaytest.v1.WidgetService", listed);
        Assert.Contains("parks.reference.v1.ZoneService", listed);
    }

    [Fact]
    public async Task The_gateways_own_event_admin_api_answers_no_outside_caller_even_one_claiming_to_be_an_operator()
    {
        var client = new Parks.Ops.V1.EventAdminService.EventAdminServiceClient(zone.Gateway.Channel);
        var none = await Assert.ThrowsAsync<RpcException>(() => client.ListDeadLettersAsync(new Parks.Ops.V1.ListDeadLettersRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);

        var forged = new Metadata { { "x-parks-caller", "ops" }, { "x-parks-caller-role", "operator" }, { "x-parks-caller-sig", "AAAA" } };
        var denied = await Assert.ThrowsAsync<RpcException>(() => client.ListDeadLettersAsync(new Parks.Ops.V1.ListDeadLettersRequest(), new CallOptions(forged)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task The_dashboard_page_and_its_chart_library_are_served_by_the_gateway()
    {
        using var page = await zone.Gateway.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("vendor/echarts.min.js", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);

        using var echarts = await zone.Gateway.Http.GetAsync("/vendor/echarts.min.js");
        Assert.Equal(HttpStatusCode.OK, echarts.StatusCode);
        Assert.True((await echarts.Content.ReadAsByteArrayAsync()).Length > 500_000);
    }
}
