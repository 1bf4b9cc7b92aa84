using Parks.Domain;
using Parks.Rpc;
using Parks.Rpc.Mapping;
using Parks.Talent.Domain;
using Parks.Talent.Storage;
using V1 = Parks.Talent.V1;

namespace Parks.Talent.Rpc;

/// <summary>parks.talent.v1.RoadshowService: maps requests to <see cref="RoadshowStore"/>.</summary>
internal sealed class RoadshowService(RoadshowStore roadshows) : V1.RoadshowService.RoadshowServiceBase
{
    public override async Task<V1.GetRoadshowEditionResponse> GetRoadshowEdition(V1.GetRoadshowEditionRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var (edition, counts) = await roadshows.GetEditionAsync(request.Name, context.CancellationToken);
        return new() { RoadshowEdition = edition.ToProto(counts) };
    }

    public override async Task<V1.ListRoadshowEditionsResponse> ListRoadshowEditions(V1.ListRoadshowEditionsRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var (page, counts) = await roadshows.ListEditionsAsync(request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListRoadshowEditionsResponse { NextPageToken = page.NextPageToken };
        response.RoadshowEditions.AddRange(page.Items.Select((e, i) => e.ToProto(counts[i])));
        return response;
    }

    public override async Task<V1.CreateRoadshowEditionResponse> CreateRoadshowEdition(V1.CreateRoadshowEditionRequest request, ServerCallContext context)
    {
        var e = request.RoadshowEdition ?? throw new ValidationException("roadshow_edition", "is required");
        var created = await roadshows.CreateEditionAsync(context.Access(write: true), request.RoadshowEditionId, e.Year, e.DisplayName,
            e.ReportedFigures.ToDictionary(), e.Source.NullIfEmpty(), request.RequestId.NullIfEmpty(), context.CancellationToken);
        return new() { RoadshowEdition = created.ToProto(EditionCounts.Zero) };
    }

    public override async Task<V1.GetRoadshowProjectResponse> GetRoadshowProject(V1.GetRoadshowProjectRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        return new() { RoadshowProject = (await roadshows.GetProjectAsync(request.Name, context.CancellationToken)).ToProto() };
    }

    public override async Task<V1.ListRoadshowProjectsResponse> ListRoadshowProjects(V1.ListRoadshowProjectsRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var page = await roadshows.ListProjectsAsync(request.Parent, request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListRoadshowProjectsResponse { NextPageToken = page.NextPageToken };
        response.RoadshowProjects.AddRange(page.Items.Select(p => p.ToProto()));
        return response;
    }

    public override async Task<V1.CreateRoadshowProjectResponse> CreateRoadshowProject(V1.CreateRoadshowProjectRequest request, ServerCallContext context)
    {
        var p = request.RoadshowProject ?? throw new ValidationException("roadshow_project", "is required");
        var created = await roadshows.RegisterAsync(context.Access(write: true), request.Parent, request.RoadshowProjectId.NullIfEmpty(),
            new RoadshowProjectDraft(p.Title, p.TeamLead, p.Country, p.Industry, p.Summary.NullIfEmpty()), request.RequestId.NullIfEmpty(), context.CancellationToken);
        return new() { RoadshowProject = created.ToProto() };
    }

    public override async Task<V1.ReviewRoadshowProjectResponse> ReviewRoadshowProject(V1.ReviewRoadshowProjectRequest request, ServerCallContext context) =>
        new() { RoadshowProject = (await roadshows.ReviewAsync(context.Access(write: true), request.Name, request.Reviewer, request.Score, request.Comment.NullIfEmpty(), request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };

    public override async Task<V1.DecideRoadshowProjectResponse> DecideRoadshowProject(V1.DecideRoadshowProjectRequest request, ServerCallContext context) =>
        new() { RoadshowProject = (await roadshows.DecideAsync(context.Access(write: true), request.Name, request.Shortlisted, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };

    public override async Task<V1.LandRoadshowProjectResponse> LandRoadshowProject(V1.LandRoadshowProjectRequest request, ServerCallContext context)
    {
        var unit = request.LandedUnit.ToOptionalUnit("landed_unit") ?? throw new ValidationException("landed_unit", "is required");
        var landed = await roadshows.LandAsync(context.Access(write: true), request.Name, request.EnterpriseUscc, unit, request.LandedDate.ToDate("landed_date"),
            request.Etag.NullIfEmpty(), context.CancellationToken);
        return new() { RoadshowProject = landed.ToProto() };
    }
}
