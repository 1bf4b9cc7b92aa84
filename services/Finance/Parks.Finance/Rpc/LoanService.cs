using Parks.Domain;
using Parks.Finance.Data;
using Parks.Finance.Domain.Loans;
using Parks.Finance.Storage;
using Parks.Rpc;
using Parks.Rpc.Mapping;
using V1 = Parks.Finance.V1;

namespace Parks.Finance.Rpc;

/// <summary>parks.finance.v1.LoanService: maps requests to <see cref="LoanStore"/>.</summary>
internal sealed class LoanService(LoanStore loans, FinanceSeed seed, FinanceStatistics statistics) : V1.LoanService.LoanServiceBase
{
    public override Task<V1.GetLoanProductResponse> GetLoanProduct(V1.GetLoanProductRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        return Task.FromResult(new V1.GetLoanProductResponse { LoanProduct = seed.GetProduct(Parks.Storage.ResourceNames.Id(request.Name, LoanProduct.Collection, "name")).ToProto() });
    }

    public override Task<V1.ListLoanProductsResponse> ListLoanProducts(V1.ListLoanProductsRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var response = new V1.ListLoanProductsResponse();
        response.LoanProducts.AddRange(seed.LoanProducts.Select(p => p.ToProto()));
        return Task.FromResult(response);
    }

    public override async Task<V1.GetLoanStatisticsResponse> GetLoanStatistics(V1.GetLoanStatisticsRequest request, ServerCallContext context)
    {
        context.Access(write: false);
        var response = new V1.GetLoanStatisticsResponse();
        response.Products.AddRange((await statistics.LoansAsync(context.CancellationToken)).Select(p => new V1.LoanProductStatistics
        {
            Product = LoanProduct.NameOf(p.Product.Id),
            GrantedCount = p.Count,
            CreditLineFen = p.CreditLineFen,
        }));
        return response;
    }

    public override async Task<V1.GetLoanApplicationResponse> GetLoanApplication(V1.GetLoanApplicationRequest request, ServerCallContext context) =>
        new() { LoanApplication = (await loans.GetAsync(context.Access(write: false), request.Name, context.CancellationToken)).ToProto() };

    public override async Task<V1.ListLoanApplicationsResponse> ListLoanApplications(V1.ListLoanApplicationsRequest request, ServerCallContext context)
    {
        var page = await loans.ListAsync(context.Access(write: false), request.Uscc.NullIfEmpty(), request.PageSize, request.PageToken, context.CancellationToken);
        var response = new V1.ListLoanApplicationsResponse { NextPageToken = page.NextPageToken };
        response.LoanApplications.AddRange(page.Items.Select(l => l.ToProto()));
        return response;
    }

    public override async Task<V1.CreateLoanApplicationResponse> CreateLoanApplication(V1.CreateLoanApplicationRequest request, ServerCallContext context)
    {
        var l = request.LoanApplication ?? throw new ValidationException("loan_application", "is required");
        var draft = new LoanApplicationDraft(l.Product, l.Bank, l.RiskPartner.NullIfEmpty(), new Fen(l.RequestedFen), l.TermMonths, l.Purpose);
        var created = await loans.SubmitAsync(context.Access(write: true), request.LoanApplicationId.NullIfEmpty(), l.Uscc, draft, request.RequestId.NullIfEmpty(), context.CancellationToken);
        return new() { LoanApplication = created.ToProto() };
    }

    public override async Task<V1.ApproveLoanApplicationResponse> ApproveLoanApplication(V1.ApproveLoanApplicationRequest request, ServerCallContext context) =>
        new() { LoanApplication = (await loans.ApproveAsync(context.Access(write: true), request.Name, new Fen(request.CreditLineFen), request.ApprovedBy, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };

    public override async Task<V1.DeclineLoanApplicationResponse> DeclineLoanApplication(V1.DeclineLoanApplicationRequest request, ServerCallContext context) =>
        new() { LoanApplication = (await loans.DeclineAsync(context.Access(write: true), request.Name, request.Reason, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };

    public override async Task<V1.DisburseLoanResponse> DisburseLoan(V1.DisburseLoanRequest request, ServerCallContext context) =>
        new()
        {
            LoanApplication = (await loans.DisburseAsync(context.Access(write: true), request.Name, new Fen(request.AmountFen), request.Date.ToDate("date"),
                request.Reference, request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto(),
        };

    public override async Task<V1.RepayLoanResponse> RepayLoan(V1.RepayLoanRequest request, ServerCallContext context) =>
        new() { LoanApplication = (await loans.RepayAsync(context.Access(write: true), request.Name, new Fen(request.AmountFen), request.Date.ToDate("date"), request.Etag.NullIfEmpty(), context.CancellationToken)).ToProto() };

    public override async Task<V1.VerifyLoanLossResponse> VerifyLoanLoss(V1.VerifyLoanLossRequest request, ServerCallContext context)
    {
        var (loan, compensation) = await loans.VerifyLossAsync(context.Access(write: true), request.Name, new Fen(request.LossFen), request.Date.ToDate("date"),
            request.VerifiedBy, request.Etag.NullIfEmpty(), context.CancellationToken);
        return new()
        {
            LoanApplication = loan.ToProto(),
            Compensation = compensation?.Payout ?? "",
            CompensationSkippedReason = compensation?.SkippedReason ?? (compensation is null ? "no risk-compensation policy covers this product" : ""),
        };
    }
}
