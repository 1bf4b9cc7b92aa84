using Parks.Domain;
using Parks.Gateway.V1;
using Parks.Rpc;

namespace Parks.Gateway.Audit;

/// <summary>parks.gateway.v1.AuditService: the audit trail for operators (the allow-list makes it read:operator).</summary>
internal sealed class AuditServiceImpl(AuditTrail trail) : AuditService.AuditServiceBase
{
    public override Task<ListAuditRecordsResponse> ListAuditRecords(ListAuditRecordsRequest request, ServerCallContext context)
    {
        if (request.PageSize < 0) throw new ValidationException("page_size", "must not be negative");
        var (records, next) = trail.List(request.PageSize, request.PageToken, request.Caller, request.Status);
        var response = new ListAuditRecordsResponse { NextPageToken = next };
        response.Records.AddRange(records);
        return Task.FromResult(response);
    }
}
