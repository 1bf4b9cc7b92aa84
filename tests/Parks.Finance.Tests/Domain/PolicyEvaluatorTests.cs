using System.Globalization;
using Parks.Domain;
using Parks.Finance.Domain;
using Parks.Finance.Domain.Policies;
using static Parks.Finance.Tests.TestData;

namespace Parks.Finance.Tests.Domain;

/// <summary>
/// Every expected figure here is worked out by hand from the documents' rules (cited per test), never by calling
/// the code under test.
/// </summary>
public sealed class PolicyEvaluatorTests
{
    private static readonly Beneficiary Manager = new(BeneficiaryKind.FundManager, "dalian-vc-manager");

    private static Computation Equity(long investmentFen, long managerCumulativeBeforeFen = 0, DateOnly? dealDate = null, EnterpriseTier tier = EnterpriseTier.HighTech)
    {
        var policy = Catalogue.Get("equity-investment-reward");
        var subject = NewUscc();
        var c = new PayoutCase(Manager, subject, dealDate ?? new DateOnly(2021, 5, 10), null, new DateOnly(2021, 6, 1), [tier],
            new Dictionary<string, string>
            {
                ["investment_fen"] = investmentFen.ToString(CultureInfo.InvariantCulture),
                ["deal_reference"] = "deal-" + subject,
            });
        var ledgers = PolicyEvaluator.LedgersFor(policy, Manager, subject, c.DecisionDate)
            .Select(l => new LedgerEntry(l.Cap, l.LedgerId, new Fen(managerCumulativeBeforeFen))).ToList();
        return PolicyEvaluator.Evaluate(policy, c, ledgers);
    }

    // 002:237-239: ≤500万 4%; 500万-1000万 2%; 1000万-3000万 1.5%; >3000万 1%; ≤100万 per deal; ≤1000万 cumulative.
    [Theory]
    [InlineData(100, 4)]       // 100 × 4% = 4
    [InlineData(500, 20)]      // 500 × 4% = 20 (500万 itself is in the 4% band: "不超过500万元(含500万元)")
    [InlineData(800, 26)]      // 20 + 300 × 2% = 26
    [InlineData(1000, 30)]     // 20 + 500 × 2% = 30
    [InlineData(2000, 45)]     // 20 + 10 + 1000 × 1.5% = 45
    [InlineData(3000, 60)]     // 20 + 10 + 2000 × 1.5% = 60
    [InlineData(5000, 80)]     // 60 + 2000 × 1% = 80
    [InlineData(7000, 100)]    // 60 + 4000 × 1% = 100, exactly the cap
    [InlineData(10000, 100)]   // 60 + 7000 × 1% = 130, capped at 100 per deal
    public void Equity_investment_reward_by_band(long dealWan, long expectedWan)
    {
        var result = Equity(Wan(dealWan));

        Assert.Equal(Wan(expectedWan), result.Amount.Value);
    }

    [Fact]
    public void A_2000万_deal_earns_45万_with_the_steps_shown()
    {
        var result = Equity(Wan(2000));

        Assert.Equal(Wan(45), result.Amount.Value);
        Assert.Equal(Wan(45), result.Uncapped.Value);
        Assert.Empty(result.CapsApplied);
        Assert.Equal([Wan(20), Wan(10), Wan(15)], result.Steps.Where(s => s.Description.StartsWith("portion", StringComparison.Ordinal)).Select(s => s.AmountFen));
        Assert.Equal("equity-investment-reward@v1", result.RuleVersion);
    }

    [Fact]
    public void A_1亿_deal_computes_130万_and_is_capped_at_100万()
    {
        var result = Equity(Wan(10000));

        Assert.Equal(Wan(130), result.Uncapped.Value);
        Assert.Equal(Wan(100), result.Amount.Value);
        Assert.Contains("per-item cap 100万", result.CapsApplied);
    }

    [Fact]
    public void Band_boundaries_are_inclusive_and_a_fen_above_moves_to_the_next_band()
    {
        // 500万 + 1元: 20万 + 1元 × 2% = 200,000.02元.
        var result = Equity(Wan(500) + 100);

        Assert.Equal(20_000_002L, result.Amount.Value);
    }

    [Fact]
    public void Cumulative_cap_of_1000万_per_manager_trims_the_last_reward()
    {
        // Already 980万 granted: a 2000万 deal's 45万 is cut to the 20万 left.
        var result = Equity(Wan(2000), managerCumulativeBeforeFen: Wan(980));

        Assert.Equal(Wan(20), result.Amount.Value);
        Assert.Contains(result.CapsApplied, c => c.Contains("cumulative cap 1000万", StringComparison.Ordinal));
    }

