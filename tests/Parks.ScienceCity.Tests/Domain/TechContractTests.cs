using Parks.Domain;
using Parks.ScienceCity.Domain;

namespace Parks.ScienceCity.Tests.Domain;

public sealed class TechContractTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly string Buyer = UnifiedSocialCreditCode.FromBody("91210200MA0QXXXX1").Value;

    private static TechContractDraft Draft(long valueFen, DateOnly? signed = null, string number = "2024210200000123") => new(
        number, TechContractType.Transfer,
        new ContractParty("中科院大连化物所", PartyKind.ResearchInstitute, null),
        new ContractParty("Demo Hydrogen Ltd", PartyKind.Enterprise, Buyer),
        new Fen(valueFen), signed ?? new DateOnly(2024, 3, 1), null);

    [Fact]
    public void Turnover_is_the_sum_of_contract_values_of_the_year()
    {
        // 300万 + 1250.5万 + 49.99元: 3,000,000.00 + 12,505,000.00 + 49.99 yuan = 15,505,049.99 yuan.
        var a = TechContract.Register("c1", Draft(300_000_000), Now);
        var b = TechContract.Register("c2", Draft(1_250_500_000, number: "n2"), Now);
        var c = TechContract.Register("c3", Draft(4_999, number: "n3"), Now);

        var turnover = TechContractTurnover.Empty(2024).Add(a).Add(b).Add(c);

        Assert.Equal(1_550_504_999L, turnover.Total.Value);
        Assert.Equal(3, turnover.ContractCount);
    }

    [Fact]
    public void A_contract_of_another_year_is_not_added()
    {
        var a = TechContract.Register("c1", Draft(100, new DateOnly(2023, 12, 31)), Now);

        Assert.Throws<InvalidOperationException>(() => TechContractTurnover.Empty(2024).Add(a));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Value_must_be_positive(long value)
    {
        var ex = Assert.Throws<ValidationException>(() => TechContract.Register("c1", Draft(value), Now));
        Assert.Equal("value_fen", ex.Violations[0].Field);
    }

    [Fact]
    public void Enterprise_parties_need_a_valid_code_and_parties_must_differ()
    {
        var noCode = Draft(100) with { Buyer = new ContractParty("Firm", PartyKind.Enterprise, null) };
        var badCode = Draft(100) with { Buyer = new ContractParty("Firm", PartyKind.Enterprise, "91210200MA0QXXXX10") };
        var same = Draft(100) with { Seller = new ContractParty("Firm", PartyKind.Enterprise, Buyer) };

        Assert.Equal("buyer.uscc", Assert.Throws<ValidationException>(() => TechContract.Register("c1", noCode, Now)).Violations[0].Field);
        Assert.Equal("buyer.uscc", Assert.Throws<ValidationException>(() => TechContract.Register("c1", badCode, Now)).Violations[0].Field);
        Assert.Equal("buyer", Assert.Throws<ValidationException>(() => TechContract.Register("c1", same, Now)).Violations[0].Field);
    }

    [Fact]
    public void A_contract_signed_in_the_future_is_invalid()
    {
        var ex = Assert.Throws<ValidationException>(() => TechContract.Register("c1", Draft(100, new DateOnly(2024, 6, 2)), Now));
        Assert.Equal("signed_date", ex.Violations[0].Field);
    }
}
