using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Parks.Domain;
using Parks.Events.V1;
using Parks.Finance.Data;
using Parks.Finance.Domain;
using Parks.Finance.Domain.Institutions;
using Parks.Finance.Domain.Loans;
using Parks.Finance.Domain.Policies;
using Parks.Finance.Events;
using Parks.Finance.Storage;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Testing;
using Parks.Testing.Shared;
using static Parks.Finance.Tests.TestData;

namespace Parks.Finance.Tests.Storage;

public sealed class InMemoryFinanceStoreTests() : FinanceStoreTests(new InMemoryStateStore());

[Collection(RedisServerFixture.Collection)]
public sealed class RedisFinanceStoreTests(RedisServerFixture redis) : FinanceStoreTests(Redis(redis));

/// <summary>
/// The finance stores and event handlers against a real state store. Expected amounts are worked out by hand from
/// the documents' rules (cited per test).
/// </summary>
public abstract class FinanceStoreTests : StoreTestBase
{
    private static readonly UnitRef Lingshui = UnitRef.District("lingshui");
    private static readonly FinanceSeed Seed = FinanceSeed.LoadEmbedded();

    private readonly TestClock _clock = new(new DateTimeOffset(2022, 10, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly TestOutbox _outbox;
    private readonly EnterpriseProfiles _profiles;
    private readonly InstitutionStore _institutions;
    private readonly FundStore _funds;
    private readonly PayoutStore _payouts;
    private readonly LoanStore _loans;

    protected FinanceStoreTests(IStateStore store) : base(store)
    {
        _outbox = new TestOutbox(store);
        _profiles = new EnterpriseProfiles(store);
        _institutions = new InstitutionStore(store, Seed, _clock);
        _funds = new FundStore(store, Seed, _clock);
        _payouts = new PayoutStore(store, Catalogue, _profiles, _institutions, _outbox, _clock);
        _loans = new LoanStore(store, Seed, _profiles, _institutions, _payouts, _outbox, _clock);
    }

    /// <summary>Delivers an event to a handler the way the dispatcher does: the handler stages, then one commit.</summary>
    private async Task DeliverAsync<T>(IEventHandler<T> handler, T message) where T : Google.Protobuf.IMessage<T>
    {
        var envelope = new EventEnvelope { Id = Guid.NewGuid().ToString(), Type = message.Descriptor.FullName, Source = "test", Time = _clock.GetUtcNow(), Topic = "t" };
        var tx = new StateTransaction();
        await handler.HandleAsync(new EventContext<T>(message, envelope, tx), default);
        await Store.CommitAsync(tx);
    }

    private EnterpriseRegisteredHandler Registered => new(_profiles, _payouts);

    private EnterpriseTierCertifiedHandler Certified => new(_profiles, _payouts, NullLogger<EnterpriseTierCertifiedHandler>.Instance);

    private static Google.Type.Date D(int y, int m, int d) => new() { Year = y, Month = m, Day = d };

    private async Task<string> EnterpriseAsync(UnitRef unit, Google.Type.Date? registered = null)
    {
        var uscc = NewUscc();
        await DeliverAsync(Registered, new EnterpriseRegistered { Uscc = uscc, Unit = unit.ResourceName, DisplayName = "Demo", Industry = "software", RegistrationDate = registered ?? D(2015, 5, 1) });
        return uscc;
    }

    private static EnterpriseTierCertified HighTech(string uscc, Google.Type.Date validFrom, bool renewal = false, string certification = "GR1") => new()
    {
        Uscc = uscc, Unit = "districts/lingshui", Certification = certification, Tier = Parks.Common.V1.EnterpriseTier.HighTech,
        ValidFrom = validFrom, Renewal = renewal,
    };

    private async Task<List<Payout>> PayoutsOfAsync(string uscc) =>
        (await _payouts.ListAsync(Caller.Zone, null, uscc, 100, null, default)).Items.Select(i => i.Value).ToList();

    [Fact]
    public async Task A_first_gaoqi_certification_pays_20万_automatically_exactly_once()
    {
        var uscc = await EnterpriseAsync(Lingshui);

        await DeliverAsync(Certified, HighTech(uscc, D(2022, 9, 1)));
        await DeliverAsync(Certified, HighTech(uscc, D(2022, 9, 1)));   // the same event again
        await DeliverAsync(Certified, HighTech(uscc, D(2022, 9, 15), certification: "GR1-corrected")); // another "first" one

        var payout = Assert.Single(await PayoutsOfAsync(uscc));
        Assert.Equal("policies/gaoqi-first-certification", payout.Policy);
        Assert.Equal(PayoutStatus.Approved, payout.Status);
        Assert.Equal(Wan(20), payout.Amount.Value);          // 002:163: 首次认定 20万元
        Assert.Equal(PayoutMode.Automatic, payout.Mode);
        Assert.Contains(payout.Computation!.Steps, s => s.Description == "fixed amount 20万");
        var budget = await _payouts.GetBudgetAsync("policies/gaoqi-first-certification/budgets/2022", default);
        Assert.True(budget.Value.Committed.Value >= Wan(20));
    }

    [Fact]
    public async Task A_re_certification_pays_10万_and_outside_the_window_nothing()
    {
        var uscc = await EnterpriseAsync(Lingshui);

        await DeliverAsync(Certified, HighTech(uscc, D(2022, 6, 1), renewal: true, certification: "GR2"));
        await DeliverAsync(Certified, HighTech(uscc, D(2023, 1, 1), renewal: true, certification: "GR3")); // 002:287: in force to 2022-12-31

        var payout = Assert.Single(await PayoutsOfAsync(uscc));
        Assert.Equal("policies/gaoqi-recertification", payout.Policy);
        Assert.Equal(Wan(10), payout.Amount.Value);          // 002:163: 重新认定 10万元
    }

    [Fact]
    public async Task A_new_registration_in_the_window_earns_30万_and_20万_even_when_the_registration_arrives_last()
    {
        var uscc = NewUscc();
        // The certification arrives first: the registration date is unknown, so the registration awards wait.
        await DeliverAsync(Certified, new EnterpriseTierCertified
        {
            Uscc = uscc, Unit = "districts/qixianling", Certification = "CY-1", Tier = Parks.Common.V1.EnterpriseTier.Eaglet, ValidFrom = D(2022, 9, 20),
        });
        Assert.Empty(await PayoutsOfAsync(uscc));

        await DeliverAsync(Registered, new EnterpriseRegistered { Uscc = uscc, Unit = "districts/qixianling", DisplayName = "New firm", RegistrationDate = D(2022, 7, 15) });
        await DeliverAsync(Registered, new EnterpriseRegistered { Uscc = uscc, Unit = "districts/qixianling", DisplayName = "New firm", RegistrationDate = D(2022, 7, 15) });

        var payouts = await PayoutsOfAsync(uscc);
        // 001:133: 新登记高企、雏鹰企业 30万元新登记奖励 和 20万元发展奖励.
        Assert.Equal([("policies/new-registration-award-2022", Wan(30)), ("policies/new-registration-development-award-2022", Wan(20))],
            payouts.Select(p => (p.Policy, p.Amount.Value)).OrderBy(p => p.Policy));
    }

    [Fact]
    public async Task A_registration_after_the_window_earns_no_registration_award()
    {
        var uscc = await EnterpriseAsync(Lingshui, D(2022, 9, 1));

        await DeliverAsync(Certified, new EnterpriseTierCertified
        {
            Uscc = uscc, Unit = "districts/lingshui", Certification = "CY-2", Tier = Parks.Common.V1.EnterpriseTier.Eaglet, ValidFrom = D(2022, 9, 20),
        });

        Assert.Empty(await PayoutsOfAsync(uscc));
    }

    [Fact]
    public async Task Without_budget_the_entitlement_waits_and_is_released_once_the_budget_is_raised()
    {
        var year = await _payouts.GetBudgetAsync("policies/gaoqi-recertification/budgets/2022", default);
        // Leave exactly 5万 of the year's budget: a 10万 re-certification payout cannot be covered.
        await _payouts.SetBudgetAsync(Caller.Zone, year.Value.Name, year.Value.Committed + Fen.FromWan(5), null, default);
        var uscc = await EnterpriseAsync(Lingshui);

        await DeliverAsync(Certified, HighTech(uscc, D(2022, 8, 1), renewal: true, certification: "GR-X"));
        var waiting = Assert.Single(await PayoutsOfAsync(uscc));
        await Assert.ThrowsAsync<FailedPreconditionException>(() => _payouts.ReleaseFromBudgetHoldAsync(Caller.Zone, waiting.Name, null, default));
        var raised = await _payouts.GetBudgetAsync(year.Value.Name, default);
        await _payouts.SetBudgetAsync(Caller.Zone, year.Value.Name, raised.Value.Allocated + Fen.FromWan(100), null, default);
        var released = await _payouts.ReleaseFromBudgetHoldAsync(Caller.Zone, waiting.Name, null, default);

        Assert.Equal(PayoutStatus.AwaitingBudget, waiting.Status);
        Assert.Equal(PayoutStatus.Approved, released.Value.Status);
        Assert.Equal(Wan(10), released.Value.Amount.Value);
    }

    private async Task<string> FundManagerAsync() =>
        (await _institutions.CreateAsync(Caller.Zone, TestIds.New("vc"), new InstitutionDraft("Demo VC manager", InstitutionKind.Investment, null, true, null, [], null), null, default)).Value.Id;

    private async Task<string> TechSmeAsync(UnitRef unit)
    {
        var uscc = await EnterpriseAsync(unit);
        await DeliverAsync(Certified, new EnterpriseTierCertified
        {
            Uscc = uscc, Unit = unit.ResourceName, Certification = "KX-1", Tier = Parks.Common.V1.EnterpriseTier.TechSme, ValidFrom = D(2021, 1, 1), ValidTo = D(2025, 12, 31),
        });
        return uscc;
    }

    private Task<Parks.Storage.Versioned<Payout>> ApplyEquityAsync(Caller caller, string manager, string investee, long dealWan, string deal, Google.Type.Date? dealDate = null) =>
        _payouts.ApplyAsync(caller, "policies/equity-investment-reward", new Beneficiary(BeneficiaryKind.FundManager, manager), investee,
            new DateOnly(dealDate?.Year ?? 2022, dealDate?.Month ?? 6, dealDate?.Day ?? 1),
            new Dictionary<string, string> { ["investment_fen"] = Wan(dealWan).ToString(CultureInfo.InvariantCulture), ["deal_reference"] = deal }, "investment agreement", null, default);

    [Fact]
    public async Task Equity_reward_application_runs_to_payment_once_with_the_computation_kept()
    {
        var manager = await FundManagerAsync();
        var investee = await TechSmeAsync(Lingshui);
        var deal = TestIds.New("deal");

        var applied = await ApplyEquityAsync(Caller.ForUnit(Lingshui), manager, investee, 2000, deal);
        var duplicate = await Assert.ThrowsAsync<AlreadyExistsException>(() => ApplyEquityAsync(Caller.ForUnit(Lingshui), manager, investee, 2000, deal));
        await _payouts.StartReviewAsync(Caller.Zone, applied.Value.Name, "complete", null, default);
        var approved = await _payouts.ApproveAsync(Caller.Zone, applied.Value.Name, null, default);
        var paid = await _payouts.PayAsync(Caller.Zone, applied.Value.Name, "TREASURY-1", null, default);
        var twice = await Assert.ThrowsAsync<FailedPreconditionException>(() => _payouts.PayAsync(Caller.Zone, applied.Value.Name, "TREASURY-2", null, default));
        var (recomputed, matches) = await _payouts.VerifyAsync(Caller.Zone, applied.Value.Name, default);

        // 002:237-239: 500 × 4% + 500 × 2% + 1000 × 1.5% = 20 + 10 + 15 = 45万.
        Assert.Equal(Wan(45), applied.Value.Computation!.Amount.Value);
        Assert.Equal(0, applied.Value.Amount.Value);
        Assert.Equal(Wan(45), approved.Value.Amount.Value);
        Assert.Equal(PayoutStatus.Paid, paid.Value.Status);
        Assert.Equal("ALREADY_PAID", twice.Violations[0].Type);
        Assert.True(matches);
        Assert.Equal(Wan(45), recomputed.Amount.Value);
        Assert.Equal(applied.Value.Name, duplicate.ResourceName);
        var made = Assert.Single(await _outbox.PublishedAsync<PayoutMade>());
        Assert.Equal(Wan(45), made.AmountFen);
        Assert.Equal(investee, made.Uscc);
        Assert.Equal("districts/lingshui", made.Unit);
        Assert.False(made.Automatic);
    }

    [Fact]
    public async Task A_1亿_deal_is_capped_at_100万_and_the_managers_cumulative_cap_holds_across_deals()
    {
        var manager = await FundManagerAsync();
        var investee = await TechSmeAsync(Lingshui);
        long total = 0;
        // Ten 1亿 deals reach the 1000万 cumulative cap; the eleventh finds nothing left.
        for (var i = 0; i < 10; i++)
        {
            var applied = await ApplyEquityAsync(Caller.Zone, manager, investee, 10000, TestIds.New("deal"));
            await _payouts.StartReviewAsync(Caller.Zone, applied.Value.Name, "", null, default);
            total += (await _payouts.ApproveAsync(Caller.Zone, applied.Value.Name, null, default)).Value.Amount.Value;
        }
        var eleventh = await Assert.ThrowsAsync<FailedPreconditionException>(() => ApplyEquityAsync(Caller.Zone, manager, investee, 10000, TestIds.New("deal")));

        Assert.Equal(Wan(1000), total);   // 10 × min(130万, 100万) = 1000万 = the cumulative cap
        Assert.Equal("CAP_EXHAUSTED", eleventh.Violations[0].Type);
    }

    [Fact]
    public async Task Bad_applications_write_nothing()
    {
        var manager = await FundManagerAsync();
        var investee = await TechSmeAsync(Lingshui);
        var before = (await PayoutsOfAsync(investee)).Count;

        var window = await Assert.ThrowsAsync<FailedPreconditionException>(() => ApplyEquityAsync(Caller.Zone, manager, investee, 2000, TestIds.New("d"), D(2023, 2, 1)));
        var elsewhere = await Assert.ThrowsAsync<PermissionDeniedException>(() => ApplyEquityAsync(Caller.ForUnit(UnitRef.Park("jinpu")), manager, investee, 2000, TestIds.New("d")));
        var unknown = await Assert.ThrowsAsync<NotFoundException>(() => ApplyEquityAsync(Caller.Zone, manager, NewUscc(), 2000, TestIds.New("d")));
        var zero = await Assert.ThrowsAsync<ValidationException>(() => ApplyEquityAsync(Caller.Zone, manager, investee, 0, TestIds.New("d")));
        var notAManager = await Assert.ThrowsAsync<NotFoundException>(() => ApplyEquityAsync(Caller.Zone, "nobody-" + Guid.NewGuid().ToString("N")[..6], investee, 2000, TestIds.New("d")));
        var automatic = await Assert.ThrowsAsync<FailedPreconditionException>(() => _payouts.ApplyAsync(Caller.Zone, "policies/gaoqi-first-certification",
            new Beneficiary(BeneficiaryKind.Enterprise, investee), investee, new DateOnly(2022, 1, 1), new Dictionary<string, string>(), "e", null, default));

        Assert.Equal("POLICY_WINDOW", window.Violations[0].Type);
        Assert.Equal("Enterprise", unknown.ResourceType);
        Assert.Equal("inputs.investment_fen", zero.Violations[0].Field);
        Assert.Equal("Institution", notAManager.ResourceType);
        Assert.Equal("AUTOMATIC_POLICY", automatic.Violations[0].Type);
        Assert.Contains("parks/jinpu", elsewhere.Message);
        Assert.Equal(before, (await PayoutsOfAsync(investee)).Count);
    }

    [Fact]
    public async Task A_rejected_application_frees_its_claim_for_a_corrected_one()
    {
        var manager = await FundManagerAsync();
        var investee = await TechSmeAsync(Lingshui);
        var deal = TestIds.New("deal");
        var first = await ApplyEquityAsync(Caller.Zone, manager, investee, 800, deal);

        await _payouts.RejectAsync(Caller.Zone, first.Value.Name, "bank receipt missing", null, default);
        var second = await ApplyEquityAsync(Caller.Zone, manager, investee, 800, deal);

        // 500 × 4% + 300 × 2% = 20 + 6 = 26万.
        Assert.Equal(Wan(26), second.Value.Computation!.Amount.Value);
        Assert.NotEqual(first.Value.Name, second.Value.Name);
    }

    private async Task<(string Uscc, string Bank)> BorrowerAsync()
    {
        var uscc = await TechSmeAsync(Lingshui);
        await DeliverAsync(new InnovationPointsEvaluatedHandler(_profiles), new InnovationPointsEvaluated { Uscc = uscc, Unit = "districts/lingshui", Year = 2022, TotalCentipoints = 7250, ModelVersion = "m1" });
        var bank = (await _institutions.CreateAsync(Caller.Zone, TestIds.New("bank"), new InstitutionDraft("Demo bank", InstitutionKind.Bank, null, true, null, ["innovation-points-loan"], null), null, default)).Value;
        return (uscc, bank.Name);
    }

    private Task<Parks.Storage.Versioned<LoanApplication>> PointsLoanAsync(string uscc, string bank, long wan, Caller? caller = null) =>
        _loans.SubmitAsync(caller ?? Caller.ForUnit(Lingshui), null, uscc, new LoanApplicationDraft("loanProducts/innovation-points-loan", bank, null, Fen.FromWan(wan), 12, "R&D working capital"), null, default);

    [Fact]
    public async Task A_verified_loss_commits_the_banks_risk_compensation_50_percent_capped_at_100万_per_firm()
    {
        var (uscc, bank) = await BorrowerAsync();
        var first = await PointsLoanAsync(uscc, bank, 300);
        var duplicate = await Assert.ThrowsAsync<AlreadyExistsException>(() => PointsLoanAsync(uscc, bank, 100));
        await _loans.ApproveAsync(Caller.Zone, first.Value.Name, Fen.FromWan(300), "credit committee", null, default);
        await _loans.DisburseAsync(Caller.Zone, first.Value.Name, Fen.FromWan(300), new DateOnly(2022, 1, 5), "D-1", null, default);
        var (lost, compensation) = await _loans.VerifyLossAsync(Caller.Zone, first.Value.Name, Fen.FromWan(160), new DateOnly(2022, 9, 1), "court ruling", null, default);

        // 002:219-221: 160 × 50% = 80万 (under the 100万 per-firm cap).
        var payout = await _payouts.GetAsync(Caller.Zone, compensation!.Payout!, default);
        Assert.Equal(Wan(80), payout.Value.Amount.Value);
        Assert.Equal(new Beneficiary(BeneficiaryKind.Bank, bank["institutions/".Length..]), payout.Value.Beneficiary);
        Assert.Equal(payout.Value.Name, lost.Value.Loss!.Compensation);
        Assert.Single(await _outbox.PublishedAsync<LoanApproved>());

        // The loan is closed, so the firm may borrow again; a second loss finds only 100 − 80 = 20万 left for the firm.
        var second = await PointsLoanAsync(uscc, bank, 200);
        await _loans.ApproveAsync(Caller.Zone, second.Value.Name, Fen.FromWan(200), "credit committee", null, default);
        await _loans.DisburseAsync(Caller.Zone, second.Value.Name, Fen.FromWan(200), new DateOnly(2022, 2, 5), "D-2", null, default);
        var (_, again) = await _loans.VerifyLossAsync(Caller.Zone, second.Value.Name, Fen.FromWan(200), new DateOnly(2022, 9, 2), "court ruling", null, default);

        Assert.Equal(Wan(20), (await _payouts.GetAsync(Caller.Zone, again!.Payout!, default)).Value.Amount.Value);
        Assert.NotNull(duplicate.ResourceName);
    }

    [Fact]
    public async Task Statistics_follow_loans_granted_and_payouts_paid_or_pending_in_the_same_commits()
    {
        // Differences, because the Redis variant shares one store with the other tests (run one after another).
        var statistics = new FinanceStatistics(Store, Seed);
        var loansBefore = (await statistics.LoansAsync(default)).Single(p => p.Product.Id == "innovation-points-loan");
        var payoutsBefore = await statistics.PayoutsAsync(default);

        var (uscc, bank) = await BorrowerAsync();
        var granted = await PointsLoanAsync(uscc, bank, 300);
        var submitted = (await statistics.LoansAsync(default)).Single(p => p.Product.Id == "innovation-points-loan");
        await _loans.ApproveAsync(Caller.Zone, granted.Value.Name, Fen.FromWan(250), "credit committee", null, default);
        await _loans.DisburseAsync(Caller.Zone, granted.Value.Name, Fen.FromWan(100), new DateOnly(2022, 1, 5), "D-1", null, default);
        var (other, otherBank) = await BorrowerAsync();
        var declined = await PointsLoanAsync(other, otherBank, 100);
        await _loans.DeclineAsync(Caller.Zone, declined.Value.Name, "insufficient points history", null, default);
        var loansAfter = (await statistics.LoansAsync(default)).Single(p => p.Product.Id == "innovation-points-loan");

        var manager = await FundManagerAsync();
        var investee = await TechSmeAsync(Lingshui);
        var paid = await ApplyEquityAsync(Caller.Zone, manager, investee, 2000, TestIds.New("deal"));
        var rejected = await ApplyEquityAsync(Caller.Zone, manager, investee, 800, TestIds.New("deal"));
        var waiting = await ApplyEquityAsync(Caller.Zone, manager, investee, 800, TestIds.New("deal"));
        var applied = await statistics.PayoutsAsync(default);
        await _payouts.StartReviewAsync(Caller.Zone, paid.Value.Name, "complete", null, default);
        await _payouts.ApproveAsync(Caller.Zone, paid.Value.Name, null, default);
        await _payouts.PayAsync(Caller.Zone, paid.Value.Name, "TREASURY-1", null, default);
        await _payouts.RejectAsync(Caller.Zone, rejected.Value.Name, "bank receipt missing", null, default);
        var payoutsAfter = await statistics.PayoutsAsync(default);

        Assert.Equal((0L, 0L), (submitted.Count - loansBefore.Count, submitted.CreditLineFen - loansBefore.CreditLineFen));
        // One loan granted a 250万 credit line (drawing on it changes nothing); the declined one is not counted.
        Assert.Equal((1L, Wan(250)), (loansAfter.Count - loansBefore.Count, loansAfter.CreditLineFen - loansBefore.CreditLineFen));
        Assert.Equal(3, applied.PendingCount - payoutsBefore.PendingCount);
        Assert.Equal(0, applied.PaidCount - payoutsBefore.PaidCount);
        // 002:237-239: the 2000万 deal pays 45万 (see above); the rejected one leaves, the waiting one stays pending.
        Assert.Equal((1L, Wan(45), 1L), (payoutsAfter.PaidCount - payoutsBefore.PaidCount, payoutsAfter.PaidFen - payoutsBefore.PaidFen, payoutsAfter.PendingCount - payoutsBefore.PendingCount));
        Assert.NotNull(waiting.Value.Name);
    }

    [Fact]
    public async Task An_ineligible_enterprise_cannot_file_and_a_district_files_only_for_its_own()
    {
        var (uscc, bank) = await BorrowerAsync();
        var noTier = await EnterpriseAsync(Lingshui);

        var ineligible = await Assert.ThrowsAsync<FailedPreconditionException>(() => PointsLoanAsync(noTier, bank, 100));
        var elsewhere = await Assert.ThrowsAsync<PermissionDeniedException>(() => PointsLoanAsync(uscc, bank, 100, Caller.ForUnit(UnitRef.District("longtou"))));
        var districtApproval = await Assert.ThrowsAsync<PermissionDeniedException>(async () =>
        {
            var loan = await PointsLoanAsync(uscc, bank, 100);
            await _loans.ApproveAsync(Caller.ForUnit(Lingshui), loan.Value.Name, Fen.FromWan(100), "me", null, default);
        });

        Assert.Equal("LOAN_NOT_ELIGIBLE", ineligible.Violations[0].Type);
        Assert.Contains("innovation-points evaluation", ineligible.Message);
        Assert.NotNull(elsewhere);
        Assert.Contains("finance bureau", districtApproval.Message);
    }

    [Fact]
    public async Task Seeding_is_idempotent_and_serves_the_documents_institutions_and_funds()
    {
        Assert.True(await _institutions.SeedAsync(default) >= 0);
        Assert.Equal(0, await _institutions.SeedAsync(default));
        await _funds.SeedAsync(default);
        Assert.Equal(0, await _funds.SeedAsync(default));

        var icbc = await _institutions.GetAsync("institutions/icbc-new-market-branch", default);
        var mother = await _funds.GetAsync("funds/zone-guidance-fund", default);
        var subs = await _funds.ListAsync("funds/zone-guidance-fund", 10, null, default);

        Assert.Contains("innovation-points-loan", icbc.Value.PartnerProducts);
        Assert.Equal(100_000_000_000L, mother.Value.PaidIn.Value);                                  // 10亿元 (000:66)
        Assert.Equal(390_000_000_000L, mother.Value.LeveragedSocialCapitalReported!.Value.Value);   // 39亿元 (000:66)
        Assert.Equal(2, subs.Items.Count);
    }
}
