using Parks.Rpc;
using Parks.Units.Application;
using Parks.Units.Domain;
using Parks.Units.V1;
using static Parks.Units.Rpc.ProtoMapping;

namespace Parks.Units.Rpc;

/// <summary>parks.units.v1.EnterpriseService: protobuf in, domain operation, protobuf out.</summary>
public sealed class EnterpriseRpc(EnterpriseOperations operations, UnitsContext context) : EnterpriseService.EnterpriseServiceBase
{
    public override async Task<GetEnterpriseResponse> GetEnterprise(GetEnterpriseRequest request, ServerCallContext call)
    {
        Access.Read(call);
        var enterprise = await operations.GetAsync(request.Name, call.CancellationToken);
        return new GetEnterpriseResponse { Enterprise = ToProto(enterprise, context.TierRules, context.Clock.Today) };
    }

    public override async Task<ListEnterprisesResponse> ListEnterprises(ListEnterprisesRequest request, ServerCallContext call)
    {
        Access.Read(call);
        var page = await operations.ListAsync(new EnterpriseQuery(request.Parent, request.PageSize, request.PageToken,
            ToDomain(request.Tier), NullIfEmpty(request.Industry), ToDomain(request.DataSet)), call.CancellationToken);
        var response = new ListEnterprisesResponse { NextPageToken = page.NextPageToken, TotalSize = page.TotalSize };
        var today = context.Clock.Today;
        response.Enterprises.AddRange(page.Items.Select(e => ToProto(e, context.TierRules, today)));
        return response;
    }

    public override async Task<GetTierCountsResponse> GetTierCounts(GetTierCountsRequest request, ServerCallContext call)
    {
        Access.Read(call);
        var (tiers, enterprises) = await operations.TierCountsAsync(request.Parent, ToDomain(request.DataSet), call.CancellationToken);
        var response = new GetTierCountsResponse { EnterpriseCount = enterprises };
        response.Tiers.AddRange(tiers.Select(t => new TierCount { Tier = ToProto(t.Tier), Count = t.Count }));
        return response;
    }

    public override async Task<CreateEnterpriseResponse> CreateEnterprise(CreateEnterpriseRequest request, ServerCallContext call)
    {
        Access.Write(call, ResourceNames.ParseHostUnit(request.Parent, "parent"), "register enterprises");
        var enterprise = await operations.CreateAsync(request.Parent, ToDraft(request.Enterprise), NullIfEmpty(request.RequestId), call.CancellationToken);
        return new CreateEnterpriseResponse { Enterprise = ToProto(enterprise, context.TierRules, context.Clock.Today) };
    }

    public override async Task<UpdateEnterpriseResponse> UpdateEnterprise(UpdateEnterpriseRequest request, ServerCallContext call)
    {
        var enterprise = request.Enterprise ?? throw new Parks.Domain.ValidationException("enterprise", "is required");
        Access.Write(call, ResourceNames.ParseEnterprise(enterprise.Name, "enterprise.name").Unit, "update enterprises");
        var updated = await operations.UpdateAsync(enterprise.Name, Paths(request.UpdateMask), ToPatch(enterprise), NullIfEmpty(enterprise.Etag), call.CancellationToken);
        return new UpdateEnterpriseResponse { Enterprise = ToProto(updated, context.TierRules, context.Clock.Today) };
    }

    public override async Task<RelocateEnterpriseResponse> RelocateEnterprise(RelocateEnterpriseRequest request, ServerCallContext call)
    {
        Access.Write(call, ResourceNames.ParseEnterprise(request.Name).Unit, "relocate enterprises");
        var moved = await operations.RelocateAsync(request.Name, request.TargetUnit, ToDate(request.RelocationDate, "relocation_date"),
            NullIfEmpty(request.Reason), NullIfEmpty(request.Etag), call.CancellationToken);
        return new RelocateEnterpriseResponse { Enterprise = ToProto(moved, context.TierRules, context.Clock.Today) };
    }

