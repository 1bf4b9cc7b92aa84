using Parks.Domain;

namespace Parks.Finance.Domain.Policies;

/// <summary>
/// The state one payout decision reads and writes: the policy's ledgers for the case (in the order of
/// <see cref="PolicyEvaluator.LedgersFor"/>) and the policy's budget for the decision year. Storage loads them
/// with their versions and commits the returned ones in one transaction with the payout.
/// </summary>
internal sealed record PayoutState(IReadOnlyList<PolicyLedger> Ledgers, PolicyBudget Budget);

/// <summary>The outcome of a decision: the payout and what must be committed with it.</summary>
internal sealed record PayoutDecision(Payout Payout, IReadOnlyList<PolicyLedger> Ledgers, PolicyBudget Budget, bool BudgetChanged);

/// <summary>
/// The payout workflow over the evaluator: creating automatic entitlements, submitting and deciding
/// applications, paying. Pure functions of their inputs; storage makes each decision atomic.
/// </summary>
internal static class PayoutRules
{
    /// <summary>
    /// 免申即享: the entitlement a fact creates. Reserves the amount against the caps and the year's budget; when
    /// the budget cannot cover it the entitlement is recorded as AwaitingBudget and reserves nothing.
    /// </summary>
    public static PayoutDecision CreateAutomatic(string payoutId, Policy policy, PayoutCase c, UnitRef? unit, string trigger, PayoutState state, DateTimeOffset now)
    {
        if (policy.Mode != PayoutMode.Automatic) throw new InvalidOperationException($"policy '{policy.Id}' needs an application");
        var computation = PolicyEvaluator.Evaluate(policy, c, Entries(policy, c, state));
        var claim = PolicyEvaluator.ClaimKey(policy, c);
        if (!state.Budget.CanCommit(computation.Amount))
        {
            return new PayoutDecision(Payout.Automatic(payoutId, policy, c, unit, claim, computation, budgetAvailable: false, trigger, now), state.Ledgers, state.Budget, false);
        }
        var payout = Payout.Automatic(payoutId, policy, c, unit, claim, computation, budgetAvailable: true, trigger, now);
        return Reserve(payout, computation.Amount, state);
    }

    /// <summary>Checks an application and records it with a preview of the amount as things stand.</summary>
    public static Payout Submit(string payoutId, Policy policy, PayoutCase c, UnitRef? unit, string evidence, PayoutState state, DateTimeOffset now)
    {
        if (policy.Mode != PayoutMode.Application)
        {
            throw new FailedPreconditionException("AUTOMATIC_POLICY", policy.Name,
                $"policy '{policy.Id}' is 免申即享: it pays automatically when the zone learns of the qualifying fact, without an application");
        }
        var preview = PolicyEvaluator.Evaluate(policy, c, Entries(policy, c, state));
        return Payout.Apply(payoutId, policy, c, unit, PolicyEvaluator.ClaimKey(policy, c), preview, evidence, now);
    }

    /// <summary>Approves an application under review: re-evaluates on the decision date and reserves caps and budget.</summary>
    public static PayoutDecision Approve(Payout payout, Policy policy, PayoutState state, DateTimeOffset now)
    {
        var c = payout.Case with { DecisionDate = DateOnly.FromDateTime(now.UtcDateTime) };
        var computation = PolicyEvaluator.Evaluate(policy, c, Entries(policy, c, state));
        var approved = payout.Approve(computation, now) with { Case = c };
        state.Budget.Commit(computation.Amount); // throws BUDGET_EXHAUSTED before anything changes
        return Reserve(approved, computation.Amount, state);
    }

    /// <summary>Releases an entitlement that waited for budget, re-evaluated now.</summary>
    public static PayoutDecision ReleaseFromBudgetHold(Payout payout, Policy policy, PayoutState state, DateTimeOffset now)
    {
        var c = payout.Case with { DecisionDate = DateOnly.FromDateTime(now.UtcDateTime) };
        var computation = PolicyEvaluator.Evaluate(policy, c, Entries(policy, c, state));
        var released = payout.ReleaseFromBudgetHold(computation, now) with { Case = c };
        state.Budget.Commit(computation.Amount);
        return Reserve(released, computation.Amount, state);
    }

    /// <summary>Marks an approved payout paid; the budget records it. Paying twice is refused.</summary>
    public static (Payout Payout, PolicyBudget Budget) Pay(Payout payout, PolicyBudget budget, string paymentReference, DateTimeOffset now)
    {
        var paid = payout.Pay(paymentReference, now);
        return (paid, budget.RecordPaid(paid.Amount));
    }

    /// <summary>The year whose budget a decision made at <paramref name="now"/> draws on.</summary>
    public static int BudgetYear(DateTimeOffset now) => now.UtcDateTime.Year;

    private static PayoutDecision Reserve(Payout payout, Fen amount, PayoutState state) =>
        new(payout, state.Ledgers.Select(l => l.Add(amount)).ToList(), state.Budget.Commit(amount), true);

    private static List<LedgerEntry> Entries(Policy policy, PayoutCase c, PayoutState state)
    {
        var ids = PolicyEvaluator.LedgersFor(policy, c.Beneficiary, c.Subject, c.DecisionDate);
        if (ids.Count != state.Ledgers.Count) throw new InvalidOperationException($"policy '{policy.Id}' has {ids.Count} ledgers but {state.Ledgers.Count} were loaded");
        return ids.Select((x, i) => state.Ledgers[i].Id == x.LedgerId
            ? new LedgerEntry(x.Cap, x.LedgerId, state.Ledgers[i].Total)
            : throw new InvalidOperationException($"ledger {i} is '{state.Ledgers[i].Id}', expected '{x.LedgerId}'")).ToList();
    }
}
