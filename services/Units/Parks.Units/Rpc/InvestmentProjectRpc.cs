using Parks.Rpc;
using Parks.Units.Application;
using Parks.Units.Domain;
using Parks.Units.V1;
using static Parks.Units.Rpc.ProtoMapping;

namespace Parks.Units.Rpc;

/// <summary>parks.units.v1.InvestmentProjectService: projects, pipeline counts and referrals.</summary>
public sealed class InvestmentProjectRpc(ProjectOperations operations) : InvestmentProjectService.InvestmentProjectServiceBase
{
    public override async Task<GetInvestmentProjectResponse> GetInvestmentProject(GetInvestmentProjectRequest request, ServerCallContext call)
    {
        Access.Read(call);
        return new GetInvestmentProjectResponse { Project = ToProto(await operations.GetAsync(request.Name, call.CancellationToken)) };
    }

    public override async Task<ListInvestmentProjectsResponse> ListInvestmentProjects(ListInvestmentProjectsRequest request, ServerCallContext call)
    {
        Access.Read(call);
        var page = await operations.ListAsync(new ProjectQuery(request.Parent, request.PageSize, request.PageToken,
            (Domain.ProjectStage)(int)request.Stage, ToDomain(request.DataSet)), call.CancellationToken);
        var response = new ListInvestmentProjectsResponse { NextPageToken = page.NextPageToken, TotalSize = page.TotalSize };
        response.Projects.AddRange(page.Items.Select(ToProto));
        return response;
    }

    public override async Task<CreateInvestmentProjectResponse> CreateInvestmentProject(CreateInvestmentProjectRequest request, ServerCallContext call)
    {
        Access.Write(call, ResourceNames.ParseHostUnit(request.Parent, "parent"), "create investment projects");
        var project = await operations.CreateAsync(request.Parent, ToDraft(request.Project), NullIfEmpty(request.ProjectId), NullIfEmpty(request.RequestId), call.CancellationToken);
        return new CreateInvestmentProjectResponse { Project = ToProto(project) };
    }

    public override async Task<UpdateInvestmentProjectResponse> UpdateInvestmentProject(UpdateInvestmentProjectRequest request, ServerCallContext call)
    {
        var project = request.Project ?? throw new Parks.Domain.ValidationException("project", "is required");
        Access.Write(call, ResourceNames.ParseProject(project.Name, "project.name").Unit, "update investment projects");
        var updated = await operations.UpdateAsync(project.Name, Paths(request.UpdateMask), ToDraft(project), NullIfEmpty(project.Etag), call.CancellationToken);
        return new UpdateInvestmentProjectResponse { Project = ToProto(updated) };
    }

    public override async Task<AdvanceInvestmentProjectResponse> AdvanceInvestmentProject(AdvanceInvestmentProjectRequest request, ServerCallContext call)
    {
        Access.Write(call, ResourceNames.ParseProject(request.Name).Unit, "advance investment projects");
        var project = await operations.AdvanceAsync(request.Name, (Domain.ProjectStage)(int)request.Stage, ToDate(request.StageDate, "stage_date"),
            NullIfEmpty(request.Etag), call.CancellationToken);
        return new AdvanceInvestmentProjectResponse { Project = ToProto(project) };
    }

    public override async Task<DropInvestmentProjectResponse> DropInvestmentProject(DropInvestmentProjectRequest request, ServerCallContext call)
    {
        Access.Write(call, ResourceNames.ParseProject(request.Name).Unit, "drop investment projects");
        var project = await operations.DropAsync(request.Name, request.Reason, ToDate(request.StageDate, "stage_date"), NullIfEmpty(request.Etag), call.CancellationToken);
        return new DropInvestmentProjectResponse { Project = ToProto(project) };
    }

    public override async Task<GetPipelineCountsResponse> GetPipelineCounts(GetPipelineCountsRequest request, ServerCallContext call)
    {
        Access.Read(call);
        var counts = await operations.PipelineAsync(request.Parent, ToDomain(request.DataSet), call.CancellationToken);
        var response = new GetPipelineCountsResponse { Total = counts.Sum(c => c.Count) };
        response.Stages.AddRange(counts.Select(c => new StageCount { Stage = (V1.ProjectStage)(int)c.Stage, Count = c.Count }));
        return response;
    }

    public override async Task<CreateReferralResponse> CreateReferral(CreateReferralRequest request, ServerCallContext call)
    {
        ResourceNames.ParseHostUnit(request.Parent, "parent");
        Access.Refer(call, request.Referral?.FromUnit);
        var referral = await operations.CreateReferralAsync(request.Parent, ToDraft(request.Referral), NullIfEmpty(request.ReferralId), NullIfEmpty(request.RequestId), call.CancellationToken);
        return new CreateReferralResponse { Referral = ToProto(referral) };
    }

    public override async Task<GetReferralResponse> GetReferral(GetReferralRequest request, ServerCallContext call)
    {
        Access.Read(call);
        return new GetReferralResponse { Referral = ToProto(await operations.GetReferralAsync(request.Name, call.CancellationToken)) };
    }

    public override async Task<ListReferralsResponse> ListReferrals(ListReferralsRequest request, ServerCallContext call)
    {
        Access.Read(call);
        var page = await operations.ListReferralsAsync(new ReferralQuery(request.Parent, request.PageSize, request.PageToken,
            (Domain.ReferralState)(int)request.State, ToDomain(request.DataSet)), call.CancellationToken);
        var response = new ListReferralsResponse { NextPageToken = page.NextPageToken, TotalSize = page.TotalSize };
        response.Referrals.AddRange(page.Items.Select(ToProto));
        return response;
    }

    public override async Task<AcceptReferralResponse> AcceptReferral(AcceptReferralRequest request, ServerCallContext call)
    {
        Access.Write(call, ResourceNames.ParseReferral(request.Name).Unit, "accept referrals");
        var (referral, project) = await operations.AcceptReferralAsync(request.Name, NullIfEmpty(request.ProjectId), NullIfEmpty(request.Industry),
            NullIfEmpty(request.Etag), call.CancellationToken);
        return new AcceptReferralResponse { Referral = ToProto(referral), Project = ToProto(project) };
    }

    public override async Task<DeclineReferralResponse> DeclineReferral(DeclineReferralRequest request, ServerCallContext call)
    {
        Access.Write(call, ResourceNames.ParseReferral(request.Name).Unit, "decline referrals");
        var referral = await operations.DeclineReferralAsync(request.Name, request.Reason, NullIfEmpty(request.Etag), call.CancellationToken);
        return new DeclineReferralResponse { Referral = ToProto(referral) };
    }
}
