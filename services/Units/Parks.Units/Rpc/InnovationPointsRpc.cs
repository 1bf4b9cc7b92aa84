using Parks.Rpc;
using Parks.Units.Application;
using Parks.Units.Domain;
using Parks.Units.V1;
using static Parks.Units.Rpc.ProtoMapping;

namespace Parks.Units.Rpc;

/// <summary>parks.units.v1.InnovationPointsService.</summary>
public sealed class InnovationPointsRpc(InnovationPointsOperations operations, UnitsContext context) : InnovationPointsService.InnovationPointsServiceBase
{
    public override async Task<EvaluateInnovationPointsResponse> EvaluateInnovationPoints(EvaluateInnovationPointsRequest request, ServerCallContext call)
    {
        Access.Write(call, ResourceNames.ParseEnterprise(request.Parent, "parent").Unit, "evaluate innovation points");
        var evaluation = await operations.EvaluateAsync(request.Parent, request.Year, NullIfEmpty(request.ModelVersion),
            request.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), NullIfEmpty(request.Etag), call.CancellationToken);
        return new EvaluateInnovationPointsResponse { Evaluation = ToProto(evaluation) };
    }

    public override async Task<GetInnovationPointsEvaluationResponse> GetInnovationPointsEvaluation(GetInnovationPointsEvaluationRequest request, ServerCallContext call)
    {
        Access.Read(call);
        return new GetInnovationPointsEvaluationResponse { Evaluation = ToProto(await operations.GetAsync(request.Name, call.CancellationToken)) };
    }

    public override Task<GetInnovationPointsModelResponse> GetInnovationPointsModel(GetInnovationPointsModelRequest request, ServerCallContext call)
    {
        Access.Read(call);
        var model = operations.GetModel(request.Name);
        return Task.FromResult(new GetInnovationPointsModelResponse { Model = ToProto(model, ReferenceEquals(model, context.Models.Current)) });
    }

    public override async Task<ListInnovationRankingEntriesResponse> ListInnovationRankingEntries(ListInnovationRankingEntriesRequest request, ServerCallContext call)
    {
        Access.Read(call);
        var page = await operations.ListRankingAsync(request.Parent, request.PageSize, request.PageToken, ToDomain(request.DataSet), call.CancellationToken);
        var response = new ListInnovationRankingEntriesResponse { NextPageToken = page.NextPageToken, TotalSize = page.TotalSize };
        response.Entries.AddRange(page.Items.Select(ToProto));
        return response;
    }

    public override async Task<GetInnovationTop100Response> GetInnovationTop100(GetInnovationTop100Request request, ServerCallContext call)
    {
        Access.Read(call);
        var entries = await operations.Top100Async(request.Name, ToDomain(request.DataSet), call.CancellationToken);
        var response = new GetInnovationTop100Response { Year = ResourceNames.ParseInnovationRanking(request.Name) };
        response.Entries.AddRange(entries.Select(ToProto));
        return response;
    }
}
