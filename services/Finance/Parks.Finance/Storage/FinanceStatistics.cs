using System.Globalization;
using Parks.Finance.Data;
using Parks.Finance.Domain.Loans;
using Parks.Finance.Domain.Policies;
using Parks.Hosting.State;

namespace Parks.Finance.Storage;

/// <summary>
/// The zone-wide finance figures the city dashboard shows, kept as indexes written in the same commit as the loan or
/// payout they describe: granted loans per product and paid payouts carry their amount in the member
/// (<c>{id}|{fen}</c>), so counts are index counts and sums read member strings only, never the records.
/// </summary>
internal sealed class FinanceStatistics(IStateStore store, FinanceSeed seed)
{
    private const int ScanPage = 1000;

    /// <summary>Index entries of a loan: granted (a credit line) in any later state.</summary>
    public static IEnumerable<(string Index, string Member)> EntriesOf(LoanApplication loan)
    {
        if (loan.CreditLine is { } line && loan.Status is LoanStatus.Approved or LoanStatus.Disbursed or LoanStatus.Repaid or LoanStatus.LossVerified)
            yield return (FinanceKeys.LoansGranted(loan.Product), Member(loan.Id, line.Value));
    }

    /// <summary>Index entries of a payout: paid (with its amount) or pending (not yet paid, not rejected).</summary>
    public static IEnumerable<(string Index, string Member)> EntriesOf(Payout payout)
    {
        if (payout.Status == PayoutStatus.Paid) yield return (FinanceKeys.PayoutsPaid, Member(payout.Id, payout.Amount.Value));
        else if (payout.Status is PayoutStatus.Submitted or PayoutStatus.UnderReview or PayoutStatus.Approved or PayoutStatus.AwaitingBudget)
            yield return (FinanceKeys.PayoutsPending, payout.Id);
    }

    /// <summary>Moves a record's entries from what they were to what they are now, in <paramref name="tx"/>.</summary>
    public static void Restage(StateTransaction tx, IEnumerable<(string Index, string Member)> before, IEnumerable<(string Index, string Member)> after)
    {
        var old = before.ToHashSet();
        var now = after.ToHashSet();
        foreach (var (index, member) in old.Except(now)) tx.RemoveFromIndex(index, member);
        foreach (var (index, member) in now.Except(old)) tx.AddToIndex(index, member);
    }

    public async Task<IReadOnlyList<(LoanProduct Product, long Count, long CreditLineFen)>> LoansAsync(CancellationToken ct)
    {
        var sums = await Task.WhenAll(seed.LoanProducts.Select(p => SumAsync(FinanceKeys.LoansGranted(p.Id), ct)));
        return [.. seed.LoanProducts.Select((p, i) => (p, sums[i].Count, sums[i].Fen))];
    }

    public async Task<(long PaidCount, long PaidFen, long PendingCount)> PayoutsAsync(CancellationToken ct)
    {
        var pending = store.CountIndexAsync(FinanceKeys.PayoutsPending, ct);
        var (count, fen) = await SumAsync(FinanceKeys.PayoutsPaid, ct);
        return (count, fen, await pending);
    }

    private static string Member(string id, long fen) => $"{id}|{fen.ToString(CultureInfo.InvariantCulture)}";

    private async Task<(long Count, long Fen)> SumAsync(string index, CancellationToken ct)
    {
        long count = 0, fen = 0;
        string? after = null;
        while (true)
        {
            var members = await store.ScanIndexAsync(index, after, ScanPage, ct);
            foreach (var member in members)
            {
                count++;
                fen += long.Parse(member.AsSpan(member.LastIndexOf('|') + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            }
            if (members.Count < ScanPage) return (count, fen);
            after = members[^1];
        }
    }
}
