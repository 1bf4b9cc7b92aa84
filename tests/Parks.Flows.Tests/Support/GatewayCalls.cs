using Parks.Gateway.V1;

namespace Parks.Flows.Tests.Support;

/// <summary>Calls to the gateway with the dashboard's API key, as the dashboard makes them.</summary>
internal static class GatewayCalls
{
    public static async Task<CityOverview> OverviewAsync(FlowZone zone)
    {
        var response = await new CityOverviewService.CityOverviewServiceClient(zone.Front).GetCityOverviewAsync(new GetCityOverviewRequest(), zone.Dashboard);
        return response.Overview;
    }
}
