using System.Globalization;
using Parks.Hosting.State;

namespace Parks.Finance.Storage;

/// <summary>State keys of the finance service: <c>parks:finance:zone:{aggregate}:{id}</c>.</summary>
internal static class FinanceKeys
{
    public const string Service = "finance";
    private const string Scope = "zone";

    public static string Enterprise(string uscc) => StateKeys.For(Service, Scope, "enterprise", uscc);
    public static string Institution(string id) => StateKeys.For(Service, Scope, "institution", id);
    public static string Fund(string id) => StateKeys.For(Service, Scope, "fund", id);
    public static string Loan(string id) => StateKeys.For(Service, Scope, "loan", id);
    public static string OpenLoan(string uscc, string product) => StateKeys.For(Service, Scope, "loan-open", $"{uscc}:{product}");
    public static string Payout(string id) => StateKeys.For(Service, Scope, "payout", id);
    public static string Claim(string claimKey) => StateKeys.For(Service, Scope, "payout-claim", claimKey);
    public static string Ledger(string ledgerId) => StateKeys.For(Service, Scope, "ledger", ledgerId);
    public static string Budget(string policyId, int year) => StateKeys.For(Service, Scope, "budget", $"{policyId}:{year.ToString("D4", CultureInfo.InvariantCulture)}");

    public static string Index(string name) => StateKeys.Index(Service, Scope, name);

    public static readonly string Institutions = Index("institutions");
    public static string InstitutionsOfKind(Domain.Institutions.InstitutionKind kind) => Index($"institutions-kind:{kind}");
    public static readonly string Funds = Index("funds");
    public static string SubFundsOf(string motherId) => Index($"funds-parent:{motherId}");
    public static readonly string Loans = Index("loans");
    public static string LoansOf(string uscc) => Index($"loans-uscc:{uscc}");
    public static readonly string Payouts = Index("payouts");
    public static string PayoutsOfPolicy(string policyId) => Index($"payouts-policy:{policyId}");
    public static string PayoutsOfSubject(string uscc) => Index($"payouts-subject:{uscc}");
    /// <summary>Loans granted a credit line, per product: members <c>{id}|{credit line fen}</c> (<see cref="FinanceStatistics"/>).</summary>
    public static string LoansGranted(string productId) => Index($"loans-granted:{productId}");
    /// <summary>Paid payouts: members <c>{id}|{amount fen}</c>.</summary>
    public static readonly string PayoutsPaid = Index("payouts-paid");
    /// <summary>Payouts neither paid nor rejected: members <c>{id}</c>.</summary>
    public static readonly string PayoutsPending = Index("payouts-pending");
}

/// <summary>Ids for resources created without a client-chosen id: a letter and a time-ordered GUID.</summary>
internal static class Ids
{
    public static string New(char prefix) => prefix + Guid.CreateVersion7().ToString("N");
}
