using Parks.Domain;

namespace Parks.Finance.Domain.Loans;

internal enum LoanStatus
{
    /// <summary>Filed by a district system for its enterprise; waiting for the partner bank.</summary>
    Submitted = 1,
    /// <summary>The bank granted a credit line (授信).</summary>
    Approved = 2,
    Declined = 3,
    /// <summary>Money drawn (放款) and not yet fully repaid.</summary>
    Disbursed = 4,
    Repaid = 5,
    /// <summary>The principal loss was verified; the city's risk compensation follows.</summary>
    LossVerified = 6,
}

internal sealed record Disbursement(DateOnly Date, Fen Amount, string Reference);

internal sealed record Repayment(DateOnly Date, Fen Amount);

internal sealed record VerifiedLoss(DateOnly Date, Fen Amount, string VerifiedBy, string? Compensation);

internal sealed record LoanApplicationDraft(string Product, string Bank, string? RiskPartner, Fen Requested, int TermMonths, string Purpose);

/// <summary>The fact a verified loss hands to the risk-compensation policies (parks.events: internal to finance).</summary>
internal sealed record LoanLossFact(string Loan, string Uscc, UnitRef Unit, RiskScheme Scheme, string Beneficiary, Fen Loss, DateOnly Date);

/// <summary>The LoanApproved integration event (parks.events.v1.LoanApproved).</summary>
internal sealed record LoanApprovedEvent(string Loan, string Uscc, UnitRef Unit, string Product, Fen Amount);

