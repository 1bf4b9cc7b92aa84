using System.Globalization;
using Parks.Domain;
using Parks.Finance.Domain;
using Parks.Finance.Domain.Policies;
using static Parks.Finance.Tests.TestData;

namespace Parks.Finance.Tests.Domain;

public sealed class PayoutRulesTests
{
    private static readonly DateTimeOffset Now = new(2022, 10, 1, 9, 0, 0, TimeSpan.Zero);

    private static PayoutState Fresh(Policy policy, PayoutCase c, long allocatedWan = 1000, long committedWan = 0) =>
        new(PolicyEvaluator.LedgersFor(policy, c.Beneficiary, c.Subject, c.DecisionDate).Select(l => PolicyLedger.Empty(l.LedgerId)).ToList(),
            new PolicyBudget(policy.Name, 2022, Fen.FromWan(allocatedWan), Fen.FromWan(committedWan), Fen.Zero, true));

    private static (Policy Policy, PayoutCase Case) FirstGaoqi()
    {
        var policy = Catalogue.Get("gaoqi-first-certification");
        var uscc = NewUscc();
        var profile = EnterpriseProfile.Empty(uscc).ApplyRegistered(UnitRef.District("lingshui"), "Demo", "software", new DateOnly(2019, 1, 1));
        var fact = new TierCertifiedFact(uscc, UnitRef.District("lingshui"), EnterpriseTier.HighTech, "GR202221000123", new DateOnly(2022, 9, 1), false, "evt-1");
        var candidate = AutomaticPayouts.For(Catalogue.Automatic(FactKind.TierCertified), fact, profile, new DateOnly(2022, 10, 1)).Single(c => c.Policy.Id == policy.Id);
        return (policy, candidate.Case);
    }

    [Fact]
    public void A_first_gaoqi_certification_triggers_only_the_first_certification_policy()
    {
        var uscc = NewUscc();
        var profile = EnterpriseProfile.Empty(uscc).ApplyRegistered(UnitRef.District("lingshui"), "Demo", "software", new DateOnly(2015, 1, 1));
        var first = new TierCertifiedFact(uscc, UnitRef.District("lingshui"), EnterpriseTier.HighTech, "GR1", new DateOnly(2021, 9, 1), false, "e1");
        var renewal = first with { Renewal = true, Certification = "GR2", ValidFrom = new DateOnly(2022, 9, 1) };

        var forFirst = AutomaticPayouts.For(Catalogue.Automatic(FactKind.TierCertified), first, profile, new DateOnly(2022, 10, 1)).Select(c => c.Policy.Id);
        var forRenewal = AutomaticPayouts.For(Catalogue.Automatic(FactKind.TierCertified), renewal, profile, new DateOnly(2022, 10, 1)).Select(c => c.Policy.Id);

        // The new-registration awards also listen to 高企 certifications; the firm's registration date decides (and rules them out here).
        Assert.Equal(["gaoqi-first-certification", "new-registration-award-2022", "new-registration-development-award-2022"], forFirst.Order());
        Assert.Equal(["gaoqi-recertification", "new-registration-award-2022", "new-registration-development-award-2022"], forRenewal.Order());
    }

    [Fact]
    public void Automatic_payout_is_approved_and_reserves_budget_and_ledgers()
    {
        var (policy, c) = FirstGaoqi();

        var d = PayoutRules.CreateAutomatic("a1", policy, c, UnitRef.District("lingshui"), "evt-1", Fresh(policy, c), Now);

        Assert.Equal(PayoutStatus.Approved, d.Payout.Status);
        Assert.Equal(Wan(20), d.Payout.Amount.Value);
        Assert.Equal(Wan(20), d.Budget.Committed.Value);   // 002:163: 20万
        Assert.Equal(Wan(980), d.Budget.Remaining.Value);   // 1000 − 20
        Assert.True(d.BudgetChanged);
        Assert.Equal("gaoqi-first-certification|" + c.Subject, d.Payout.ClaimKey);
    }

