using Parks.Domain;
using Parks.Finance.Data;
using Parks.Finance.Domain.Policies;
using Parks.Finance.Storage;
using Parks.Rpc;
using Parks.Rpc.Mapping;
using V1 = Parks.Finance.V1;

namespace Parks.Finance.Rpc;

/// <summary>parks.finance.v1.PayoutService: maps requests to <see cref="PayoutStore"/> and the policy catalogue.</summary>
internal sealed class PayoutService(PayoutStore payouts, PolicyCatalogue catalogue, FinanceStatistics statistics) : V1.PayoutService.PayoutServiceBase
{
    public override Task<V1.GetPolicyResponse> GetPolicy(V1.GetPolicyRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        return Task.FromResult(new V1.GetPolicyResponse { Policy = catalogue.Get(Parks.Storage.ResourceNames.Id(request.Name, Policy.Collection, "name")).ToProto() });
    }

    public override Task<V1.ListPoliciesResponse> ListPolicies(V1.ListPoliciesRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var response = new V1.ListPoliciesResponse();
        response.Policies.AddRange(catalogue.All.Select(p => p.ToProto()));
        return Task.FromResult(response);
    }

    public override async Task<V1.GetPolicyBudgetResponse> GetPolicyBudget(V1.GetPolicyBudgetRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        return new() { PolicyBudget = (await payouts.GetBudgetAsync(request.Name, context.CancellationToken)).ToProto() };
    }

    public override async Task<V1.UpdatePolicyBudgetResponse> UpdatePolicyBudget(V1.UpdatePolicyBudgetRequest request, ServerCallContext context) =>
        new() { PolicyBudget = (await payouts.SetBudgetAsync(context.Access(write: true), request.Name, new Fen(request.AllocatedFen), request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };

    public override async Task<V1.GetPayoutResponse> GetPayout(V1.GetPayoutRequest request, ServerCallContext context) =>
        new() { Payout = (await payouts.GetAsync(context.Access(write: false), request.Name, context.CancellationToken)).ToProto() };

    public override async Task<V1.ListPayoutsResponse> ListPayouts(V1.ListPayoutsRequest request, ServerCallContext context)
    {
        var page = await payouts.ListAsync(context.Access(write: false), request.Policy.NullIfEmpty(), request.SubjectUscc.NullIfEmpty(), request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListPayoutsResponse { NextPageToken = page.NextPageToken };
        response.Payouts.AddRange(page.Items.Select(p => p.ToProto()));
        return response;
    }

    public override async Task<V1.CreatePayoutResponse> CreatePayout(V1.CreatePayoutRequest request, ServerCallContext context)
    {
        var b = request.Beneficiary ?? throw new ValidationException("beneficiary", "is required");
        var beneficiary = new Beneficiary(((int)b.Kind).Required<BeneficiaryKind>("beneficiary.kind"), b.Id);
        if (string.IsNullOrWhiteSpace(beneficiary.Id)) throw new ValidationException("beneficiary.id", "is required");
        var created = await payouts.ApplyAsync(context.Access(write: true), request.Policy, beneficiary, request.SubjectUscc, request.FactDate.ToDate("fact_date"),
            request.Inputs.ToDictionary(), request.Evidence, request.RequestId.NullIfEmpty(), context.CancellationToken);
        return new() { Payout = created.ToProto() };
    }

    public override async Task<V1.StartPayoutReviewResponse> StartPayoutReview(V1.StartPayoutReviewRequest request, ServerCallContext context) =>
        new() { Payout = (await payouts.StartReviewAsync(context.Access(write: true), request.Name, request.Note, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };

    public override async Task<V1.ApprovePayoutResponse> ApprovePayout(V1.ApprovePayoutRequest request, ServerCallContext context) =>
        new() { Payout = (await payouts.ApproveAsync(context.Access(write: true), request.Name, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };

    public override async Task<V1.RejectPayoutResponse> RejectPayout(V1.RejectPayoutRequest request, ServerCallContext context) =>
        new() { Payout = (await payouts.RejectAsync(context.Access(write: true), request.Name, request.Reason, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };

    public override async Task<V1.PayPayoutResponse> PayPayout(V1.PayPayoutRequest request, ServerCallContext context) =>
        new() { Payout = (await payouts.PayAsync(context.Access(write: true), request.Name, request.PaymentReference, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };

    public override async Task<V1.ReleasePayoutBudgetHoldResponse> ReleasePayoutBudgetHold(V1.ReleasePayoutBudgetHoldRequest request, ServerCallContext context) =>
        new() { Payout = (await payouts.ReleaseFromBudgetHoldAsync(context.Access(write: true), request.Name, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };

    public override async Task<V1.GetPayoutStatisticsResponse> GetPayoutStatistics(V1.GetPayoutStatisticsRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var (paidCount, paidFen, pending) = await statistics.PayoutsAsync(context.CancellationToken);
        return new V1.GetPayoutStatisticsResponse { PaidCount = paidCount, PaidFen = paidFen, PendingCount = pending };
    }

    public override async Task<V1.VerifyPayoutComputationResponse> VerifyPayoutComputation(V1.VerifyPayoutComputationRequest request, ServerCallContext context)
    {
        var (recomputed, matches) = await payouts.VerifyAsync(context.Access(write: false), request.Name, context.CancellationToken);
        return new() { Recomputed = recomputed.ToProto(), Matches = matches };
    }
}
