using Parks.Rpc;
using Parks.Units.Application;
using Parks.Units.Domain;
using Parks.Units.V1;
using static Parks.Units.Rpc.ProtoMapping;

namespace Parks.Units.Rpc;

/// <summary>parks.units.v1.IndicatorService.</summary>
public sealed class IndicatorRpc(IndicatorOperations operations) : IndicatorService.IndicatorServiceBase
{
    public override async Task<ListIndicatorDefinitionsResponse> ListIndicatorDefinitions(ListIndicatorDefinitionsRequest request, ServerCallContext call)
    {
        Access.Read(call);
        var unit = ResourceNames.ParseHostUnit(request.Parent, "parent");
        var page = await operations.ListDefinitionsAsync(request.Parent, request.PageSize, request.PageToken, call.CancellationToken);
        var response = new ListIndicatorDefinitionsResponse { NextPageToken = page.NextPageToken };
        response.Definitions.AddRange(page.Items.Select(d => ToProto(unit, d)));
        return response;
    }

    public override async Task<ReportObservationResponse> ReportObservation(ReportObservationRequest request, ServerCallContext call)
    {
        Access.Write(call, ResourceNames.ParseHostUnit(request.Parent, "parent"), "report indicators");
        var observation = await operations.ReportAsync(request.Parent, ToDraft(request.Observation), NullIfEmpty(request.Etag), call.CancellationToken);
        return new ReportObservationResponse { Observation = ToProto(observation) };
    }

    public override async Task<SetIndicatorTargetResponse> SetIndicatorTarget(SetIndicatorTargetRequest request, ServerCallContext call)
    {
        Access.Write(call, ResourceNames.ParseHostUnit(request.Parent, "parent"), "set indicator targets");
        var observation = await operations.SetTargetAsync(request.Parent, ToDraft(request.Observation), NullIfEmpty(request.Etag), call.CancellationToken);
        return new SetIndicatorTargetResponse { Observation = ToProto(observation) };
    }

    public override async Task<GetObservationResponse> GetObservation(GetObservationRequest request, ServerCallContext call)
    {
        Access.Read(call);
        return new GetObservationResponse { Observation = ToProto(await operations.GetAsync(request.Name, call.CancellationToken)) };
    }

    public override async Task<ListObservationsResponse> ListObservations(ListObservationsRequest request, ServerCallContext call)
    {
        Access.Read(call);
        var page = await operations.ListAsync(new ObservationQuery(request.Parent, request.PageSize, request.PageToken,
            (Domain.ObservationKind)(int)request.Kind, ToDomain(request.DataSet)), call.CancellationToken);
        var response = new ListObservationsResponse { NextPageToken = page.NextPageToken };
        response.Observations.AddRange(page.Items.Select(ToProto));
        return response;
    }
}
