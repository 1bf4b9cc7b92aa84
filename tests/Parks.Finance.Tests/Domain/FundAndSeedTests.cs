using Parks.Domain;
using Parks.Finance.Data;
using Parks.Finance.Domain.Funds;
using Parks.Finance.Domain.Institutions;
using static Parks.Finance.Tests.TestData;

namespace Parks.Finance.Tests.Domain;

public sealed class FundAndSeedTests
{
    private static readonly DateTimeOffset Now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Institution_baseline_is_the_zones_141_by_kind()
    {
        var b = FinanceSeed.LoadEmbedded().InstitutionBaseline;

        // 000:152: 银行21 保险6 证券7 期货3 担保9 小贷11 租赁9 交易场所2 投资机构73 = 141.
        Assert.Equal(2023, b.Year);
        Assert.Equal(141, b.Total);
        Assert.Equal(21, b.ByKind[InstitutionKind.Bank]);
        Assert.Equal(6, b.ByKind[InstitutionKind.Insurance]);
        Assert.Equal(7, b.ByKind[InstitutionKind.Securities]);
        Assert.Equal(3, b.ByKind[InstitutionKind.Futures]);
        Assert.Equal(9, b.ByKind[InstitutionKind.FinancingGuarantee]);
        Assert.Equal(11, b.ByKind[InstitutionKind.Microcredit]);
        Assert.Equal(9, b.ByKind[InstitutionKind.FinancialLeasing]);
        Assert.Equal(2, b.ByKind[InstitutionKind.Exchange]);
        Assert.Equal(73, b.ByKind[InstitutionKind.Investment]);
    }

    [Fact]
    public void A_baseline_that_does_not_add_up_is_rejected()
    {
        var bad = """{ "baseline": { "year": 2023, "total": 140, "src": "x", "kinds": { "Bank": 21, "Investment": 73 } }, "named": [] }""";

        var ex = Assert.Throws<InvalidDataException>(() => FinanceSeed.Load("""{ "products": [] }""", bad, """{ "funds": [] }"""));
        Assert.Contains("94", ex.Message);
    }

    [Fact]
    public void Every_seeded_fact_carries_its_source()
    {
        var seed = FinanceSeed.LoadEmbedded();

        Assert.All(seed.LoanProducts, p => Assert.False(string.IsNullOrEmpty(p.Source)));
        Assert.All(seed.Institutions, i => Assert.False(string.IsNullOrEmpty(i.Draft.Source)));
        Assert.All(seed.Funds, f => Assert.False(string.IsNullOrEmpty(f.Draft.Source)));
        Assert.All(Catalogue.All, p => Assert.False(string.IsNullOrEmpty(p.Source)));
        Assert.Equal(["entrepreneurship-guarantee-loan", "innovation-points-loan", "ip-guarantee-loan", "ip-insurance-loan"], seed.LoanProducts.Select(p => p.Id).Order());
    }

    [Fact]
    public void Guidance_fund_levers_39亿_on_10亿_in_place()
    {
        var seed = FinanceSeed.LoadEmbedded();
        var mother = Fund.Create("zone-guidance-fund", seed.Funds.Single(f => f.Id == "zone-guidance-fund").Draft, null, Now);

        // 000:66: 已到位资金10亿元, 撬动社会资本39亿元 → 3.9 × = 39000 basis points.
        Assert.Equal(100_000_000_000L, mother.PaidIn.Value); // 10亿元 = 10^9 yuan = 10^11 fen
        Assert.Equal(39000, Fund.LeverageBasisPoints(mother.PaidIn, mother.LeveragedSocialCapitalReported!.Value));
    }

    private static Fund Mother() => Fund.Create("mother", new FundDraft("Mother", FundRole.Mother, null, FundStage.Guidance, FundStatus.Active, null,
        Fen.FromYi(10), Fen.Zero, Fen.FromYi(10), null, null), null, Now);

    [Fact]
    public void A_sub_fund_needs_an_existing_mother_fund()
    {
        var mother = Mother();
        FundDraft Sub(string? parent) => new("Sub", FundRole.Sub, parent, FundStage.Angel, FundStatus.BeingSetUp, null, Fen.FromWan(2000), Fen.FromWan(8000), Fen.Zero, null, null);

        Assert.Throws<NotFoundException>(() => Fund.Create("sub", Sub("funds/none"), null, Now));
        Assert.Equal("parent_fund", Assert.Throws<ValidationException>(() => Fund.Create("sub", Sub(null), null, Now)).Violations[0].Field);
        var sub = Fund.Create("sub", Sub(mother.Name), mother, Now);
        Assert.Throws<FailedPreconditionException>(() => Fund.Create("subsub", Sub(sub.Name), sub, Now));

        // 2000万 from the mother fund, 8000万 from social capital: 4 × leverage = 40000 basis points.
        Assert.Equal(40000, Fund.LeverageBasisPoints(sub.GovernmentCommitted, sub.SocialCommitted));
    }

    [Fact]
    public void Paid_in_capital_never_exceeds_the_commitment()
    {
        var sub = Fund.Create("sub", new FundDraft("Sub", FundRole.Sub, "funds/mother", FundStage.VentureCapital, FundStatus.Active, null,
            Fen.FromWan(2000), Fen.FromWan(8000), Fen.FromWan(3000), null, null), Mother(), Now);

        var more = sub.RecordPaidIn(Fen.FromWan(7000), Now);

        Assert.Equal(Wan(10000), more.PaidIn.Value);
        Assert.Throws<OutOfRangeException>(() => more.RecordPaidIn(Fen.FromYuan(1), Now));
        Assert.Throws<ValidationException>(() => sub.RecordPaidIn(Fen.Zero, Now));
    }

    [Fact]
    public void A_closed_fund_stays_closed()
    {
        var closed = Mother().ChangeStatus(FundStatus.Closed, Now);

        Assert.Throws<FailedPreconditionException>(() => closed.ChangeStatus(FundStatus.Active, Now));
    }

    [Fact]
    public void Policy_rates_are_parsed_exactly()
    {
        Assert.Equal((15L, 1000L), PolicyCatalogue.Ratio("1.5", s => s));
        Assert.Equal((4L, 100L), PolicyCatalogue.Ratio("4", s => s));
        Assert.Throws<InvalidDataException>(() => PolicyCatalogue.Ratio("0", s => s));
    }
}
