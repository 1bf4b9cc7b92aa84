using Parks.Domain;
using Parks.Finance.Data;
using Parks.Finance.Domain.Institutions;
using Parks.Finance.Storage;
using Parks.Rpc;
using Parks.Rpc.Mapping;
using V1 = Parks.Finance.V1;

namespace Parks.Finance.Rpc;

/// <summary>parks.finance.v1.InstitutionService: maps requests to <see cref="InstitutionStore"/>.</summary>
internal sealed class InstitutionService(InstitutionStore institutions, FinanceSeed seed) : V1.InstitutionService.InstitutionServiceBase
{
    public override async Task<V1.GetInstitutionResponse> GetInstitution(V1.GetInstitutionRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        return new() { Institution = (await institutions.GetAsync(request.Name, context.CancellationToken)).ToProto() };
    }

    public override async Task<V1.ListInstitutionsResponse> ListInstitutions(V1.ListInstitutionsRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var page = await institutions.ListAsync(((int)request.Kind).ToDomain<InstitutionKind>(), request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListInstitutionsResponse { NextPageToken = page.NextPageToken, TotalSize = (int)Math.Max(0, page.TotalSize) };
        response.Institutions.AddRange(page.Items.Select(i => i.ToProto()));
        return response;
    }

    public override async Task<V1.CreateInstitutionResponse> CreateInstitution(V1.CreateInstitutionRequest request, ServerCallContext context)
    {
        var i = request.Institution ?? throw new ValidationException("institution", "is required");
        var draft = new InstitutionDraft(i.DisplayName, (InstitutionKind)(int)i.Kind, i.Uscc.NullIfEmpty(), i.LocalLegalEntityOrBranch, i.Note.NullIfEmpty(),
            i.PartnerProducts.Select(ProductId).ToList(), i.Source.NullIfEmpty());
        var created = await institutions.CreateAsync(context.Access(write: true), request.InstitutionId.NullIfEmpty(), draft, request.RequestId.NullIfEmpty(), context.CancellationToken);
        return new() { Institution = created.ToProto() };
    }

    public override async Task<V1.UpdateInstitutionResponse> UpdateInstitution(V1.UpdateInstitutionRequest request, ServerCallContext context)
    {
        var i = request.Institution ?? throw new ValidationException("institution", "is required");
        var paths = request.UpdateMask.Paths("display_name", "note", "local_legal_entity_or_branch", "partner_products");
        var updated = await institutions.UpdateAsync(context.Access(write: true), i.Name,
            paths.Contains("display_name") ? i.DisplayName : null,
            paths.Contains("note") ? i.Note : null,
            paths.Contains("local_legal_entity_or_branch") ? i.LocalLegalEntityOrBranch : null,
            paths.Contains("partner_products") ? i.PartnerProducts.Select(ProductId).ToList() : null,
            i.Etag.NullIfEmpty(), context.CancellationToken);
        return new() { Institution = updated.ToProto() };
    }

    public override async Task<V1.GetInstitutionStatisticsResponse> GetInstitutionStatistics(V1.GetInstitutionStatisticsRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var baseline = seed.InstitutionBaseline;
        var recorded = await institutions.RecordedByKindAsync(context.CancellationToken);
        var response = new V1.GetInstitutionStatisticsResponse
        {
            BaselineYear = baseline.Year,
            BaselineTotal = baseline.Total,
            BaselineSource = baseline.Source,
            RecordedTotal = (int)recorded.Values.Sum(),
        };
        response.Kinds.AddRange(Enum.GetValues<InstitutionKind>().Select(k => new V1.InstitutionKindCount
        {
            Kind = (V1.InstitutionKind)k,
            BaselineCount = baseline.ByKind.GetValueOrDefault(k),
            RecordedCount = (int)recorded[k],
        }));
        return response;
    }

    private static string ProductId(string name) => name.StartsWith("loanProducts/", StringComparison.Ordinal) ? name["loanProducts/".Length..] : name;
}
