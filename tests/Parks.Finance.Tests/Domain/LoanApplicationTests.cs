using Parks.Domain;
using Parks.Finance.Data;
using Parks.Finance.Domain;
using Parks.Finance.Domain.Institutions;
using Parks.Finance.Domain.Loans;
using Parks.Finance.Domain.Policies;
using static Parks.Finance.Tests.TestData;

namespace Parks.Finance.Tests.Domain;

public sealed class LoanApplicationTests
{
    private static readonly DateTimeOffset Now = new(2022, 4, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly FinanceSeed Seed = FinanceSeed.LoadEmbedded();
    private static readonly HashSet<string> Products = Seed.LoanProducts.Select(p => p.Id).ToHashSet();

    private static readonly FinancialInstitution PointsBank = FinancialInstitution.Create("bank-a",
        new InstitutionDraft("Bank A", InstitutionKind.Bank, null, true, null, ["innovation-points-loan", "ip-guarantee-loan"], null), Products, Now);
    private static readonly FinancialInstitution OtherBank = FinancialInstitution.Create("bank-b",
        new InstitutionDraft("Bank B", InstitutionKind.Bank, null, true, null, [], null), Products, Now);
    private static readonly FinancialInstitution Guarantor = FinancialInstitution.Create("guarantor-a",
        new InstitutionDraft("Guarantee Co", InstitutionKind.FinancingGuarantee, null, true, null, [], null), Products, Now);

    private static EnterpriseProfile Firm(EnterpriseTier? tier = EnterpriseTier.HighTech, long? centipoints = 7000, int pointsYear = 2021)
    {
        var p = EnterpriseProfile.Empty(NewUscc()).ApplyRegistered(UnitRef.District("lingshui"), "Demo", "software", new DateOnly(2018, 1, 1));
        if (tier is { } t) p = p.ApplyTierCertified(null, new TierCertification(t, "C-1", new DateOnly(2020, 1, 1), new DateOnly(2025, 12, 31), false, null));
        if (centipoints is { } c) p = p.ApplyPointsEvaluated(new PointsEvaluation(pointsYear, c, "m1"));
        return p;
    }

    private static LoanApplication Submit(EnterpriseProfile firm, long requestedWan = 200, string product = "innovation-points-loan",
        FinancialInstitution? bank = null, FinancialInstitution? partner = null) =>
        LoanApplication.Submit("loan-1", firm, Seed.GetProduct(product), bank ?? PointsBank, partner,
            new LoanApplicationDraft(product, (bank ?? PointsBank).Id, partner?.Id, Fen.FromWan(requestedWan), 12, "working capital"), Now);

    [Fact]
    public void An_eligible_enterprise_files_and_the_basis_is_kept()
    {
        var loan = Submit(Firm());

        Assert.Equal(LoanStatus.Submitted, loan.Status);
        Assert.Equal([EnterpriseTier.HighTech], loan.Eligibility.Tiers);
        Assert.Equal(7000, loan.Eligibility.Centipoints);
        Assert.Contains("illustrative", loan.Eligibility.Rule);
        Assert.Equal(UnitRef.District("lingshui"), loan.Unit);
    }

    [Fact]
    public void An_ineligible_enterprise_hears_every_reason()
    {
        var ex = Assert.Throws<FailedPreconditionException>(() => Submit(Firm(tier: EnterpriseTier.Gazelle, centipoints: 5000)));

        Assert.Equal("LOAN_NOT_ELIGIBLE", ex.Violations[0].Type);
        Assert.Contains("holds none of", ex.Message);
        Assert.Contains("innovation points 50 in 2021 are below the product's 60", ex.Message);
    }

    [Fact]
    public void Stale_or_missing_points_make_a_points_loan_ineligible()
    {
        var stale = Assert.Throws<FailedPreconditionException>(() => Submit(Firm(pointsYear: 2019)));
        var none = Assert.Throws<FailedPreconditionException>(() => Submit(Firm(centipoints: null)));

        Assert.Contains("older than 2 years", stale.Message);
        Assert.Contains("no innovation-points evaluation", none.Message);
    }

    [Fact]
    public void Requests_beyond_the_product_limit_or_not_positive_are_refused()
    {
        Assert.Throws<OutOfRangeException>(() => Submit(Firm(), requestedWan: 501));
        Assert.Equal("requested_fen", Assert.Throws<ValidationException>(() => Submit(Firm(), requestedWan: 0)).Violations[0].Field);
    }

    [Fact]
    public void Only_a_partner_bank_lends_and_guarantee_products_need_a_guarantor()
    {
        var notPartner = Assert.Throws<FailedPreconditionException>(() => Submit(Firm(), bank: OtherBank));
        var noGuarantor = Assert.Throws<ValidationException>(() => Submit(Firm(), product: "ip-guarantee-loan"));
        var wrongKind = Assert.Throws<FailedPreconditionException>(() => Submit(Firm(), product: "ip-guarantee-loan", partner: OtherBank));

        Assert.Equal("NOT_A_PARTNER_BANK", notPartner.Violations[0].Type);
        Assert.Equal("risk_partner", noGuarantor.Violations[0].Field);
        Assert.Equal("INSTITUTION_KIND", wrongKind.Violations[0].Type);
        Assert.Equal(LoanStatus.Submitted, Submit(Firm(), product: "ip-guarantee-loan", partner: Guarantor).Status);
    }

    [Fact]
    public void Approval_grants_a_credit_line_no_larger_than_requested()
    {
        var loan = Submit(Firm(), requestedWan: 200);

        var (approved, evt) = loan.Approve(Fen.FromWan(150), "Bank A credit committee", Now);

        Assert.Equal(LoanStatus.Approved, approved.Status);
        Assert.Equal(Wan(150), evt.Amount.Value);
        Assert.Throws<OutOfRangeException>(() => loan.Approve(Fen.FromWan(201), "x", Now));
        Assert.Throws<FailedPreconditionException>(() => approved.Approve(Fen.FromWan(100), "x", Now));
    }

    [Fact]
    public void Disbursements_stay_within_the_credit_line_and_a_reference_counts_once()
    {
        var loan = Submit(Firm()).Approve(Fen.FromWan(150), "bank", Now).Loan
            .Disburse(Fen.FromWan(100), new DateOnly(2022, 3, 1), "D-1", Now);

        Assert.Throws<OutOfRangeException>(() => loan.Disburse(Fen.FromWan(51), new DateOnly(2022, 3, 2), "D-2", Now));
        Assert.Throws<AlreadyExistsException>(() => loan.Disburse(Fen.FromWan(10), new DateOnly(2022, 3, 2), "D-1", Now));
        var full = loan.Disburse(Fen.FromWan(50), new DateOnly(2022, 3, 2), "D-2", Now);
        Assert.Equal(Wan(150), full.Disbursed.Value);
    }

    [Fact]
    public void Repaying_everything_closes_the_loan()
    {
        var loan = Submit(Firm()).Approve(Fen.FromWan(100), "bank", Now).Loan.Disburse(Fen.FromWan(100), new DateOnly(2022, 3, 1), "D-1", Now);

        var partly = loan.Repay(Fen.FromWan(40), new DateOnly(2022, 3, 20), Now);
        Assert.Throws<OutOfRangeException>(() => partly.Repay(Fen.FromWan(61), new DateOnly(2022, 3, 21), Now));
        var done = partly.Repay(Fen.FromWan(60), new DateOnly(2022, 3, 21), Now);

        Assert.Equal(Wan(60), partly.Outstanding.Value);
        Assert.Equal(LoanStatus.Repaid, done.Status);
    }

    [Fact]
    public void A_verified_loss_is_at_most_the_outstanding_principal_and_names_who_is_compensated()
    {
        var loan = Submit(Firm(), requestedWan: 300).Approve(Fen.FromWan(300), "bank", Now).Loan
            .Disburse(Fen.FromWan(300), new DateOnly(2022, 1, 10), "D-1", Now)
            .Repay(Fen.FromWan(50), new DateOnly(2022, 2, 10), Now);

        Assert.Throws<OutOfRangeException>(() => loan.VerifyLoss(Fen.FromWan(251), new DateOnly(2022, 3, 31), "court ruling", Now));
        var (lost, fact) = loan.VerifyLoss(Fen.FromWan(250), new DateOnly(2022, 3, 31), "court ruling", Now);

        Assert.Equal(LoanStatus.LossVerified, lost.Status);
        Assert.Equal(RiskScheme.BankCredit, fact.Scheme);
        Assert.Equal("bank-a", fact.Beneficiary);

        // 50% of 250万 = 125万, capped at 100万 per enterprise (002:219-221).
        var candidate = AutomaticPayouts.For(Catalogue.Automatic(FactKind.LoanLossVerified), fact, new DateOnly(2022, 4, 1)).Single();
        var computed = PolicyEvaluator.Evaluate(candidate.Policy, candidate.Case,
            PolicyEvaluator.LedgersFor(candidate.Policy, candidate.Case.Beneficiary, candidate.Case.Subject, candidate.Case.DecisionDate)
                .Select(l => new LedgerEntry(l.Cap, l.LedgerId, Fen.Zero)).ToList());
        Assert.Equal("risk-compensation-bank-credit", candidate.Policy.Id);
        Assert.Equal(BeneficiaryKind.Bank, candidate.Case.Beneficiary.Kind);
        Assert.Equal(Wan(125), computed.Uncapped.Value);
        Assert.Equal(Wan(100), computed.Amount.Value);
    }

    [Fact]
    public void A_guarantee_loss_compensates_the_guarantor()
    {
        var loan = Submit(Firm(), product: "ip-guarantee-loan", partner: Guarantor).Approve(Fen.FromWan(100), "bank", Now).Loan
            .Disburse(Fen.FromWan(100), new DateOnly(2022, 1, 10), "D-1", Now);

        var (_, fact) = loan.VerifyLoss(Fen.FromWan(100), new DateOnly(2022, 3, 31), "guarantor paid out", Now);
        var candidate = AutomaticPayouts.For(Catalogue.Automatic(FactKind.LoanLossVerified), fact, new DateOnly(2022, 4, 1)).Single();

        Assert.Equal("risk-compensation-guarantee", candidate.Policy.Id);
        Assert.Equal(new Beneficiary(BeneficiaryKind.Guarantor, "guarantor-a"), candidate.Case.Beneficiary);
    }

    [Fact]
    public void Losses_are_verified_only_on_a_disbursed_loan()
    {
        var approved = Submit(Firm()).Approve(Fen.FromWan(100), "bank", Now).Loan;

        var ex = Assert.Throws<FailedPreconditionException>(() => approved.VerifyLoss(Fen.FromWan(1), new DateOnly(2022, 3, 1), "x", Now));
        Assert.Equal("LOAN_STATE", ex.Violations[0].Type);
    }
}