/// <summary>
/// A loan application a district system files on behalf of one of its enterprises: eligibility from tier and
/// innovation points, approval by the partner bank with a credit line, disbursement, repayment, and on default
/// the loss verification that triggers the city's risk compensation.
/// </summary>
internal sealed record LoanApplication(
    string Id,
    string Uscc,
    UnitRef Unit,
    string Product,
    string Bank,
    string? RiskPartner,
    RiskScheme RiskScheme,
    Fen Requested,
    int TermMonths,
    string Purpose,
    EligibilitySnapshot Eligibility,
    LoanStatus Status,
    Fen? CreditLine,
    string? ApprovedBy,
    string? DeclineReason,
    IReadOnlyList<Disbursement> Disbursements,
    IReadOnlyList<Repayment> Repayments,
    VerifiedLoss? Loss,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime)
{
    public const string Collection = "loanApplications";

    public string Name => $"{Collection}/{Id}";

    public static string NameOf(string id) => $"{Collection}/{id}";

    public Fen Disbursed => Disbursements.Aggregate(Fen.Zero, (s, d) => s + d.Amount);

    public Fen Repaid => Repayments.Aggregate(Fen.Zero, (s, r) => s + r.Amount);

    public Fen Outstanding => Disbursed - Repaid;

    /// <summary>An application still in play blocks a second one for the same product (duplicate submission).</summary>
    public bool IsOpen => Status is LoanStatus.Submitted or LoanStatus.Approved or LoanStatus.Disbursed;

    /// <summary>
    /// Files an application. The enterprise's profile, the product and the institutions are the ones the service
    /// holds; eligibility is checked now and its basis kept.
    /// </summary>
    public static LoanApplication Submit(string id, EnterpriseProfile enterprise, LoanProduct product, Institutions.FinancialInstitution bank,
        Institutions.FinancialInstitution? riskPartner, LoanApplicationDraft d, DateTimeOffset now)
    {
        var v = new Validator();
        v.Require(d.Requested.Value > 0, "requested_fen", $"must be positive (got {d.Requested.Value})");
        v.Require(d.TermMonths > 0, "term_months", $"must be positive (got {d.TermMonths})");
        v.RequireText(d.Purpose, "purpose", 500);
        v.ThrowIfInvalid();
        if (d.Requested > product.MaxCreditLine)
        {
            throw new OutOfRangeException("requested_fen",
                $"{product.NameZh} lends at most {product.MaxCreditLine.ToYuanString()} yuan{(product.LimitsIllustrative ? " (illustrative limit)" : "")}; requested {d.Requested.ToYuanString()}");
        }
        if (d.TermMonths > product.MaxTermMonths)
        {
            throw new OutOfRangeException("term_months", $"{product.NameZh} runs at most {product.MaxTermMonths} months; requested {d.TermMonths}");
        }

        bank.RequireKind(Institutions.InstitutionKind.Bank, "the lender");
        if (!bank.PartnerProducts.Contains(product.Id))
        {
            throw new FailedPreconditionException("NOT_A_PARTNER_BANK", bank.Name, $"'{bank.DisplayName}' is not a partner bank of {product.NameZh}");
        }
        if (product.RiskPartnerKind is { } kind)
        {
            if (riskPartner is null) throw new ValidationException("risk_partner", $"{product.NameZh} needs a {kind} institution to share the risk");
            riskPartner.RequireKind(kind, "the risk partner");
        }
        else if (riskPartner is not null)
        {
            throw new ValidationException("risk_partner", $"{product.NameZh} is a bank credit product without a guarantor or insurer");
        }

        var snapshot = product.CheckEligibility(enterprise, DateOnly.FromDateTime(now.UtcDateTime));
        return new LoanApplication(id, enterprise.Uscc, enterprise.Unit!.Value, product.Id, bank.Id, riskPartner?.Id, product.RiskScheme,
            d.Requested, d.TermMonths, d.Purpose.Trim(), snapshot, LoanStatus.Submitted, null, null, null, [], [], null, now, now);
    }

    /// <summary>The partner bank grants a credit line of at most the requested amount.</summary>
    public (LoanApplication Loan, LoanApprovedEvent Approved) Approve(Fen creditLine, string approvedBy, DateTimeOffset now)
    {
        Require(LoanStatus.Submitted, "approve");
        var v = new Validator();
        v.Require(creditLine.Value > 0, "credit_line_fen", $"must be positive (got {creditLine.Value})");
        v.RequireText(approvedBy, "approved_by");
        v.ThrowIfInvalid();
        if (creditLine > Requested)
        {
            throw new OutOfRangeException("credit_line_fen", $"credit line {creditLine.ToYuanString()} exceeds the requested {Requested.ToYuanString()} yuan");
        }
        var next = this with { Status = LoanStatus.Approved, CreditLine = creditLine, ApprovedBy = approvedBy.Trim(), UpdateTime = now };
        return (next, new LoanApprovedEvent(Name, Uscc, Unit, Product, creditLine));
    }

    public LoanApplication Decline(string reason, DateTimeOffset now)
    {
        Require(LoanStatus.Submitted, "decline");
        new Validator().RequireText(reason, "reason", 500).ThrowIfInvalid();
        return this with { Status = LoanStatus.Declined, DeclineReason = reason.Trim(), UpdateTime = now };
    }

    /// <summary>Draws on the credit line; the total drawn never exceeds it. The same reference twice is one drawing.</summary>
    public LoanApplication Disburse(Fen amount, DateOnly date, string reference, DateTimeOffset now)
    {
        if (Status is not (LoanStatus.Approved or LoanStatus.Disbursed))
        {
            throw new FailedPreconditionException("LOAN_STATE", Name, $"only an approved loan can be disbursed; this one is {Status}");
        }
        var v = new Validator();
        v.Require(amount.Value > 0, "amount_fen", $"must be positive (got {amount.Value})");
        v.RequireText(reference, "reference", 100);
        v.Require(date <= DateOnly.FromDateTime(now.UtcDateTime), "date", "must not be in the future");
        v.ThrowIfInvalid();
        if (Disbursements.Any(d => d.Reference == reference.Trim()))
        {
            throw new AlreadyExistsException("Disbursement", $"{Name}/disbursements/{reference.Trim()}", $"disbursement '{reference.Trim()}' is already recorded");
        }
        if (Disbursed + amount > CreditLine!.Value)
        {
            throw new OutOfRangeException("amount_fen",
                $"{Disbursed.ToYuanString()} of the {CreditLine.Value.ToYuanString()} yuan credit line is drawn; {amount.ToYuanString()} more would exceed it");
        }
        return this with { Status = LoanStatus.Disbursed, Disbursements = Disbursements.Append(new Disbursement(date, amount, reference.Trim())).ToList(), UpdateTime = now };
    }

    public LoanApplication Repay(Fen amount, DateOnly date, DateTimeOffset now)
    {
        Require(LoanStatus.Disbursed, "record a repayment on");
        if (amount.Value <= 0) throw new ValidationException("amount_fen", $"must be positive (got {amount.Value})");
        if (amount > Outstanding)
        {
            throw new OutOfRangeException("amount_fen", $"repayment {amount.ToYuanString()} exceeds the outstanding {Outstanding.ToYuanString()} yuan");
        }
        var repayments = Repayments.Append(new Repayment(date, amount)).ToList();
        var next = this with { Repayments = repayments, UpdateTime = now };
        return next.Outstanding.Value == 0 ? next with { Status = LoanStatus.Repaid } : next;
    }

    /// <summary>
    /// Records the verified principal loss (at most what is outstanding) and returns the fact that triggers the
    /// city's risk compensation to the bank, insurer or guarantor.
    /// </summary>
    public (LoanApplication Loan, LoanLossFact Fact) VerifyLoss(Fen loss, DateOnly date, string verifiedBy, DateTimeOffset now)
    {
        Require(LoanStatus.Disbursed, "verify a loss on");
        var v = new Validator();
        v.Require(loss.Value > 0, "loss_fen", $"must be positive (got {loss.Value})");
        v.RequireText(verifiedBy, "verified_by");
        v.Require(date <= DateOnly.FromDateTime(now.UtcDateTime), "date", "must not be in the future");
        v.ThrowIfInvalid();
        if (loss > Outstanding)
        {
            throw new OutOfRangeException("loss_fen", $"a loss of {loss.ToYuanString()} exceeds the outstanding principal of {Outstanding.ToYuanString()} yuan");
        }
        var beneficiary = RiskScheme == RiskScheme.BankCredit ? Bank : RiskPartner!;
        var next = this with { Status = LoanStatus.LossVerified, Loss = new VerifiedLoss(date, loss, verifiedBy.Trim(), null), UpdateTime = now };
        return (next, new LoanLossFact(Name, Uscc, Unit, RiskScheme, beneficiary, loss, date));
    }

    /// <summary>Links the risk-compensation payout the loss produced.</summary>
    public LoanApplication LinkCompensation(string payout, DateTimeOffset now) =>
        this with { Loss = Loss! with { Compensation = payout }, UpdateTime = now };

    private void Require(LoanStatus expected, string action)
    {
        if (Status != expected) throw new FailedPreconditionException("LOAN_STATE", Name, $"cannot {action} a loan that is {Status}; it must be {expected}");
    }
}