    [Fact]
    public void Automatic_payout_waits_when_the_budget_cannot_cover_it_and_reserves_nothing()
    {
        var (policy, c) = FirstGaoqi();
        var state = Fresh(policy, c, allocatedWan: 100, committedWan: 90); // 10万 left, 20万 needed

        var d = PayoutRules.CreateAutomatic("a1", policy, c, null, "evt", state, Now);

        Assert.Equal(PayoutStatus.AwaitingBudget, d.Payout.Status);
        Assert.Equal(0, d.Payout.Amount.Value);
        Assert.False(d.BudgetChanged);
        Assert.Same(state.Budget, d.Budget);

        var raised = state.Budget.Reallocate(Fen.FromWan(200));
        var released = PayoutRules.ReleaseFromBudgetHold(d.Payout, policy, state with { Budget = raised }, Now.AddDays(3));

        Assert.Equal(PayoutStatus.Approved, released.Payout.Status);
        Assert.Equal(Wan(110), released.Budget.Committed.Value); // 90 + 20
    }

    [Fact]
    public void Paying_records_it_once_and_a_second_payment_is_refused()
    {
        var (policy, c) = FirstGaoqi();
        var d = PayoutRules.CreateAutomatic("a1", policy, c, null, "evt", Fresh(policy, c), Now);

        var (paid, budget) = PayoutRules.Pay(d.Payout, d.Budget, "TREASURY-2022-0001", Now.AddDays(1));
        var twice = Assert.Throws<FailedPreconditionException>(() => PayoutRules.Pay(paid, budget, "TREASURY-2022-0002", Now.AddDays(2)));

        Assert.Equal(PayoutStatus.Paid, paid.Status);
        Assert.Equal(Wan(20), budget.Paid.Value);
        Assert.Equal("ALREADY_PAID", twice.Violations[0].Type);
    }

    private static (Policy Policy, PayoutCase Case) EquityApplication(long dealWan)
    {
        var policy = Catalogue.Get("equity-investment-reward");
        var c = new PayoutCase(new Beneficiary(BeneficiaryKind.FundManager, "vc-one"), NewUscc(), new DateOnly(2022, 6, 1), null, new DateOnly(2022, 10, 1),
            [EnterpriseTier.HighTech], new Dictionary<string, string>
            {
                ["investment_fen"] = Wan(dealWan).ToString(CultureInfo.InvariantCulture),
                ["deal_reference"] = "deal-" + Guid.NewGuid().ToString("N"),
            });
        return (policy, c);
    }

    [Fact]
    public void Application_goes_submitted_review_approved_paid()
    {
        var (policy, c) = EquityApplication(2000);

        var submitted = PayoutRules.Submit("p1", policy, c, UnitRef.District("qixianling"), "investment agreement + bank receipt", Fresh(policy, c), Now);
        var reviewing = submitted.StartReview("documents complete", Now.AddDays(1));
        var approved = PayoutRules.Approve(reviewing, policy, Fresh(policy, c), Now.AddDays(2));
        var (paid, budget) = PayoutRules.Pay(approved.Payout, approved.Budget, "T-1", Now.AddDays(3));

        Assert.Equal(PayoutStatus.Submitted, submitted.Status);
        Assert.Equal(0, submitted.Amount.Value);                    // nothing granted before approval
        Assert.Equal(Wan(45), submitted.Computation!.Amount.Value); // the preview: 20 + 10 + 15
        Assert.Equal(Wan(45), approved.Payout.Amount.Value);
        Assert.Equal(Wan(45), approved.Ledgers.Single().Total.Value);
        Assert.Equal(Wan(45), budget.Paid.Value);
        Assert.Equal(PayoutStatus.Paid, paid.Status);
    }

    [Fact]
    public void Approval_without_review_is_refused()
    {
        var (policy, c) = EquityApplication(100);
        var submitted = PayoutRules.Submit("p1", policy, c, null, "evidence", Fresh(policy, c), Now);

        var ex = Assert.Throws<FailedPreconditionException>(() => PayoutRules.Approve(submitted, policy, Fresh(policy, c), Now));

        Assert.Equal("PAYOUT_STATE", ex.Violations[0].Type);
    }