    [Fact]
    public void Cumulative_cap_reached_means_nothing_to_pay()
    {
        var ex = Assert.Throws<FailedPreconditionException>(() => Equity(Wan(2000), managerCumulativeBeforeFen: Wan(1000)));

        Assert.Equal("CAP_EXHAUSTED", ex.Violations[0].Type);
    }

    [Fact]
    public void A_deal_outside_the_policy_window_is_refused()
    {
        // 大政发〔2017〕52号 applies from 2018-01-01 for 5 years (002:287).
        var late = Assert.Throws<FailedPreconditionException>(() => Equity(Wan(2000), dealDate: new DateOnly(2023, 1, 1)));
        var early = Assert.Throws<FailedPreconditionException>(() => Equity(Wan(2000), dealDate: new DateOnly(2017, 12, 31)));
        var lastDay = Equity(Wan(2000), dealDate: new DateOnly(2022, 12, 31));

        Assert.Equal("POLICY_WINDOW", late.Violations[0].Type);
        Assert.Contains("2018-01-01 to 2022-12-31", late.Message);
        Assert.Equal("POLICY_WINDOW", early.Violations[0].Type);
        Assert.Equal(Wan(45), lastDay.Amount.Value);
    }

    [Fact]
    public void The_investee_must_be_a_tech_innovation_enterprise()
    {
        var ex = Assert.Throws<FailedPreconditionException>(() => Equity(Wan(2000), tier: EnterpriseTier.Gazelle));

        Assert.Equal("SUBJECT_NOT_ELIGIBLE", ex.Violations[0].Type);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-500)]
    public void Deal_amount_must_be_positive(long fen)
    {
        var ex = Assert.Throws<ValidationException>(() => Equity(fen));

        Assert.Equal("inputs.investment_fen", ex.Violations[0].Field);
    }

    [Fact]
    public void The_stored_inputs_reproduce_the_computation()
    {
        var first = Equity(Wan(2345), managerCumulativeBeforeFen: Wan(970));

        var again = PolicyEvaluator.Recompute(Catalogue.GetVersion(first.RuleVersion), first.Inputs);

        // 20 + 10 + 1345 × 1.5% = 50.175万 uncapped; 30万 left under the 1000万 cumulative cap.
        Assert.Equal(50_175_000L, first.Uncapped.Value);
        Assert.Equal(Wan(30), first.Amount.Value);
        Assert.Equal(first.Amount, again.Amount);
        Assert.Equal(first.Steps, again.Steps);
    }

    private static Computation Fixed(string policyId, DateOnly factDate, DateOnly? registration = null, EnterpriseTier[]? tiers = null,
        Dictionary<string, string>? inputs = null, Beneficiary? beneficiary = null, long ledgerBefore = 0, DateOnly? decision = null)
    {
        var policy = Catalogue.Get(policyId);
        var subject = NewUscc();
        var b = beneficiary ?? new Beneficiary(BeneficiaryKind.Enterprise, subject);
        var c = new PayoutCase(b, subject, factDate, registration, decision ?? factDate, tiers ?? [], inputs ?? new Dictionary<string, string> { ["valid_from"] = factDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
        var ledgers = PolicyEvaluator.LedgersFor(policy, b, subject, c.DecisionDate).Select(l => new LedgerEntry(l.Cap, l.LedgerId, new Fen(ledgerBefore))).ToList();
        return PolicyEvaluator.Evaluate(policy, c, ledgers);
    }

    [Fact]
    public void First_gaoqi_certification_pays_20万_and_re_certification_10万()
    {
        // 002:163: 首次认定 20万元, 重新认定 10万元.
        Assert.Equal(Wan(20), Fixed("gaoqi-first-certification", new DateOnly(2021, 11, 30)).Amount.Value);
        Assert.Equal(Wan(10), Fixed("gaoqi-recertification", new DateOnly(2022, 12, 1)).Amount.Value);
    }

    [Fact]
    public void New_registration_awards_need_a_registration_inside_the_window()
    {
        // 001:133: registered by 2022-08-31 → 30万 new-registration award and 20万 development award.
        Assert.Equal(Wan(30), Fixed("new-registration-award-2022", new DateOnly(2022, 8, 20), new DateOnly(2022, 3, 1)).Amount.Value);
        Assert.Equal(Wan(20), Fixed("new-registration-development-award-2022", new DateOnly(2022, 9, 10), new DateOnly(2022, 8, 31)).Amount.Value);

        var late = Assert.Throws<FailedPreconditionException>(() => Fixed("new-registration-award-2022", new DateOnly(2022, 10, 1), new DateOnly(2022, 9, 1)));
        var unknown = Assert.Throws<FailedPreconditionException>(() => Fixed("new-registration-award-2022", new DateOnly(2022, 10, 1)));
        var before = Assert.Throws<FailedPreconditionException>(() => Fixed("new-registration-award-2022", new DateOnly(2022, 2, 1), new DateOnly(2022, 3, 1)));

        Assert.Equal("POLICY_WINDOW", late.Violations[0].Type);
        Assert.Contains("registration date 2022-09-01", late.Message);
        Assert.Equal("REGISTRATION_UNKNOWN", unknown.Violations[0].Type);
        Assert.Equal("FACT_BEFORE_REGISTRATION", before.Violations[0].Type);
    }

    [Fact]
    public void Incubator_reward_is_10万_per_firm_and_at_most_50万_a_year()
    {
        // 002:163: 每认定一家给予 10万元, 同一单位年度最高 50万元.
        var incubator = new Beneficiary(BeneficiaryKind.Incubator, NewUscc());
        var fourth = Fixed("incubator-gaoqi-cultivation", new DateOnly(2021, 6, 1), tiers: [EnterpriseTier.HighTech], beneficiary: incubator, ledgerBefore: Wan(40));
        var sixth = Assert.Throws<FailedPreconditionException>(() =>
            Fixed("incubator-gaoqi-cultivation", new DateOnly(2021, 6, 1), tiers: [EnterpriseTier.HighTech], beneficiary: incubator, ledgerBefore: Wan(50)));

        Assert.Equal(Wan(10), fourth.Amount.Value);
        Assert.Equal("CAP_EXHAUSTED", sixth.Violations[0].Type);
    }

    [Fact]
    public void Incubator_reward_needs_the_incubatee_to_be_gaoqi()
    {
        var ex = Assert.Throws<FailedPreconditionException>(() =>
            Fixed("incubator-gaoqi-cultivation", new DateOnly(2021, 6, 1), tiers: [EnterpriseTier.TechSme], beneficiary: new Beneficiary(BeneficiaryKind.Incubator, NewUscc())));

        Assert.Equal("SUBJECT_NOT_ELIGIBLE", ex.Violations[0].Type);
    }

    [Theory]
    [InlineData(150, 0, 75)]   // 150 × 50% = 75
    [InlineData(300, 0, 100)]  // 150 capped at 100 per firm
    [InlineData(100, 60, 40)]  // 50, but only 40 left of the firm's 100
    public void Bank_credit_loss_is_compensated_at_50_percent_up_to_100万_per_firm(long lossWan, long firmBeforeWan, long expectedWan)
    {
        // 002:219-221: 贷款本金实际损失按 50% 补偿, 单个企业最高 100万元.
        var result = Fixed("risk-compensation-bank-credit", new DateOnly(2022, 3, 1), beneficiary: new Beneficiary(BeneficiaryKind.Bank, "icbc-new-market-branch"),
            inputs: new() { ["verified_loss_fen"] = Wan(lossWan).ToString(CultureInfo.InvariantCulture), ["loan"] = "loan-" + lossWan }, ledgerBefore: Wan(firmBeforeWan));

        Assert.Equal(Wan(expectedWan), result.Amount.Value);
    }

    [Theory]
    [InlineData(1000, 0, 200)]    // 1000 × 20% = 200
    [InlineData(1000, 400, 100)]  // 200, but only 100 left of the guarantor's 500 this year
    [InlineData(3000, 0, 500)]    // 600 capped at 500 a year
    public void Guarantee_loss_is_compensated_at_20_percent_up_to_500万_per_guarantor_per_year(long lossWan, long yearBeforeWan, long expectedWan)
    {
        // 002:225: 按担保代偿损失的 20% 补偿, 单一法人机构年最高补偿 500万元.
        var result = Fixed("risk-compensation-guarantee", new DateOnly(2022, 3, 1), beneficiary: new Beneficiary(BeneficiaryKind.Guarantor, "dalian-guarantee"),
            inputs: new() { ["verified_loss_fen"] = Wan(lossWan).ToString(CultureInfo.InvariantCulture), ["loan"] = "loan-g" }, ledgerBefore: Wan(yearBeforeWan));

        Assert.Equal(Wan(expectedWan), result.Amount.Value);
    }

    [Fact]
    public void Guarantee_cap_is_kept_per_year()
    {
        var policy = Catalogue.Get("risk-compensation-guarantee");
        var guarantor = new Beneficiary(BeneficiaryKind.Guarantor, "dalian-guarantee");

        var y2021 = PolicyEvaluator.LedgersFor(policy, guarantor, "x", new DateOnly(2021, 12, 31)).Single().LedgerId;
        var y2022 = PolicyEvaluator.LedgersFor(policy, guarantor, "x", new DateOnly(2022, 1, 1)).Single().LedgerId;

        Assert.NotEqual(y2021, y2022);
        Assert.EndsWith("|2022", y2022);
    }

    [Fact]
    public void Tech_contract_subsidy_is_10_percent_up_to_100万_per_contract()
    {
        // 002:183: 按技术交易额给予企业 10% 补助, 每项最高不超过 100万元.
        Computation Contract(long wan) => Fixed("tech-contract-enterprise-subsidy", new DateOnly(2020, 7, 1),
            inputs: new() { ["contract_value_fen"] = Wan(wan).ToString(CultureInfo.InvariantCulture), ["contract_reference"] = "c-" + wan });

        Assert.Equal(Wan(30), Contract(300).Amount.Value);   // 300 × 10%
        Assert.Equal(Wan(100), Contract(2000).Amount.Value); // 200 capped at 100
    }

    [Fact]
    public void Overseas_listing_needs_at_least_10M_USD_raised()
    {
        // 002:231: 融资 1000万美元以上 → 300万元. US$10,000,000 = 1,000,000,000 cents.
        Computation Listing(long cents) => Fixed("listing-overseas", new DateOnly(2021, 9, 1),
            inputs: new() { ["raised_usd_cents"] = cents.ToString(CultureInfo.InvariantCulture) });

        Assert.Equal(Wan(300), Listing(1_000_000_000).Amount.Value);
        Assert.Equal("BELOW_THRESHOLD", Assert.Throws<FailedPreconditionException>(() => Listing(999_999_999)).Violations[0].Type);
    }

    [Fact]
    public void Requested_stage_subsidies_beyond_a_cap_are_out_of_range()
    {
        // 002:233: 新三板 at most 140万 in total; 002:227: domestic IPO at most 300万, a 新三板 firm gets the difference.
        Computation Stage(string policy, long requestedWan, long ledgerBeforeWan) => Fixed(policy, new DateOnly(2021, 9, 1),
            inputs: new() { ["requested_fen"] = Wan(requestedWan).ToString(CultureInfo.InvariantCulture), ["stage"] = "listed" }, ledgerBefore: Wan(ledgerBeforeWan));

        Assert.Equal(Wan(40), Stage("listing-neeq", 40, 100).Amount.Value);
        var neeqOver = Assert.Throws<OutOfRangeException>(() => Stage("listing-neeq", 50, 100));
        Assert.Contains("= 40万", neeqOver.Message);

        // After 140万 of 新三板 subsidies the IPO may still pay 300 − 140 = 160万.
        Assert.Equal(Wan(160), Stage("listing-domestic-ipo", 160, 140).Amount.Value);
        Assert.Throws<OutOfRangeException>(() => Stage("listing-domestic-ipo", 161, 140));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Requested_amounts_must_be_positive(long fen)
    {
        var ex = Assert.Throws<ValidationException>(() => Fixed("listing-neeq", new DateOnly(2021, 9, 1),
            inputs: new() { ["requested_fen"] = fen.ToString(CultureInfo.InvariantCulture), ["stage"] = "tutoring" }));

        Assert.Equal("inputs.requested_fen", ex.Violations[0].Field);
    }

    [Fact]
    public void Missing_inputs_are_reported_together()
    {
        var ex = Assert.Throws<ValidationException>(() => Fixed("equity-investment-reward", new DateOnly(2021, 9, 1), tiers: [EnterpriseTier.HighTech],
            beneficiary: Manager, inputs: []));

        Assert.Equal(["inputs.deal_reference", "inputs.investment_fen"], ex.Violations.Select(v => v.Field));
    }

    [Fact]
    public void The_same_deal_gives_the_same_claim_so_it_is_paid_once()
    {
        var policy = Catalogue.Get("equity-investment-reward");
        PayoutCase Case(string subject) => new(Manager, subject, new DateOnly(2021, 5, 1), null, new DateOnly(2021, 5, 2), [EnterpriseTier.HighTech],
            new Dictionary<string, string> { ["investment_fen"] = "100", ["deal_reference"] = "SH-2021-0042" });

        Assert.Equal(PolicyEvaluator.ClaimKey(policy, Case(NewUscc())), PolicyEvaluator.ClaimKey(policy, Case(NewUscc())));
        Assert.Equal("equity-investment-reward|SH-2021-0042", PolicyEvaluator.ClaimKey(policy, Case(NewUscc())));
    }
}
