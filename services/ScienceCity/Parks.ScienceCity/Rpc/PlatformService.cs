using Parks.Domain;
using Parks.Hosting.Security;
using Parks.Rpc;
using Parks.Rpc.Mapping;
using Parks.ScienceCity.Domain;
using Parks.ScienceCity.Storage;
using V1 = Parks.ScienceCity.V1;

namespace Parks.ScienceCity.Rpc;

/// <summary>parks.sciencecity.v1.PlatformService: maps requests to <see cref="PlatformStore"/>. Writes are the Science City's own.</summary>
internal sealed class PlatformService(PlatformStore platforms) : V1.PlatformService.PlatformServiceBase
{
    public override async Task<V1.GetPlatformResponse> GetPlatform(V1.GetPlatformRequest request, ServerCallContext context)
    {
        context.GetCaller();
        return new() { Platform = (await platforms.GetAsync(request.Name, context.CancellationToken)).ToProto() };
    }

    public override async Task<V1.ListPlatformsResponse> ListPlatforms(V1.ListPlatformsRequest request, ServerCallContext context)
    {
        context.GetCaller();
        var page = await platforms.ListAsync(((int)request.Level).ToDomain<PlatformLevel>(), ((int)request.Domain).ToDomain<ResearchDomain>(),
            ((int)request.AdmissionStatus).ToDomain<AdmissionStatus>(), request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListPlatformsResponse { NextPageToken = page.NextPageToken, TotalSize = (int)Math.Max(0, page.TotalSize) };
        response.Platforms.AddRange(page.Items.Select(p => p.ToProto()));
        return response;
    }

    public override async Task<V1.CreatePlatformResponse> CreatePlatform(V1.CreatePlatformRequest request, ServerCallContext context)
    {
        DemandWrite(context, "create platforms");
        var p = request.Platform ?? throw new ValidationException("platform", "is required");
        // Enums pass through as numbers: the domain validates them with the other fields and reports all at once.
        var draft = new PlatformDraft(p.DisplayName, (PlatformKind)(int)p.Kind, (PlatformLevel)(int)p.Level, p.HostInstitution, ((int)p.Domain).ToDomain<ResearchDomain>(), p.StatusNote.NullIfEmpty(), p.Source.NullIfEmpty());
        return new() { Platform = (await platforms.CreateAsync(request.PlatformId.NullIfEmpty(), draft, request.RequestId.NullIfEmpty(), context.CancellationToken)).ToProto() };
    }

    public override async Task<V1.UpdatePlatformResponse> UpdatePlatform(V1.UpdatePlatformRequest request, ServerCallContext context)
    {
        DemandWrite(context, "update platforms");
        var p = request.Platform ?? throw new ValidationException("platform", "is required");
        var paths = request.UpdateMask.Paths("display_name", "kind", "level", "host_institution", "domain", "status_note");
        var changes = new PlatformChanges(
            DisplayName: paths.Contains("display_name") ? p.DisplayName : null,
            Kind: paths.Contains("kind") ? ((int)p.Kind).Required<PlatformKind>("platform.kind") : null,
            Level: paths.Contains("level") ? ((int)p.Level).Required<PlatformLevel>("platform.level") : null,
            HostInstitution: paths.Contains("host_institution") ? p.HostInstitution : null,
            Domain: paths.Contains("domain") ? ((int)p.Domain).ToDomain<ResearchDomain>() : null,
            ClearDomain: paths.Contains("domain") && p.Domain == V1.ResearchDomain.Unspecified,
            StatusNote: paths.Contains("status_note") ? p.StatusNote : null);
        return new() { Platform = (await platforms.UpdateAsync(p.Name, changes, p.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };
    }

    public override async Task<V1.EnlistPlatformForAdmissionResponse> EnlistPlatformForAdmission(V1.EnlistPlatformForAdmissionRequest request, ServerCallContext context)
    {
        DemandWrite(context, "enlist platforms for admission");
        var platform = await platforms.EnlistAsync(request.Name, request.AdmissionBatch, request.ListedDate.ToDate("listed_date"), request.Etag.NullIfEmpty(), context.CancellationToken);
        return new() { Platform = platform.ToProto() };
    }

    public override async Task<V1.AdmitPlatformResponse> AdmitPlatform(V1.AdmitPlatformRequest request, ServerCallContext context)
    {
        DemandWrite(context, "admit platforms");
        return new() { Platform = (await platforms.AdmitAsync(request.Name, request.AdmittedDate.ToDate("admitted_date"), request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };
    }

    public override async Task<V1.DeclinePlatformAdmissionResponse> DeclinePlatformAdmission(V1.DeclinePlatformAdmissionRequest request, ServerCallContext context)
    {
        DemandWrite(context, "decline admissions");
        return new() { Platform = (await platforms.DeclineAsync(request.Name, request.Reason, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };
    }

    public override async Task<V1.RecordPlatformEvaluationResponse> RecordPlatformEvaluation(V1.RecordPlatformEvaluationRequest request, ServerCallContext context)
    {
        DemandWrite(context, "record evaluations");
        var e = request.Evaluation ?? throw new ValidationException("evaluation", "is required");
        var evaluation = new PlatformEvaluation(e.Year, ((int)e.Result).Required<EvaluationResult>("evaluation.result"), e.Evaluator, e.EvaluationDate.ToDate("evaluation.evaluation_date"));
        return new() { Platform = (await platforms.RecordEvaluationAsync(request.Name, evaluation, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };
    }

    public override async Task<V1.GetAdmissionBatchResponse> GetAdmissionBatch(V1.GetAdmissionBatchRequest request, ServerCallContext context)
    {
        context.GetCaller();
        return new() { AdmissionBatch = (await platforms.GetBatchAsync(request.Name, context.CancellationToken)).ToProto() };
    }

    public override async Task<V1.ListAdmissionBatchesResponse> ListAdmissionBatches(V1.ListAdmissionBatchesRequest request, ServerCallContext context)
    {
        context.GetCaller();
        var page = await platforms.ListBatchesAsync(request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListAdmissionBatchesResponse { NextPageToken = page.NextPageToken };
        response.AdmissionBatches.AddRange(page.Items.Select(b => b.ToProto()));
        return response;
    }

    public override async Task<V1.CreateAdmissionBatchResponse> CreateAdmissionBatch(V1.CreateAdmissionBatchRequest request, ServerCallContext context)
    {
        DemandWrite(context, "create admission batches");
        var b = request.AdmissionBatch ?? throw new ValidationException("admission_batch", "is required");
        var batch = await platforms.CreateBatchAsync(request.AdmissionBatchId, b.DisplayName, b.PlannedCount, b.Source.NullIfEmpty(), request.RequestId.NullIfEmpty(), context.CancellationToken);
        return new() { AdmissionBatch = batch.ToProto() };
    }

    internal static void DemandWrite(ServerCallContext context, string what) => context.GetCaller().DemandWrite(UnitRef.ScienceCity, what);
}
