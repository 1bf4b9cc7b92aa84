using Parks.Domain;
using Parks.Hosting.Security;
using Parks.Rpc;
using Parks.Rpc.Mapping;
using Parks.ScienceCity.Domain;
using Parks.ScienceCity.Storage;
using V1 = Parks.ScienceCity.V1;

namespace Parks.ScienceCity.Rpc;

/// <summary>parks.sciencecity.v1.ResearchProjectService: maps requests to <see cref="ResearchProjectStore"/>.</summary>
internal sealed class ResearchProjectService(ResearchProjectStore projects) : V1.ResearchProjectService.ResearchProjectServiceBase
{
    public override async Task<V1.GetResearchProjectResponse> GetResearchProject(V1.GetResearchProjectRequest request, ServerCallContext context)
    {
        context.GetCaller();
        return new() { ResearchProject = (await projects.GetAsync(request.Name, context.CancellationToken)).ToProto() };
    }

    public override async Task<V1.ListResearchProjectsResponse> ListResearchProjects(V1.ListResearchProjectsRequest request, ServerCallContext context)
    {
        context.GetCaller();
        var page = await projects.ListAsync(((int)request.Stage).ToDomain<ResearchStage>(), request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListResearchProjectsResponse { NextPageToken = page.NextPageToken, TotalSize = (int)Math.Max(0, page.TotalSize) };
        response.ResearchProjects.AddRange(page.Items.Select(p => p.ToProto()));
        return response;
    }

    public override async Task<V1.CreateResearchProjectResponse> CreateResearchProject(V1.CreateResearchProjectRequest request, ServerCallContext context)
    {
        PlatformService.DemandWrite(context, "create research projects");
        var p = request.ResearchProject ?? throw new ValidationException("research_project", "is required");
        var draft = new ResearchProjectDraft(p.Title, p.LeadInstitution, p.CoBuilders.ToList(), p.Platform.NullIfEmpty(), ((int)p.Domain).ToDomain<ResearchDomain>(),
            p.Industry, request.InitiatedDate.ToDate("initiated_date"), request.InitiationEvidence.ToDomain(), request.ApprovedBy);
        var created = await projects.CreateAsync(request.ResearchProjectId.NullIfEmpty(), draft, request.RequestId.NullIfEmpty(), context.CancellationToken);
        return new() { ResearchProject = created.ToProto() };
    }

    public override async Task<V1.AdvanceResearchProjectResponse> AdvanceResearchProject(V1.AdvanceResearchProjectRequest request, ServerCallContext context)
    {
        PlatformService.DemandWrite(context, "advance research projects");
        var landing = request.LandingUnit.ToOptionalUnit("landing_unit") is { } unit ? new LandingRequest(unit, request.ExpectedInvestmentFen.ToOptionalFen()) : null;
        var advanced = await projects.AdvanceAsync(request.Name, ((int)request.Stage).Required<ResearchStage>("stage"), request.EnteredDate.ToDate("entered_date"),
            request.Evidence.ToDomain(), request.ApprovedBy, landing, request.Etag.NullIfEmpty(), context.CancellationToken);
        return new() { ResearchProject = advanced.ToProto() };
    }

    public override async Task<V1.ReferResearchProjectResponse> ReferResearchProject(V1.ReferResearchProjectRequest request, ServerCallContext context)
    {
        PlatformService.DemandWrite(context, "refer research projects");
        var unit = request.LandingUnit.ToOptionalUnit("landing_unit") ?? throw new ValidationException("landing_unit", "is required");
        var referred = await projects.ReferElsewhereAsync(request.Name, new LandingRequest(unit, request.ExpectedInvestmentFen.ToOptionalFen()), request.Etag.NullIfEmpty(), context.CancellationToken);
        return new() { ResearchProject = referred.ToProto() };
    }
}
