using Parks.Domain;
using Parks.Events.V1;
using Parks.Finance.Data;
using Parks.Finance.Domain;
using Parks.Finance.Domain.Institutions;
using Parks.Finance.Domain.Policies;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Storage;

namespace Parks.Finance.Storage;

/// <summary>What an automatic policy did with a fact: created (or had already created) a payout, or skipped it and why.</summary>
internal sealed record AutomaticOutcome(string Policy, string? Payout, string? SkippedReason);

/// <summary>
/// Policy payouts on the state store. Every decision commits, in one transaction that expects the versions it
/// read: the payout, its claim (the policy's "once per" key, so nothing is created or paid twice), the cap
/// ledgers and the year's budget, and the events it implies.
/// </summary>
internal sealed class PayoutStore(IStateStore store, PolicyCatalogue catalogue, EnterpriseProfiles enterprises, InstitutionStore institutions,
    IEventOutbox events, TimeProvider time)
{
    public async Task<Versioned<Payout>> GetAsync(Caller caller, string name, CancellationToken ct)
    {
        var payout = await store.ReadRequiredAsync<Payout>(FinanceKeys.Payout(ResourceNames.Id(name, Payout.Collection, "name")), "Payout", name, ct);
        await AuthorizeReadAsync(caller, payout.Value, ct);
        return payout;
    }

    /// <summary>Zone callers list everything, by policy or by enterprise; a district lists one of its enterprises' payouts.</summary>
    public async Task<Page<Versioned<Payout>>> ListAsync(Caller caller, string? policy, string? subject, int pageSize, string? pageToken, CancellationToken ct)
    {
        if (subject is null && !caller.IsZone) throw new PermissionDeniedException($"{caller} lists payouts by enterprise: set subject_uscc to an enterprise located in it");
        if (subject is not null) await enterprises.AuthorizeAsync(caller, subject, "subject_uscc", ct);
        var policyId = policy is null ? null : catalogue.Get(ResourceNames.Id(policy, Policy.Collection, "policy")).Id;
        var index = subject is not null ? FinanceKeys.PayoutsOfSubject(subject) : policyId is not null ? FinanceKeys.PayoutsOfPolicy(policyId) : FinanceKeys.Payouts;
        Func<Payout, bool>? filter = subject is not null && policyId is not null ? p => p.Policy == Policy.NameOf(policyId) : null;
        return await store.ListAsync(index, FinanceKeys.Payout, pageSize, pageToken, $"payouts|{policy}|{subject}", ct, filter);
    }

    /// <summary>
    /// 免申即享 for a tier certification: stages into <paramref name="tx"/> every automatic payout the certification
    /// makes the enterprise eligible for. A claim already taken is reported, not created again.
    /// </summary>
    public async Task<IReadOnlyList<AutomaticOutcome>> StageForCertificationAsync(StateTransaction tx, TierCertifiedFact fact, EnterpriseProfile profile, CancellationToken ct)
    {
        return await StageForCertificationsAsync(tx, [fact], profile, ct);
    }

    /// <summary>
    /// The same for several certifications at once (e.g. when the enterprise's registration date arrives after its
    /// certifications): a policy that pays once per enterprise is staged once even if several certifications qualify.
    /// </summary>
    public async Task<IReadOnlyList<AutomaticOutcome>> StageForCertificationsAsync(StateTransaction tx, IEnumerable<TierCertifiedFact> facts, EnterpriseProfile profile, CancellationToken ct)
    {
        var today = Today();
        var staged = new Dictionary<string, AutomaticOutcome>(StringComparer.Ordinal);
        var outcomes = new List<AutomaticOutcome>();
        foreach (var fact in facts)
        {
            foreach (var candidate in AutomaticPayouts.For(catalogue.Automatic(FactKind.TierCertified), fact, profile, today))
            {
                outcomes.Add(await StageAutomaticAsync(tx, candidate, staged, ct));
            }
        }
        return outcomes;
    }

    /// <summary>Stages the city's risk compensation for a verified loan loss (in the loan's own commit).</summary>
    public async Task<IReadOnlyList<AutomaticOutcome>> StageForLossAsync(StateTransaction tx, Domain.Loans.LoanLossFact fact, CancellationToken ct)
    {
        var outcomes = new List<AutomaticOutcome>();
        foreach (var candidate in AutomaticPayouts.For(catalogue.Automatic(FactKind.LoanLossVerified), fact, Today()))
        {
            outcomes.Add(await StageAutomaticAsync(tx, candidate, new Dictionary<string, AutomaticOutcome>(StringComparer.Ordinal), ct));
        }
        return outcomes;
    }

    private async Task<AutomaticOutcome> StageAutomaticAsync(StateTransaction tx, AutomaticCandidate candidate, Dictionary<string, AutomaticOutcome> staged, CancellationToken ct)
    {
        var claim = PolicyEvaluator.ClaimKey(candidate.Policy, candidate.Case);
        if (staged.TryGetValue(claim, out var earlier)) return earlier;
        var outcome = await DecideAutomaticAsync(tx, candidate, claim, ct);
        staged[claim] = outcome;
        return outcome;
    }

    private async Task<AutomaticOutcome> DecideAutomaticAsync(StateTransaction tx, AutomaticCandidate candidate, string claim, CancellationToken ct)
    {
        var policy = candidate.Policy;
        var claimed = await store.ReadAsync<string>(FinanceKeys.Claim(claim), ct);
        if (claimed is not null) return new AutomaticOutcome(policy.Id, claimed.Value, null);

        var (state, versions) = await ReadStateAsync(policy, candidate.Case, ct);
        PayoutDecision decision;
        try
        {
            decision = PayoutRules.CreateAutomatic(AutomaticPayouts.PayoutId(claim), policy, candidate.Case, candidate.Unit, candidate.Trigger, state, time.GetUtcNow());
        }
        catch (FailedPreconditionException ex)
        {
            // Not eligible (outside the window, cap used up, ...): nothing is created; the reason is the answer.
            return new AutomaticOutcome(policy.Id, null, ex.Message);
        }
        StageNew(tx, decision.Payout, claim);
        StageReservation(tx, decision, versions);
        return new AutomaticOutcome(policy.Id, decision.Payout.Name, null);
    }

    /// <summary>
    /// An application under a policy that needs one. The enterprise it is about must be located in the caller's
    /// unit; the case is checked and previewed now and decided on review.
    /// </summary>
    public async Task<Versioned<Payout>> ApplyAsync(Caller caller, string policyName, Beneficiary beneficiary, string subject, DateOnly factDate,
        IReadOnlyDictionary<string, string> inputs, string evidence, string? requestId, CancellationToken ct)
    {
        RequestIds.Validate(requestId);
        if (await RequestIds.FindAsync(store, FinanceKeys.Service, "CreatePayout", requestId, ct) is { } existing) return await GetAsync(caller, existing, ct);

        var policy = catalogue.Get(ResourceNames.Id(policyName, Policy.Collection, "policy"));
        var profile = (await enterprises.AuthorizeAsync(caller, subject, "subject_uscc", ct)).Value;
        await CheckBeneficiaryAsync(policy, beneficiary, subject, ct);
        foreach (var reserved in new[] { PayoutInputs.Subject, PayoutInputs.Beneficiary, PayoutInputs.FactDate, PayoutInputs.RegistrationDate, PayoutInputs.DecisionDate })
        {
            if (inputs.ContainsKey(reserved)) throw new ValidationException($"inputs.{reserved}", "is set by the service, not by the request");
        }

        var c = new PayoutCase(beneficiary, subject, factDate, profile.RegistrationDate, Today(), profile.TiersOn(factDate), inputs);
        var (state, _) = await ReadStateAsync(policy, c, ct);
        var payout = PayoutRules.Submit(Ids.New('p'), policy, c, profile.Unit, evidence, state, time.GetUtcNow());
        var tx = new StateTransaction();
        StageNew(tx, payout, payout.ClaimKey);
        RequestIds.Remember(tx, FinanceKeys.Service, "CreatePayout", requestId, payout.Name);
        try
        {
            var result = await store.CommitAsync(tx, ct);
            return new Versioned<Payout>(payout, result.Versions[FinanceKeys.Payout(payout.Id)]);
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == FinanceKeys.Claim(payout.ClaimKey))
        {
            var other = await store.ReadAsync<string>(FinanceKeys.Claim(payout.ClaimKey), ct);
            throw new AlreadyExistsException("Payout", other?.Value ?? payout.Name,
                $"policy '{policy.Id}' already has a payout for this case ({other?.Value}); one case is paid once");
        }
    }

    public Task<Versioned<Payout>> StartReviewAsync(Caller caller, string name, string note, string? etag, CancellationToken ct) =>
        DecideAsync(caller, "review payout applications", name, etag, (p, _) => Task.FromResult(new Outcome(p.StartReview(note, time.GetUtcNow()), null, null)), ct);

    /// <summary>Approves an application under review, re-evaluated today; reserves its amount against the caps and the budget.</summary>
    public Task<Versioned<Payout>> ApproveAsync(Caller caller, string name, string? etag, CancellationToken ct) =>
        DecideAsync(caller, "approve payouts", name, etag, async (p, policy) =>
        {
            var (state, versions) = await ReadStateAsync(policy, p.Case with { DecisionDate = Today() }, ct);
            var decision = PayoutRules.Approve(p, policy, state, time.GetUtcNow());
            return new Outcome(decision.Payout, decision, versions);
        }, ct);

    /// <summary>Approves an automatic entitlement that waited for budget, once the budget covers it.</summary>
    public Task<Versioned<Payout>> ReleaseFromBudgetHoldAsync(Caller caller, string name, string? etag, CancellationToken ct) =>
        DecideAsync(caller, "release payouts", name, etag, async (p, policy) =>
        {
            var (state, versions) = await ReadStateAsync(policy, p.Case with { DecisionDate = Today() }, ct);
            var decision = PayoutRules.ReleaseFromBudgetHold(p, policy, state, time.GetUtcNow());
            return new Outcome(decision.Payout, decision, versions);
        }, ct);

    /// <summary>Rejects an application; its claim is released so a corrected application can be filed.</summary>
    public Task<Versioned<Payout>> RejectAsync(Caller caller, string name, string reason, string? etag, CancellationToken ct) =>
        DecideAsync(caller, "reject payout applications", name, etag, (p, _) => Task.FromResult(new Outcome(p.Reject(reason, time.GetUtcNow()), null, null)), ct,
            (tx, p) => tx.Delete(FinanceKeys.Claim(p.ClaimKey), null));

    /// <summary>Pays an approved payout: the budget records it and PayoutMade is published with the commit.</summary>
    public async Task<Versioned<Payout>> PayAsync(Caller caller, string name, string paymentReference, string? etag, CancellationToken ct)
    {
        EnterpriseAccess.RequireZone(caller, "pay payouts");
        var current = await GetAsync(caller, name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var policy = catalogue.GetVersion(current.Value.RuleVersion);
        var year = current.Value.DecisionYear ?? Today().Year;
        var budget = await ReadBudgetAsync(policy, year, ct);
        var (paid, nextBudget) = PayoutRules.Pay(current.Value, budget.Value, paymentReference, time.GetUtcNow());
        var key = FinanceKeys.Payout(paid.Id);
        var tx = new StateTransaction()
            .PutJson(key, paid, expected)
            .PutJson(FinanceKeys.Budget(policy.Id, year), nextBudget, budget.Version);
        FinanceStatistics.Restage(tx, FinanceStatistics.EntriesOf(current.Value), FinanceStatistics.EntriesOf(paid));
        events.Add(tx, new PayoutMade
        {
            Payout = paid.Name,
            Uscc = paid.Subject ?? "",
            Unit = paid.SubjectUnit?.ResourceName ?? "",
            Policy = paid.Policy,
            AmountFen = paid.Amount.Value,
            Automatic = paid.Mode == PayoutMode.Automatic,
        }, paid.Name);
        var result = await store.CommitAsync(tx, ct);
        return new Versioned<Payout>(paid, result.Versions[key]);
    }

    /// <summary>Recomputes a payout from its stored inputs and rule version.</summary>
    public async Task<(Computation Recomputed, bool Matches)> VerifyAsync(Caller caller, string name, CancellationToken ct)
    {
        var payout = (await GetAsync(caller, name, ct)).Value;
        if (payout.Computation is null) throw new FailedPreconditionException("NO_COMPUTATION", payout.Name, "the payout has no computation yet");
        var recomputed = PolicyEvaluator.Recompute(catalogue.GetVersion(payout.Computation.RuleVersion), payout.Computation.Inputs);
        var matches = recomputed.Amount == payout.Computation.Amount && recomputed.Uncapped == payout.Computation.Uncapped &&
                      recomputed.Steps.SequenceEqual(payout.Computation.Steps);
        return (recomputed, matches);
    }

    public async Task<Versioned<PolicyBudget>> GetBudgetAsync(string name, CancellationToken ct)
    {
        var (policy, year) = ParseBudgetName(name);
        return await ReadBudgetAsync(policy, year, ct);
    }

    /// <summary>Sets a policy's allocation for a year (operators only); never below what is committed.</summary>
    public async Task<Versioned<PolicyBudget>> SetBudgetAsync(Caller caller, string name, Fen allocated, string? etag, CancellationToken ct)
    {
        EnterpriseAccess.RequireZone(caller, "set policy budgets");
        var (policy, year) = ParseBudgetName(name);
        var current = await ReadBudgetAsync(policy, year, ct);
        if (!string.IsNullOrEmpty(etag) && current.Version > 0) StateDocuments.ExpectedVersion(etag, current.Version, name);
        var next = current.Value.Reallocate(allocated);
        var key = FinanceKeys.Budget(policy.Id, year);
        var result = await store.CommitAsync(new StateTransaction().PutJson(key, next, current.Version), ct);
        return new Versioned<PolicyBudget>(next, result.Versions[key]);
    }

    private (Policy Policy, int Year) ParseBudgetName(string name)
    {
        // policies/{policy}/budgets/{year}
        var parts = name?.Split('/') ?? [];
        if (parts.Length != 4 || parts[0] != Policy.Collection || parts[2] != "budgets" ||
            !int.TryParse(parts[3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var year) || year is < 2000 or > 2100)
        {
            throw new ValidationException("name", $"'{name}' is not a budget name of the form policies/{{policy}}/budgets/{{year}}");
        }
        return (catalogue.Get(parts[1]), year);
    }

    private async Task<Versioned<PolicyBudget>> ReadBudgetAsync(Policy policy, int year, CancellationToken ct) =>
        await store.ReadAsync<PolicyBudget>(FinanceKeys.Budget(policy.Id, year), ct)
        ?? new Versioned<PolicyBudget>(InitialBudget(policy, year), 0);

    private static PolicyBudget InitialBudget(Policy policy, int year) =>
        new(policy.Name, year, policy.AnnualBudget ?? Fen.Zero, Fen.Zero, Fen.Zero, policy.BudgetIllustrative);

    /// <summary>The ledgers and budget a decision on <paramref name="c"/> reads, with their versions (0: not written yet).</summary>
    private async Task<(PayoutState State, StateVersions Versions)> ReadStateAsync(Policy policy, PayoutCase c, CancellationToken ct)
    {
        var ledgerIds = PolicyEvaluator.LedgersFor(policy, c.Beneficiary, c.Subject, c.DecisionDate).Select(l => l.LedgerId).ToList();
        var keys = ledgerIds.Select(FinanceKeys.Ledger).Append(FinanceKeys.Budget(policy.Id, c.DecisionDate.Year)).ToList();
        var entries = await store.GetManyAsync(keys, ct);
        var ledgers = ledgerIds.Select((id, i) => entries[i] is { } e ? StateJson.Deserialize<PolicyLedger>(e.Value) : PolicyLedger.Empty(id)).ToList();
        var budgetEntry = entries[^1];
        var budget = budgetEntry is null ? InitialBudget(policy, c.DecisionDate.Year) : StateJson.Deserialize<PolicyBudget>(budgetEntry.Value);
        return (new PayoutState(ledgers, budget), new StateVersions(entries.Take(ledgerIds.Count).Select(e => e?.Version ?? 0).ToList(), budgetEntry?.Version ?? 0));
    }

    private sealed record StateVersions(IReadOnlyList<long> Ledgers, long Budget);

    /// <summary>A decision's new payout and, when it reserves money, the reservation and the versions it was read at.</summary>
    private sealed record Outcome(Payout Payout, PayoutDecision? Reservation, StateVersions? Versions);

    private static void StageNew(StateTransaction tx, Payout payout, string claim)
    {
        tx.PutJson(FinanceKeys.Payout(payout.Id), payout, 0)
            .PutJson(FinanceKeys.Claim(claim), payout.Name, 0)
            .AddToIndex(FinanceKeys.Payouts, payout.Id)
            .AddToIndex(FinanceKeys.PayoutsOfPolicy(payout.Policy[(Policy.Collection.Length + 1)..]), payout.Id);
        if (payout.Subject is { } subject) tx.AddToIndex(FinanceKeys.PayoutsOfSubject(subject), payout.Id);
        FinanceStatistics.Restage(tx, [], FinanceStatistics.EntriesOf(payout));
    }

    private static void StageReservation(StateTransaction tx, PayoutDecision decision, StateVersions versions)
    {
        if (!decision.BudgetChanged) return;
        for (var i = 0; i < decision.Ledgers.Count; i++) tx.PutJson(FinanceKeys.Ledger(decision.Ledgers[i].Id), decision.Ledgers[i], versions.Ledgers[i]);
        tx.PutJson(FinanceKeys.Budget(PolicyIdOf(decision.Budget.Policy), decision.Budget.Year), decision.Budget, versions.Budget);
    }

    private static string PolicyIdOf(string policyName) => policyName[(Policy.Collection.Length + 1)..];

    private async Task<Versioned<Payout>> DecideAsync(Caller caller, string what, string name, string? etag,
        Func<Payout, Policy, Task<Outcome>> decide, CancellationToken ct, Action<StateTransaction, Payout>? also = null)
    {
        EnterpriseAccess.RequireZone(caller, what);
        var current = await GetAsync(caller, name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var outcome = await decide(current.Value, catalogue.GetVersion(current.Value.RuleVersion));
        var key = FinanceKeys.Payout(outcome.Payout.Id);
        var tx = new StateTransaction().PutJson(key, outcome.Payout, expected);
        FinanceStatistics.Restage(tx, FinanceStatistics.EntriesOf(current.Value), FinanceStatistics.EntriesOf(outcome.Payout));
        if (outcome is { Reservation: { } reservation, Versions: { } versions }) StageReservation(tx, reservation, versions);
        also?.Invoke(tx, outcome.Payout);
        var result = await store.CommitAsync(tx, ct);
        return new Versioned<Payout>(outcome.Payout, result.Versions[key]);
    }

    private async Task AuthorizeReadAsync(Caller caller, Payout payout, CancellationToken ct)
    {
        if (caller.IsZone) return;
        if (payout.Subject is null) throw new PermissionDeniedException($"{caller} may read only payouts about enterprises located in it");
        await enterprises.AuthorizeAsync(caller, payout.Subject, "subject_uscc", ct);
    }

    private async Task CheckBeneficiaryAsync(Policy policy, Beneficiary beneficiary, string subject, CancellationToken ct)
    {
        if (beneficiary.Kind != policy.Beneficiary)
        {
            throw new ValidationException("beneficiary.kind", $"policy '{policy.Id}' pays a {policy.Beneficiary}, not a {beneficiary.Kind}");
        }
        switch (beneficiary.Kind)
        {
            case BeneficiaryKind.Enterprise when beneficiary.Id != subject:
                throw new ValidationException("beneficiary.id", "an enterprise applies for itself: the beneficiary is the subject enterprise");
            case BeneficiaryKind.Enterprise:
                return;
            case BeneficiaryKind.Incubator:
                UnifiedSocialCreditCode.Parse(beneficiary.Id, "beneficiary.id");
                return;
            default:
                var kind = beneficiary.Kind switch
                {
                    BeneficiaryKind.FundManager => InstitutionKind.Investment,
                    BeneficiaryKind.Bank => InstitutionKind.Bank,
                    BeneficiaryKind.Insurer => InstitutionKind.Insurance,
                    _ => InstitutionKind.FinancingGuarantee,
                };
                (await institutions.GetAsync(FinancialInstitution.NameOf(beneficiary.Id), ct)).Value.RequireKind(kind, "the beneficiary");
                return;
        }
    }

    private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
}
