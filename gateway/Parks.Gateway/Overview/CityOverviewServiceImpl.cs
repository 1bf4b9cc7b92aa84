using Parks.Gateway.V1;
using Parks.Rpc;

namespace Parks.Gateway.Overview;

/// <summary>parks.gateway.v1.CityOverviewService: the city dashboard's view of the zone.</summary>
internal sealed class CityOverviewServiceImpl(CityOverviewComposer composer) : CityOverviewService.CityOverviewServiceBase
{
    public override async Task<GetCityOverviewResponse> GetCityOverview(GetCityOverviewRequest request, ServerCallContext context) =>
        new() { Overview = await composer.ComposeAsync(context.Deadline, context.CancellationToken) };
}
