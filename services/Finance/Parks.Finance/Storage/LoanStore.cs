using Parks.Domain;
using Parks.Events.V1;
using Parks.Finance.Data;
using Parks.Finance.Domain;
using Parks.Finance.Domain.Institutions;
using Parks.Finance.Domain.Loans;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Storage;

namespace Parks.Finance.Storage;

/// <summary>
/// Loan applications on the state store. A district files for its own enterprises; the bank's decisions and the
/// loss verification are recorded by the zone's finance bureau. A verified loss commits the risk-compensation
/// payout with it.
/// </summary>
internal sealed class LoanStore(IStateStore store, FinanceSeed seed, EnterpriseProfiles enterprises, InstitutionStore institutions, PayoutStore payouts,
    IEventOutbox events, TimeProvider time)
{
    public async Task<Versioned<LoanApplication>> GetAsync(Caller caller, string name, CancellationToken ct)
    {
        var loan = await store.ReadRequiredAsync<LoanApplication>(FinanceKeys.Loan(ResourceNames.Id(name, LoanApplication.Collection, "name")), "LoanApplication", name, ct);
        if (!caller.IsZone) await enterprises.AuthorizeAsync(caller, loan.Value.Uscc, "uscc", ct);
        return loan;
    }

    public async Task<Page<Versioned<LoanApplication>>> ListAsync(Caller caller, string? uscc, int pageSize, string? pageToken, CancellationToken ct)
    {
        if (uscc is null && !caller.IsZone) throw new PermissionDeniedException($"{caller} lists loan applications by enterprise: set uscc to an enterprise located in it");
        if (uscc is not null) await enterprises.AuthorizeAsync(caller, uscc, "uscc", ct);
        return await store.ListAsync<LoanApplication>(uscc is null ? FinanceKeys.Loans : FinanceKeys.LoansOf(uscc), FinanceKeys.Loan, pageSize, pageToken, $"loans|{uscc}", ct);
    }

    public async Task<Versioned<LoanApplication>> SubmitAsync(Caller caller, string? id, string uscc, LoanApplicationDraft draft, string? requestId, CancellationToken ct)
    {
        RequestIds.Validate(requestId);
        if (await RequestIds.FindAsync(store, FinanceKeys.Service, "CreateLoanApplication", requestId, ct) is { } existing) return await GetAsync(caller, existing, ct);

        var profile = await enterprises.AuthorizeAsync(caller, uscc, "loan_application.uscc", ct);
        var product = seed.GetProduct(ResourceNames.Id(draft.Product, LoanProduct.Collection, "loan_application.product"));
        var bank = await institutions.GetAsync(draft.Bank, ct);
        var partner = draft.RiskPartner is { } p ? await institutions.GetAsync(p, ct) : null;
        var loan = LoanApplication.Submit(string.IsNullOrEmpty(id) ? Ids.New('l') : id, profile.Value, product, bank.Value, partner?.Value,
            draft with { Product = product.Id }, time.GetUtcNow());

        var key = FinanceKeys.Loan(loan.Id);
        var openKey = FinanceKeys.OpenLoan(uscc, product.Id);
        var tx = new StateTransaction()
            .PutJson(key, loan, 0)
            .PutJson(openKey, loan.Name, 0)
            // The decision rested on this profile: it must still be the same when the application lands.
            .Require(FinanceKeys.Enterprise(uscc), profile.Version)
            .AddToIndex(FinanceKeys.Loans, loan.Id)
            .AddToIndex(FinanceKeys.LoansOf(uscc), loan.Id);
        FinanceStatistics.Restage(tx, [], FinanceStatistics.EntriesOf(loan));
        RequestIds.Remember(tx, FinanceKeys.Service, "CreateLoanApplication", requestId, loan.Name);
        try
        {
            var result = await store.CommitAsync(tx, ct);
            return new Versioned<LoanApplication>(loan, result.Versions[key]);
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == openKey)
        {
            var open = await store.ReadAsync<string>(openKey, ct);
            throw new AlreadyExistsException("LoanApplication", open?.Value ?? loan.Name,
                $"enterprise {uscc} already has an open {product.NameZh} application ({open?.Value})");
        }
        catch (ConcurrencyException ex) when (ex.ResourceName == key)
        {
            throw new AlreadyExistsException("LoanApplication", loan.Name, $"loan application '{loan.Id}' already exists");
        }
    }

    /// <summary>The partner bank's approval: the credit line (授信); publishes LoanApproved with the commit.</summary>
    public Task<Versioned<LoanApplication>> ApproveAsync(Caller caller, string name, Fen creditLine, string approvedBy, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, "record loan approvals", name, etag, (loan, tx) =>
        {
            var (approved, evt) = loan.Approve(creditLine, approvedBy, time.GetUtcNow());
            events.Add(tx, new LoanApproved { Loan = evt.Loan, Uscc = evt.Uscc, Unit = evt.Unit.ResourceName, Product = LoanProduct.NameOf(evt.Product), AmountFen = evt.Amount.Value }, approved.Name);
            return Task.FromResult(approved);
        }, ct);

    public Task<Versioned<LoanApplication>> DeclineAsync(Caller caller, string name, string reason, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, "record loan decisions", name, etag, (loan, _) => Task.FromResult(loan.Decline(reason, time.GetUtcNow())), ct);

    public Task<Versioned<LoanApplication>> DisburseAsync(Caller caller, string name, Fen amount, DateOnly date, string reference, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, "record disbursements", name, etag, (loan, _) => Task.FromResult(loan.Disburse(amount, date, reference, time.GetUtcNow())), ct);

    public Task<Versioned<LoanApplication>> RepayAsync(Caller caller, string name, Fen amount, DateOnly date, string? etag, CancellationToken ct) =>
        ChangeAsync(caller, "record repayments", name, etag, (loan, _) => Task.FromResult(loan.Repay(amount, date, time.GetUtcNow())), ct);

    /// <summary>Records the verified loss and, in the same commit, the risk compensation it entitles the bank, insurer or guarantor to.</summary>
    public async Task<(Versioned<LoanApplication> Loan, AutomaticOutcome? Compensation)> VerifyLossAsync(Caller caller, string name, Fen loss, DateOnly date,
        string verifiedBy, string? etag, CancellationToken ct)
    {
        AutomaticOutcome? outcome = null;
        var loan = await ChangeAsync(caller, "verify loan losses", name, etag, async (current, tx) =>
        {
            var (lost, fact) = current.VerifyLoss(loss, date, verifiedBy, time.GetUtcNow());
            outcome = (await payouts.StageForLossAsync(tx, fact, ct)).FirstOrDefault();
            return outcome?.Payout is { } payout ? lost.LinkCompensation(payout, time.GetUtcNow()) : lost;
        }, ct);
        return (loan, outcome);
    }

    private async Task<Versioned<LoanApplication>> ChangeAsync(Caller caller, string what, string name, string? etag,
        Func<LoanApplication, StateTransaction, Task<LoanApplication>> change, CancellationToken ct)
    {
        EnterpriseAccess.RequireZone(caller, what);
        var current = await GetAsync(caller, name, ct);
        var expected = StateDocuments.ExpectedVersion(etag, current.Version, name);
        var tx = new StateTransaction();
        var next = await change(current.Value, tx);
        var key = FinanceKeys.Loan(next.Id);
        tx.PutJson(key, next, expected);
        FinanceStatistics.Restage(tx, FinanceStatistics.EntriesOf(current.Value), FinanceStatistics.EntriesOf(next));
        if (current.Value.IsOpen && !next.IsOpen)
        {
            // Closed: the enterprise may apply for the product again.
            tx.Delete(FinanceKeys.OpenLoan(next.Uscc, next.Product), null);
        }
        var result = await store.CommitAsync(tx, ct);
        return new Versioned<LoanApplication>(next, result.Versions[key]);
    }
}