    [Fact]
    public void Approval_recomputes_with_the_caps_as_they_are_at_decision_time()
    {
        var (policy, c) = EquityApplication(2000);
        var submitted = PayoutRules.Submit("p1", policy, c, null, "evidence", Fresh(policy, c), Now).StartReview("", Now);
        var state = Fresh(policy, c);
        state = state with { Ledgers = [state.Ledgers[0].Add(Fen.FromWan(990))] }; // other deals approved meanwhile

        var approved = PayoutRules.Approve(submitted, policy, state, Now.AddDays(5));

        Assert.Equal(Wan(45), submitted.Computation!.Amount.Value);
        Assert.Equal(Wan(10), approved.Payout.Amount.Value); // 1000 − 990 left under the cumulative cap
        Assert.Equal(Wan(1000), approved.Ledgers[0].Total.Value);
    }

    [Fact]
    public void Approval_beyond_the_budget_is_refused_and_changes_nothing()
    {
        var (policy, c) = EquityApplication(2000);
        var reviewing = PayoutRules.Submit("p1", policy, c, null, "evidence", Fresh(policy, c), Now).StartReview("", Now);
        var state = Fresh(policy, c, allocatedWan: 100, committedWan: 60); // 40万 left, 45万 needed

        var ex = Assert.Throws<FailedPreconditionException>(() => PayoutRules.Approve(reviewing, policy, state, Now));

        Assert.Equal("BUDGET_EXHAUSTED", ex.Violations[0].Type);
        Assert.Equal(Wan(60), state.Budget.Committed.Value);
        Assert.Equal(PayoutStatus.UnderReview, reviewing.Status);
    }

    [Fact]
    public void An_automatic_policy_cannot_be_applied_for()
    {
        var (policy, c) = FirstGaoqi();

        var ex = Assert.Throws<FailedPreconditionException>(() => PayoutRules.Submit("p1", policy, c, null, "evidence", Fresh(policy, c), Now));

        Assert.Equal("AUTOMATIC_POLICY", ex.Violations[0].Type);
    }

    [Fact]
    public void Rejection_needs_a_reason_and_only_applies_before_a_decision()
    {
        var (policy, c) = EquityApplication(100);
        var submitted = PayoutRules.Submit("p1", policy, c, null, "evidence", Fresh(policy, c), Now);

        Assert.Throws<ValidationException>(() => submitted.Reject(" ", Now));
        var rejected = submitted.Reject("investee is not located in Dalian", Now);
        Assert.Equal(PayoutStatus.Rejected, rejected.Status);
        Assert.Throws<FailedPreconditionException>(() => rejected.Reject("again", Now));
    }

    [Fact]
    public void Budget_cannot_be_cut_below_what_is_committed()
    {
        var budget = new PolicyBudget("policies/x", 2022, Fen.FromWan(100), Fen.FromWan(60), Fen.Zero, true);

        var ex = Assert.Throws<FailedPreconditionException>(() => budget.Reallocate(Fen.FromWan(50)));

        Assert.Equal("BUDGET_BELOW_COMMITTED", ex.Violations[0].Type);
        Assert.False(budget.Reallocate(Fen.FromWan(60)).Illustrative);
    }

    [Fact]
    public void Automatic_ids_are_stable_per_claim()
    {
        Assert.Equal(AutomaticPayouts.PayoutId("gaoqi-first-certification|X"), AutomaticPayouts.PayoutId("gaoqi-first-certification|X"));
        Assert.NotEqual(AutomaticPayouts.PayoutId("gaoqi-first-certification|X"), AutomaticPayouts.PayoutId("gaoqi-first-certification|Y"));
        Assert.True(Zone.IsValidSlug(AutomaticPayouts.PayoutId("anything")));
    }
}
