using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Parks.Domain;
using Parks.Finance.Domain.Loans;

namespace Parks.Finance.Domain.Policies;

/// <summary>A tier certification as a fact (from parks.events.v1.EnterpriseTierCertified).</summary>
internal sealed record TierCertifiedFact(string Uscc, UnitRef Unit, EnterpriseTier Tier, string Certification, DateOnly ValidFrom, bool Renewal, string EventId);

/// <summary>One automatic payout a fact may create: the policy and the case to evaluate.</summary>
internal sealed record AutomaticCandidate(Policy Policy, PayoutCase Case, UnitRef Unit, string Trigger);

/// <summary>Finds the 免申即享 policies a fact triggers and builds their cases.</summary>
internal static class AutomaticPayouts
{
    public static IReadOnlyList<AutomaticCandidate> For(IEnumerable<Policy> automaticPolicies, TierCertifiedFact fact, EnterpriseProfile profile, DateOnly decisionDate)
    {
        var candidates = new List<AutomaticCandidate>();
        foreach (var policy in automaticPolicies)
        {
            var t = policy.Trigger;
            if (t is null || t.Fact != FactKind.TierCertified) continue;
            if (t.Tiers.Count > 0 && !t.Tiers.Contains(fact.Tier)) continue;
            if (t.Renewal is { } renewal && renewal != fact.Renewal) continue;

            var inputs = new Dictionary<string, string>
            {
                ["tier"] = fact.Tier.ToString(),
                ["certification"] = fact.Certification,
                ["valid_from"] = fact.ValidFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["renewal"] = fact.Renewal ? "true" : "false",
            };
            var c = new PayoutCase(new Beneficiary(BeneficiaryKind.Enterprise, fact.Uscc), fact.Uscc, fact.ValidFrom, profile.RegistrationDate,
                decisionDate, profile.TiersOn(fact.ValidFrom), inputs);
            candidates.Add(new AutomaticCandidate(policy, c, fact.Unit, $"EnterpriseTierCertified {fact.EventId}"));
        }
        return candidates;
    }

    public static IReadOnlyList<AutomaticCandidate> For(IEnumerable<Policy> automaticPolicies, LoanLossFact fact, DateOnly decisionDate)
    {
        var scheme = fact.Scheme switch
        {
            RiskScheme.BankCredit => "bank-credit",
            RiskScheme.Insurance => "insurance",
            RiskScheme.Guarantee => "guarantee",
            _ => throw new InvalidOperationException($"unknown risk scheme {fact.Scheme}"),
        };
        var candidates = new List<AutomaticCandidate>();
        foreach (var policy in automaticPolicies)
        {
            if (policy.Trigger is not { Fact: FactKind.LoanLossVerified } t || t.RiskScheme != scheme) continue;
            var inputs = new Dictionary<string, string>
            {
                ["verified_loss_fen"] = fact.Loss.Value.ToString(CultureInfo.InvariantCulture),
                ["loan"] = fact.Loan,
            };
            var c = new PayoutCase(new Beneficiary(policy.Beneficiary, fact.Beneficiary), fact.Uscc, fact.Date, null, decisionDate, [], inputs);
            candidates.Add(new AutomaticCandidate(policy, c, fact.Unit, $"loss verified on {fact.Loan}"));
        }
        return candidates;
    }

    /// <summary>A stable payout id derived from the claim, so a redelivered fact names the same payout.</summary>
    public static string PayoutId(string claimKey)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(claimKey));
        return "a" + Convert.ToHexStringLower(hash)[..23];
    }
}