    public override async Task<CertifyEnterpriseTierResponse> CertifyEnterpriseTier(CertifyEnterpriseTierRequest request, ServerCallContext call)
    {
        Access.Write(call, ResourceNames.ParseEnterprise(request.Parent, "parent").Unit, "certify enterprises");
        var draft = new CertificationDraft(ToDomain(request.Tier), request.Authority, (Domain.AuthorityLevel)(int)request.AuthorityLevel,
            NullIfEmpty(request.Batch), ToDate(request.ValidFrom, "valid_from"), ToDate(request.ValidTo, "valid_to"),
            request.AnnualOutputFen == 0 ? null : request.AnnualOutputFen);
        var (enterprise, certification) = await operations.CertifyAsync(request.Parent, draft, NullIfEmpty(request.Etag), call.CancellationToken);
        return new CertifyEnterpriseTierResponse
        {
            Certification = ToProto(enterprise.Value, certification, context.TierRules, context.Clock.Today),
            Enterprise = ToProto(enterprise, context.TierRules, context.Clock.Today),
        };
    }

    public override async Task<RenewCertificationResponse> RenewCertification(RenewCertificationRequest request, ServerCallContext call)
    {
        Access.Write(call, ResourceNames.ParseCertification(request.Name).Unit, "renew certifications");
        var draft = new RenewalDraft(request.Authority, (Domain.AuthorityLevel)(int)request.AuthorityLevel, NullIfEmpty(request.Batch),
            ToDate(request.ValidFrom, "valid_from"), ToDate(request.ValidTo, "valid_to"));
        var (enterprise, certification) = await operations.RenewAsync(request.Name, draft, NullIfEmpty(request.Etag), call.CancellationToken);
        return new RenewCertificationResponse
        {
            Certification = ToProto(enterprise.Value, certification, context.TierRules, context.Clock.Today),
            Enterprise = ToProto(enterprise, context.TierRules, context.Clock.Today),
        };
    }

    public override async Task<DisqualifyCertificationResponse> DisqualifyCertification(DisqualifyCertificationRequest request, ServerCallContext call)
    {
        Access.Write(call, ResourceNames.ParseCertification(request.Name).Unit, "disqualify certifications");
        var (enterprise, certification) = await operations.DisqualifyAsync(request.Name, request.Reason, ToDate(request.EffectiveDate, "effective_date"),
            NullIfEmpty(request.Etag), call.CancellationToken);
        return new DisqualifyCertificationResponse
        {
            Certification = ToProto(enterprise.Value, certification, context.TierRules, context.Clock.Today),
            Enterprise = ToProto(enterprise, context.TierRules, context.Clock.Today),
        };
    }

    public override async Task<ListCertificationsResponse> ListCertifications(ListCertificationsRequest request, ServerCallContext call)
    {
        Access.Read(call);
        var (enterprise, page) = await operations.ListCertificationsAsync(request.Parent, request.PageSize, request.PageToken, call.CancellationToken);
        var response = new ListCertificationsResponse { NextPageToken = page.NextPageToken };
        response.Certifications.AddRange(page.Items.Select(c => ToProto(enterprise, c, context.TierRules, context.Clock.Today)));
        return response;
    }

    public override async Task<ListExpiringCertificationsResponse> ListExpiringCertifications(ListExpiringCertificationsRequest request, ServerCallContext call)
    {
        Access.Read(call);
        var page = await operations.ListExpiringAsync(new ExpiringQuery(request.Parent, ToDate(request.StartDate, "start_date"), ToDate(request.EndDate, "end_date"),
            ToDomain(request.Tier), request.PageSize, request.PageToken, ToDomain(request.DataSet)), call.CancellationToken);
        var response = new ListExpiringCertificationsResponse { NextPageToken = page.NextPageToken };
        response.Certifications.AddRange(page.Items.Select(h => ToProto(h.Enterprise, h.Certification, context.TierRules, context.Clock.Today)));
        return response;
    }
}
