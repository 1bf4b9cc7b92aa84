using Parks.Domain;
using Parks.Finance.Domain.Funds;
using Parks.Finance.Storage;
using Parks.Rpc;
using Parks.Rpc.Mapping;
using V1 = Parks.Finance.V1;

namespace Parks.Finance.Rpc;

/// <summary>parks.finance.v1.FundService: maps requests to <see cref="FundStore"/>.</summary>
internal sealed class FundService(FundStore funds) : V1.FundService.FundServiceBase
{
    public override async Task<V1.GetFundResponse> GetFund(V1.GetFundRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        return new() { Fund = await ToProtoAsync(await funds.GetAsync(request.Name, context.CancellationToken), context.CancellationToken) };
    }

    public override async Task<V1.ListFundsResponse> ListFunds(V1.ListFundsRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var page = await funds.ListAsync(request.ParentFund.NullIfEmpty(), request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListFundsResponse { NextPageToken = page.NextPageToken, TotalSize = (int)Math.Max(0, page.TotalSize) };
        foreach (var f in page.Items) response.Funds.Add(await ToProtoAsync(f, context.CancellationToken));
        return response;
    }

    public override async Task<V1.CreateFundResponse> CreateFund(V1.CreateFundRequest request, ServerCallContext context)
    {
        var f = request.Fund ?? throw new ValidationException("fund", "is required");
        var draft = new FundDraft(f.DisplayName, (FundRole)(int)f.Role, f.ParentFund.NullIfEmpty(), (FundStage)(int)f.Stage, (FundStatus)(int)f.Status, f.Manager.NullIfEmpty(),
            new Fen(f.GovernmentCommittedFen), new Fen(f.SocialCommittedFen), new Fen(f.PaidInFen), f.LeveragedSocialCapitalReportedFen.ToOptionalFen(), f.Source.NullIfEmpty());
        var created = await funds.CreateAsync(context.Access(write: true), request.FundId.NullIfEmpty(), draft, request.RequestId.NullIfEmpty(), context.CancellationToken);
        return new() { Fund = await ToProtoAsync(created, context.CancellationToken) };
    }

    public override async Task<V1.RecordFundPaidInResponse> RecordFundPaidIn(V1.RecordFundPaidInRequest request, ServerCallContext context)
    {
        var fund = await funds.RecordPaidInAsync(context.Access(write: true), request.Name, new Fen(request.AmountFen), request.Etag.NullIfEmpty(), context.CancellationToken);
        return new() { Fund = await ToProtoAsync(fund, context.CancellationToken) };
    }

    public override async Task<V1.UpdateFundStatusResponse> UpdateFundStatus(V1.UpdateFundStatusRequest request, ServerCallContext context)
    {
        var fund = await funds.ChangeStatusAsync(context.Access(write: true), request.Name, ((int)request.Status).Required<FundStatus>("status"), request.Etag.NullIfEmpty(), context.CancellationToken);
        return new() { Fund = await ToProtoAsync(fund, context.CancellationToken) };
    }

    private async Task<V1.Fund> ToProtoAsync(Parks.Storage.Versioned<Fund> fund, CancellationToken ct) =>
        fund.ToProto(await funds.SubFundSocialCommittedAsync(fund.Value, ct));
}
