using Parks.Domain;

namespace Parks.Finance.Domain.Policies;

internal enum PayoutStatus
{
    /// <summary>An application waiting for review.</summary>
    Submitted = 1,
    UnderReview = 2,
    /// <summary>Amount fixed and reserved against the caps and the year's budget; waiting to be paid.</summary>
    Approved = 3,
    Paid = 4,
    Rejected = 5,
    /// <summary>An automatic entitlement recorded while the policy's budget for the year cannot cover it.</summary>
    AwaitingBudget = 6,
}

/// <summary>
/// A policy payout (政策兑现). Automatic ones (免申即享) start Approved (or AwaitingBudget); applications go
/// Submitted → UnderReview → Approved → Paid, or Rejected. The computation travels with the payout.
/// </summary>
internal sealed record Payout(
    string Id,
    string Policy,
    string RuleVersion,
    PayoutMode Mode,
    Beneficiary Beneficiary,
    string? Subject,
    UnitRef? SubjectUnit,
    string ClaimKey,
    PayoutStatus Status,
    Computation? Computation,
    Fen? RequestedAmount,
    PayoutCase Case,
    string? Trigger,
    string? Evidence,
    string? ReviewNote,
    string? RejectionReason,
    string? PaymentReference,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime,
    DateTimeOffset? DecisionTime,
    DateTimeOffset? PaidTime)
{
    public const string Collection = "payouts";

    public string Name => $"{Collection}/{Id}";

    public static string NameOf(string id) => $"{Collection}/{id}";

    /// <summary>The amount granted; zero until approved (an entitlement awaiting budget is not granted yet).</summary>
    public Fen Amount => Status is PayoutStatus.Approved or PayoutStatus.Paid ? Computation!.Amount : Fen.Zero;

    /// <summary>The decision year (per-year caps and the budget year).</summary>
    public int? DecisionYear => DecisionTime?.UtcDateTime.Year;

    public static Payout Automatic(string id, Policy policy, PayoutCase c, UnitRef? unit, string claimKey, Computation computation,
        bool budgetAvailable, string trigger, DateTimeOffset now) =>
        new(id, policy.Name, computation.RuleVersion, PayoutMode.Automatic, c.Beneficiary, c.Subject, unit, claimKey,
            budgetAvailable ? PayoutStatus.Approved : PayoutStatus.AwaitingBudget, computation, null, c, trigger,
            null, null, null, null, now, now, now, null);

    /// <summary>An application: checked and previewed now, decided on review.</summary>
    public static Payout Apply(string id, Policy policy, PayoutCase c, UnitRef? unit, string claimKey, Computation preview, string evidence, DateTimeOffset now)
    {
        new Validator().RequireText(evidence, "evidence", 2000).ThrowIfInvalid();
        return new(id, policy.Name, preview.RuleVersion, PayoutMode.Application, c.Beneficiary, c.Subject, unit, claimKey,
            PayoutStatus.Submitted, preview, c.Inputs.TryGetValue(PayoutInputs.RequestedFen, out var r) ? new Fen(long.Parse(r, System.Globalization.CultureInfo.InvariantCulture)) : null,
            c, null, evidence.Trim(), null, null, null, now, now, null, null);
    }

    public Payout StartReview(string note, DateTimeOffset now)
    {
        Require(PayoutStatus.Submitted, "start a review of");
        return this with { Status = PayoutStatus.UnderReview, ReviewNote = string.IsNullOrWhiteSpace(note) ? null : note.Trim(), UpdateTime = now };
    }

    /// <summary>Approves with the computation made at decision time (caps and budget as they are now).</summary>
    public Payout Approve(Computation computation, DateTimeOffset now)
    {
        Require(PayoutStatus.UnderReview, "approve");
        return this with { Status = PayoutStatus.Approved, Computation = computation, RuleVersion = computation.RuleVersion, DecisionTime = now, UpdateTime = now };
    }

    public Payout Reject(string reason, DateTimeOffset now)
    {
        new Validator().RequireText(reason, "reason", 1000).ThrowIfInvalid();
        if (Status is not (PayoutStatus.Submitted or PayoutStatus.UnderReview))
        {
            throw new FailedPreconditionException("PAYOUT_STATE", Name, $"only an application awaiting a decision can be rejected; this payout is {Status}");
        }
        return this with { Status = PayoutStatus.Rejected, RejectionReason = reason.Trim(), DecisionTime = now, UpdateTime = now };
    }

    /// <summary>Releases an automatic entitlement that waited for budget, with the computation made now.</summary>
    public Payout ReleaseFromBudgetHold(Computation computation, DateTimeOffset now)
    {
        Require(PayoutStatus.AwaitingBudget, "release from the budget hold");
        return this with { Status = PayoutStatus.Approved, Computation = computation, RuleVersion = computation.RuleVersion, DecisionTime = now, UpdateTime = now };
    }

    public Payout Pay(string paymentReference, DateTimeOffset now)
    {
        new Validator().RequireText(paymentReference, "payment_reference", 100).ThrowIfInvalid();
        if (Status == PayoutStatus.Paid)
        {
            throw new FailedPreconditionException("ALREADY_PAID", Name, $"payout was already paid (reference {PaymentReference}); nothing is paid twice");
        }
        Require(PayoutStatus.Approved, "pay");
        return this with { Status = PayoutStatus.Paid, PaymentReference = paymentReference.Trim(), PaidTime = now, UpdateTime = now };
    }

    private void Require(PayoutStatus expected, string action)
    {
        if (Status != expected)
        {
            throw new FailedPreconditionException("PAYOUT_STATE", Name, $"cannot {action} a payout that is {Status}; it must be {expected}");
        }
    }
}

/// <summary>The total granted under one cap ledger (per beneficiary or enterprise, cumulative or per year).</summary>
internal sealed record PolicyLedger(string Id, Fen Total, int Payouts)
{
    public static PolicyLedger Empty(string id) => new(id, Fen.Zero, 0);

    public PolicyLedger Add(Fen amount) => this with { Total = Total + amount, Payouts = Payouts + 1 };
}

/// <summary>
/// A policy's budget for one year: what is allocated, what approvals have committed and what has been paid.
/// Approvals commit; nothing is committed beyond the allocation.
/// </summary>
internal sealed record PolicyBudget(string Policy, int Year, Fen Allocated, Fen Committed, Fen Paid, bool Illustrative)
{
    public Fen Remaining => Allocated - Committed;

    public string Name => $"{Policy}/budgets/{Year}";

    public bool CanCommit(Fen amount) => amount <= Remaining;

    public PolicyBudget Commit(Fen amount)
    {
        if (!CanCommit(amount))
        {
            throw new FailedPreconditionException("BUDGET_EXHAUSTED", Name,
                $"the {Year} budget of {Policy} has {PolicyEvaluator.Wan(Remaining)} left of {PolicyEvaluator.Wan(Allocated)}; {PolicyEvaluator.Wan(amount)} cannot be committed");
        }
        return this with { Committed = Committed + amount };
    }

    public PolicyBudget RecordPaid(Fen amount) => this with { Paid = Paid + amount };

    public PolicyBudget Reallocate(Fen allocated)
    {
        if (allocated.Value < 0) throw new ValidationException("allocated_fen", "must not be negative");
        if (allocated < Committed)
        {
            throw new FailedPreconditionException("BUDGET_BELOW_COMMITTED", Name,
                $"{PolicyEvaluator.Wan(Committed)} is already committed; the allocation cannot drop to {PolicyEvaluator.Wan(allocated)}");
        }
        return this with { Allocated = allocated, Illustrative = false };
    }
}
