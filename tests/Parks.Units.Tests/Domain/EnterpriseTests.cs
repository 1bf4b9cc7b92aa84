using Parks.Domain;
using Parks.Units.Domain;
using static Parks.Units.Tests.TestData;

namespace Parks.Units.Tests.Domain;

public sealed class EnterpriseTests
{
    [Fact]
    public void Registers_a_valid_enterprise_in_its_unit()
    {
        var uscc = NewUscc();

        var e = Enterprise.Register(Qixianling, Draft(uscc) with { DisplayName = "  七贤岭数字科技有限公司 ", Address = " " }, Industries, demo: false, Today, Now);

        Assert.Equal($"districts/qixianling/enterprises/{uscc}", e.Name);
        Assert.Equal("七贤岭数字科技有限公司", e.DisplayName);
        Assert.Null(e.Address);
        Assert.Equal(EnterpriseStatus.Operating, e.Status);
        Assert.Equal(EnterpriseTier.Unspecified, e.Tier);
        Assert.False(e.Demo);
        Assert.Empty(e.Locations);
    }

    [Fact]
    public void Reports_every_invalid_field_at_once()
    {
        var draft = new EnterpriseDraft("91350100M000100Y44", "", "steel", Today.AddDays(1), new string('a', 301), new string('b', 101));

        var error = Assert.Throws<ValidationException>(() => Enterprise.Register(Lingshui, draft, Industries, false, Today, Now));

        Assert.Equal(
            ["enterprise.uscc", "enterprise.display_name", "enterprise.industry", "enterprise.registration_date", "enterprise.address", "enterprise.building"],
            error.Violations.Select(v => v.Field));
        Assert.Contains("requires '3'", error.Violations[0].Description);
        Assert.Contains("software-it", error.Violations[2].Description);
    }

    [Fact]
    public void Missing_industry_and_date_are_required()
    {
        var error = Assert.Throws<ValidationException>(() =>
            Enterprise.Register(Lingshui, new EnterpriseDraft(NewUscc(), "x", null, null, null, null), Industries, false, Today, Now));

        Assert.Equal(["enterprise.industry", "enterprise.registration_date"], error.Violations.Select(v => v.Field));
        Assert.All(error.Violations, v => Assert.StartsWith("is required", v.Description));
    }

    [Fact]
    public void Update_changes_only_the_masked_fields()
    {
        var e = NewEnterprise();
        var patch = new EnterprisePatch("新名称有限公司", "metaverse", null, "新地址", "B座", EnterpriseStatus.Unspecified);

        var updated = e.Update(["display_name", "industry"], patch, Industries, Rules, Today, Now.AddHours(1));

        Assert.Equal("新名称有限公司", updated.DisplayName);
        Assert.Equal("metaverse", updated.Industry);
        Assert.Equal(e.Address, updated.Address);
        Assert.Equal(e.Building, updated.Building);
        Assert.Equal(Now.AddHours(1), updated.UpdateTime);
    }

    [Theory]
    [InlineData("uscc", "immutable")]
    [InlineData("tier", "CertifyEnterpriseTier")]
    [InlineData("employees", "cannot be updated")]
    public void Update_refuses_fields_outside_the_mask_rules(string path, string reason)
    {
        var error = Assert.Throws<ValidationException>(() =>
            NewEnterprise().Update([path], new EnterprisePatch(null, null, null, null, null, EnterpriseStatus.Unspecified), Industries, Rules, Today, Now));

        Assert.Equal("update_mask", error.Violations[0].Field);
        Assert.Contains(reason, error.Violations[0].Description);
    }

    [Fact]
    public void Update_needs_a_mask_and_valid_values()
    {
        var e = NewEnterprise();
        Assert.Equal("update_mask", Assert.Throws<ValidationException>(() =>
            e.Update([], new EnterprisePatch("x", null, null, null, null, default), Industries, Rules, Today, Now)).Violations[0].Field);

        var error = Assert.Throws<ValidationException>(() =>
            e.Update(["display_name", "industry", "status"], new EnterprisePatch("", "steel", null, null, null, EnterpriseStatus.Unspecified), Industries, Rules, Today, Now));
        Assert.Equal(["enterprise.display_name", "enterprise.industry", "enterprise.status"], error.Violations.Select(v => v.Field));
    }

    [Fact]
    public void The_registration_date_cannot_move_after_the_first_certification()
    {
        var e = NewEnterprise().Certify(Cert(EnterpriseTier.TechSme, new DateOnly(2019, 1, 1)), Rules, Today, Now).Enterprise;

        var error = Assert.Throws<ValidationException>(() =>
            e.Update(["registration_date"], new EnterprisePatch(null, null, new DateOnly(2020, 1, 1), null, null, default), Industries, Rules, Today, Now));

        Assert.Contains("first certification (2019-01-01)", error.Violations[0].Description);
    }

    [Fact]
    public void A_deregistered_enterprise_no_longer_changes()
    {
        var closed = NewEnterprise().Update(["status"], new EnterprisePatch(null, null, null, null, null, EnterpriseStatus.Deregistered), Industries, Rules, Today, Now);

        Assert.Throws<FailedPreconditionException>(() =>
            closed.Update(["status"], new EnterprisePatch(null, null, null, null, null, EnterpriseStatus.Operating), Industries, Rules, Today, Now));
        Assert.Throws<FailedPreconditionException>(() => closed.RelocateTo(Jinpu, Today, null, Today, Now));
    }

    [Fact]
    public void Relocation_moves_the_enterprise_with_its_certifications_and_records_the_move()
    {
        var e = NewEnterprise().Certify(Cert(EnterpriseTier.TechSme, new DateOnly(2024, 1, 2)), Rules, Today, Now).Enterprise;

        var moved = e.RelocateTo(Jinpu, new DateOnly(2024, 6, 1), "扩大生产", Today, Now);

        Assert.Equal(Jinpu, moved.Unit);
        Assert.Equal($"parks/jinpu/enterprises/{e.Uscc}", moved.Name);
        Assert.Equal(e.Certifications, moved.Certifications);
        var move = Assert.Single(moved.Locations);
        Assert.Equal(("districts/lingshui", "parks/jinpu", "扩大生产"), (move.FromUnit, move.ToUnit, move.Reason));

        var back = moved.RelocateTo(Lingshui, Today, null, Today, Now);
        Assert.Equal(2, back.Locations.Count);
    }

    [Fact]
    public void Relocation_is_refused_to_the_same_unit_or_with_an_impossible_date()
    {
        var e = NewEnterprise();   // registered 2018-03-01

        Assert.Equal("RELOCATION_TARGET", Assert.Throws<FailedPreconditionException>(() => e.RelocateTo(Lingshui, Today, null, Today, Now)).Violations[0].Type);
        Assert.Equal("relocation_date", Assert.Throws<ValidationException>(() => e.RelocateTo(Jinpu, null, null, Today, Now)).Violations[0].Field);
        Assert.Equal("relocation_date", Assert.Throws<ValidationException>(() => e.RelocateTo(Jinpu, Today.AddDays(1), null, Today, Now)).Violations[0].Field);
        Assert.Equal("relocation_date", Assert.Throws<ValidationException>(() => e.RelocateTo(Jinpu, new DateOnly(2018, 2, 28), null, Today, Now)).Violations[0].Field);
        var moved = e.RelocateTo(Jinpu, new DateOnly(2024, 6, 1), null, Today, Now);
        Assert.Equal("relocation_date", Assert.Throws<ValidationException>(() => moved.RelocateTo(Lingshui, new DateOnly(2024, 5, 1), null, Today, Now)).Violations[0].Field);
    }
}
