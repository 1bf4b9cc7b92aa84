using Parks.Gateway.V1;

namespace Parks.Flows.Tests.Support;

/// <summary>Calls to the gateway with the dashboard's API key, as the dashboard makes them.</summary>
internal static class GatewayCalls
{
    public static async Task<CityOverview> OverviewAsync(FlowZone zone)
    {
        var headers = new Metadata { { "authorization", "Bearer " + zone.DashboardKey } };
        var response = await new CityOverviewService.CityOverviewServiceClient(zone.Gateway.Channel)
            .GetCityOverviewAsync(new GetCityOverviewRequest(), new CallOptions(headers, DateTime.UtcNow.AddSeconds(30)));
        return response.Overview;
    }
}
