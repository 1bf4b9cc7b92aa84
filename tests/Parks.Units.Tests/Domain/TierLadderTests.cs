using Parks.Domain;
using Parks.Units.Domain;
using static Parks.Units.Tests.TestData;

namespace Parks.Units.Tests.Domain;

public sealed class TierLadderTests
{
    private static readonly DateOnly January = new(2024, 1, 10);

    [Fact]
    public void A_new_enterprise_enters_the_ladder_at_tech_sme_with_the_default_validity()
    {
        var (enterprise, cert, previous) = NewEnterprise().Certify(Cert(EnterpriseTier.TechSme, January), Rules, Today, Now);

        Assert.Equal(EnterpriseTier.Unspecified, previous);
        Assert.Equal(EnterpriseTier.TechSme, enterprise.Tier);
        Assert.Equal("1", cert.Id);
        Assert.Equal(new DateOnly(2025, 1, 9), cert.ValidTo);   // 12 months (illustrative), last day inclusive
        Assert.False(cert.Renewal);
        Assert.Single(enterprise.Certifications);
    }

    [Fact]
    public void An_enterprise_without_a_tier_cannot_enter_above_the_entry_tier()
    {
        var error = Assert.Throws<FailedPreconditionException>(() =>
            NewEnterprise().Certify(Cert(EnterpriseTier.HighTech, January), Rules, Today, Now));

        var violation = Assert.Single(error.Violations);
        Assert.Equal("TIER_TRANSITION", violation.Type);
        Assert.Contains("enters the ladder", violation.Description);
        Assert.Contains("科技型中小企业", violation.Description);
    }

    [Fact]
    public void Skipping_rungs_is_refused_with_the_ladder_in_the_reason()
    {
        var techSme = NewEnterprise().Certify(Cert(EnterpriseTier.TechSme, January), Rules, Today, Now).Enterprise;

        var error = Assert.Throws<FailedPreconditionException>(() => techSme.Certify(Cert(EnterpriseTier.Gazelle, January), Rules, Today, Now));

        Assert.Contains("skips 2 rung(s)", error.Message);
        Assert.Contains(TierLadder.Description, error.Message);
        Assert.Equal(EnterpriseTier.TechSme, techSme.Tier);
    }

    [Theory]
    [InlineData(EnterpriseTier.HighTech, true)]
    [InlineData(EnterpriseTier.Eaglet, false)]     // one rung too far: 科小 → 雏鹰 skips 高企
    public void By_default_a_certification_climbs_exactly_one_rung(EnterpriseTier next, bool allowed)
    {
        var techSme = NewEnterprise().Certify(Cert(EnterpriseTier.TechSme, January), Rules, Today, Now).Enterprise;

        if (allowed)
        {
            Assert.Equal(next, techSme.Certify(Cert(next, January), Rules, Today, Now).Enterprise.Tier);
        }
        else
        {
            var error = Assert.Throws<FailedPreconditionException>(() => techSme.Certify(Cert(next, January), Rules, Today, Now));
            Assert.Contains("skips 1 rung(s)", error.Message);
        }
    }

    [Fact]
    public void A_wider_configured_step_allows_the_jump()
    {
        var rules = new TierRules { MaxRungStep = 2 };
        var techSme = NewEnterprise().Certify(Cert(EnterpriseTier.TechSme, January), rules, Today, Now).Enterprise;

        var (eaglet, _, previous) = techSme.Certify(Cert(EnterpriseTier.Eaglet, January), rules, Today, Now);

        Assert.Equal(EnterpriseTier.TechSme, previous);
        Assert.Equal(EnterpriseTier.Eaglet, eaglet.Tier);
    }

    [Fact]
    public void Climbing_rung_by_rung_reaches_unicorn()
    {
        var unicorn = Climb(NewEnterprise(), EnterpriseTier.Unicorn, January);

        Assert.Equal(EnterpriseTier.Unicorn, unicorn.Tier);
        Assert.Equal(["1", "2", "3", "4", "5"], unicorn.Certifications.Select(c => c.Id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(100_000_000_000L)]          // exactly 10亿元: "超10亿元" means above it
    public void Leader_requires_output_above_ten_yi(long? outputFen)
    {
        var unicorn = Climb(NewEnterprise(), EnterpriseTier.Unicorn, January);

        var error = Assert.Throws<FailedPreconditionException>(() =>
            unicorn.Certify(Cert(EnterpriseTier.Leader, January, outputFen: outputFen), Rules, Today, Now));

        Assert.Equal("TIER_CRITERIA", error.Violations[0].Type);
        Assert.Contains("002:45", error.Message);
    }

    [Fact]
    public void Leader_is_certified_one_fen_above_the_threshold()
    {
        var unicorn = Climb(NewEnterprise(), EnterpriseTier.Unicorn, January);

        var leader = unicorn.Certify(Cert(EnterpriseTier.Leader, January, outputFen: 100_000_000_001L), Rules, Today, Now).Enterprise;

        Assert.Equal(EnterpriseTier.Leader, leader.Tier);
    }

    [Fact]
    public void Listed_is_the_alternative_top_rung_and_does_not_expire()
    {
        var unicorn = Climb(NewEnterprise(), EnterpriseTier.Unicorn, January);

        var (listed, cert, _) = unicorn.Certify(Cert(EnterpriseTier.Listed, January), Rules, Today, Now);

        Assert.Null(cert.ValidTo);
        Assert.Equal(EnterpriseTier.Listed, listed.Tier);
        Assert.Equal(EnterpriseTier.Listed, listed.TierOn(new DateOnly(2040, 1, 1), Rules));
        // A listed leader is shown as listed: the same rung, a stable choice.
        var both = listed.Certify(Cert(EnterpriseTier.Leader, January, outputFen: Fen.FromYi(20).Value), Rules, Today, Now).Enterprise;
        Assert.Equal(EnterpriseTier.Listed, both.Tier);
    }

    [Fact]
    public void A_tier_already_held_is_renewed_not_certified_again()
    {
        var techSme = NewEnterprise().Certify(Cert(EnterpriseTier.TechSme, January), Rules, Today, Now).Enterprise;

        var error = Assert.Throws<FailedPreconditionException>(() => techSme.Certify(Cert(EnterpriseTier.TechSme, Today), Rules, Today, Now));

        Assert.Contains("already holds", error.Message);
        Assert.Contains("renew", error.Message);
    }

    [Fact]
    public void A_lapsed_lower_tier_may_be_certified_anew_below_the_current_tier()
    {
        // 科小 and 高企 from 2020 lapse (高企 after its re-certification period); 雏鹰 from 2024 keeps the enterprise up.
        var rules = new TierRules { ValidityMonths = new() { [EnterpriseTier.TechSme] = 12, [EnterpriseTier.HighTech] = 36, [EnterpriseTier.Eaglet] = 60 } };
        var old = new DateOnly(2020, 1, 1);
        var e = NewEnterprise();
        e = e.Certify(Cert(EnterpriseTier.TechSme, old), rules, old, Now).Enterprise;
        e = e.Certify(Cert(EnterpriseTier.HighTech, old), rules, old, Now).Enterprise;
        e = e.Certify(Cert(EnterpriseTier.Eaglet, old), rules, old, Now).Enterprise;
        Assert.Equal(EnterpriseTier.Eaglet, e.TierOn(Today, rules));
        Assert.Equal(CertificationState.Expired, e.Certifications[1].StateOn(Today, rules));

        var (again, cert, previous) = e.Certify(Cert(EnterpriseTier.HighTech, January), rules, Today, Now);

        Assert.Equal(EnterpriseTier.Eaglet, previous);
        Assert.Equal(EnterpriseTier.HighTech, cert.Tier);
        Assert.False(cert.Renewal);
        Assert.Equal(EnterpriseTier.Eaglet, again.Tier);
    }

    [Fact]
    public void Certification_fields_are_all_validated_at_once()
    {
        var draft = new CertificationDraft(EnterpriseTier.Unspecified, " ", AuthorityLevel.Unspecified, new string('x', 201), null, null, -1);

        var error = Assert.Throws<ValidationException>(() => NewEnterprise().Certify(draft, Rules, Today, Now));

        Assert.Equal(["tier", "authority", "authority_level", "batch", "valid_from", "annual_output_fen"], error.Violations.Select(v => v.Field));
    }

    [Fact]
    public void Certification_dates_are_checked_against_today_the_registration_and_the_validity()
    {
        var e = NewEnterprise();   // registered 2018-03-01
        Assert.Equal("valid_from", Field(() => e.Certify(Cert(EnterpriseTier.TechSme, Today.AddDays(1)), Rules, Today, Now)));
        Assert.Equal("valid_from", Field(() => e.Certify(Cert(EnterpriseTier.TechSme, new DateOnly(2017, 1, 1)), Rules, Today, Now)));
        Assert.Equal("valid_to", Field(() => e.Certify(Cert(EnterpriseTier.TechSme, January, January.AddDays(-1)), Rules, Today, Now)));
        var tooLong = Assert.Throws<ValidationException>(() => e.Certify(Cert(EnterpriseTier.TechSme, January, new DateOnly(2025, 1, 10)), Rules, Today, Now));
        Assert.Contains("at most 12 months", tooLong.Violations[0].Description);
        Assert.Contains("2025-01-09", tooLong.Violations[0].Description);
    }

    [Fact]
    public void A_deregistered_enterprise_is_not_certified_and_holds_no_tier()
    {
        var e = NewEnterprise().Certify(Cert(EnterpriseTier.TechSme, January), Rules, Today, Now).Enterprise;
        var closed = e.Update(["status"], new EnterprisePatch(null, null, null, null, null, EnterpriseStatus.Deregistered), Industries, Rules, Today, Now);

        Assert.Equal(EnterpriseTier.Unspecified, closed.Tier);
        var error = Assert.Throws<FailedPreconditionException>(() => closed.Certify(Cert(EnterpriseTier.HighTech, January), Rules, Today, Now));
        Assert.Equal("ENTERPRISE_STATUS", error.Violations[0].Type);
    }

    [Fact]
    public void High_tech_is_renewed_within_the_window_and_the_old_certification_points_to_the_new_one()
    {
        // 高企 from 2021-07-01 ends 2024-06-30; today (2024-06-15) is inside the 180-day renewal window.
        var e = HighTechFrom(new DateOnly(2021, 7, 1));
        var old = e.Certifications.Single(c => c.Tier == EnterpriseTier.HighTech);
        Assert.Equal(new DateOnly(2024, 6, 30), old.ValidTo);

        var (renewed, cert, previous) = e.Renew(old.Id, Renewal(new DateOnly(2024, 7, 1)), Rules, Today, Now);

        Assert.True(cert.Renewal);
        Assert.Equal(old.Id, cert.Renews);
        Assert.Equal(new DateOnly(2027, 6, 30), cert.ValidTo);
        Assert.Equal(cert.Id, renewed.FindCertification(old.Id).RenewedBy);
        Assert.Equal(EnterpriseTier.HighTech, previous);
        Assert.Equal(EnterpriseTier.HighTech, renewed.Tier);
        Assert.Equal(CertificationState.Upcoming, cert.StateOn(Today, Rules));
        Assert.Equal(CertificationState.Renewed, renewed.FindCertification(old.Id).StateOn(new DateOnly(2024, 7, 2), Rules));
        Assert.Equal(EnterpriseTier.HighTech, renewed.TierOn(new DateOnly(2027, 6, 30), Rules));
    }

    [Fact]
    public void A_renewal_before_the_window_opens_is_refused_with_the_opening_date()
    {
        var e = HighTechFrom(new DateOnly(2023, 1, 1));   // ends 2025-12-31

        var error = Assert.Throws<FailedPreconditionException>(() => e.Renew(HighTechId(e), Renewal(new DateOnly(2026, 1, 1)), Rules, Today, Now));

        Assert.Equal("RENEWAL_WINDOW", error.Violations[0].Type);
        Assert.Contains("opens on 2025-07-04", error.Message);
    }

    [Fact]
    public void A_high_tech_past_its_end_keeps_the_tier_during_re_certification_and_may_still_be_renewed()
    {
        // Ended 2024-03-31; 76 days later the re-certification (再认定, 002:767) is pending, the tier is kept.
        var e = HighTechFrom(new DateOnly(2021, 4, 1));
        var old = e.FindCertification(HighTechId(e));
        Assert.Equal(CertificationState.RecertificationPending, old.StateOn(Today, Rules));
        Assert.Equal(EnterpriseTier.HighTech, e.TierOn(Today, Rules));

        var renewed = e.Renew(old.Id, Renewal(new DateOnly(2024, 6, 1)), Rules, Today, Now).Enterprise;

        Assert.Equal(EnterpriseTier.HighTech, renewed.Tier);
        Assert.Equal(new DateOnly(2027, 5, 31), renewed.Certifications[^1].ValidTo);
    }

    [Fact]
    public void After_the_re_certification_period_the_high_tech_tier_lapses()
    {
        var e = HighTechFrom(new DateOnly(2021, 4, 1));
        var old = e.FindCertification(HighTechId(e));
        var lapse = old.LapsesOn(Rules)!.Value;
        Assert.Equal(new DateOnly(2024, 3, 31).AddDays(181), lapse);

        Assert.Equal(EnterpriseTier.HighTech, e.TierOn(lapse.AddDays(-1), Rules));
        Assert.NotEqual(EnterpriseTier.HighTech, e.TierOn(lapse, Rules));
        var error = Assert.Throws<FailedPreconditionException>(() => e.Renew(old.Id, Renewal(lapse), Rules, lapse, Now));
        Assert.Contains("lapsed", error.Message);
    }

    [Fact]
    public void Other_tiers_lapse_the_day_after_they_end_and_cannot_be_renewed_afterwards()
    {
        var e = NewEnterprise().Certify(Cert(EnterpriseTier.TechSme, new DateOnly(2023, 1, 1)), Rules, new DateOnly(2023, 1, 1), Now).Enterprise;

        Assert.Equal(EnterpriseTier.TechSme, e.TierOn(new DateOnly(2023, 12, 31), Rules));
        Assert.Equal(EnterpriseTier.Unspecified, e.TierOn(new DateOnly(2024, 1, 1), Rules));
        Assert.Throws<FailedPreconditionException>(() => e.Renew("1", Renewal(new DateOnly(2024, 1, 1)), Rules, Today, Now));
    }

    [Fact]
    public void A_renewal_must_continue_the_certification_without_a_gap()
    {
        var e = HighTechFrom(new DateOnly(2021, 7, 1));   // ends 2024-06-30, today 2024-06-15
        var id = HighTechId(e);

        Assert.Equal("valid_from", Field(() => e.Renew(id, Renewal(new DateOnly(2021, 7, 1)), Rules, Today, Now)));
        Assert.Equal("valid_from", Field(() => e.Renew(id, Renewal(new DateOnly(2024, 8, 1)), Rules, Today, Now)));
        Assert.Equal("valid_from", Field(() => e.Renew(id, Renewal(null), Rules, Today, Now)));
    }

    [Fact]
    public void A_certification_renewed_once_cannot_be_renewed_again()
    {
        var e = HighTechFrom(new DateOnly(2021, 7, 1));
        var id = HighTechId(e);
        var renewed = e.Renew(id, Renewal(new DateOnly(2024, 7, 1)), Rules, Today, Now).Enterprise;

        var error = Assert.Throws<FailedPreconditionException>(() => renewed.Renew(id, Renewal(new DateOnly(2024, 7, 1)), Rules, Today, Now));

        Assert.Contains("already renewed", error.Message);
    }

    [Fact]
    public void Listed_certifications_do_not_expire_so_they_are_not_renewed()
    {
        var listed = Climb(NewEnterprise(), EnterpriseTier.Listed, January);

        var error = Assert.Throws<FailedPreconditionException>(() => listed.Renew(listed.Certifications[^1].Id, Renewal(Today), Rules, Today, Now));

        Assert.Contains("does not expire", error.Message);
    }

    [Fact]
    public void An_unknown_certification_is_not_found()
    {
        var e = NewEnterprise();

        var error = Assert.Throws<NotFoundException>(() => e.Renew("9", Renewal(Today), Rules, Today, Now));

        Assert.Equal($"districts/lingshui/enterprises/{e.Uscc}/certifications/9", error.ResourceName);
    }

    [Fact]
    public void Disqualifying_a_high_tech_during_re_certification_claws_back_the_tax()
    {
        var e = HighTechFrom(new DateOnly(2021, 4, 1));   // in its re-certification period today

        var (after, cert) = e.Disqualify(HighTechId(e), "再认定未通过", null, Rules, Today, Now);

        Assert.True(cert.TaxClawback);
        Assert.Equal(CertificationStatus.Disqualified, cert.Status);
        Assert.Equal(Today, cert.DisqualifiedOn);
        Assert.Equal(EnterpriseTier.TechSme, after.Tier);
        Assert.Equal(CertificationState.Disqualified, after.FindCertification(cert.Id).StateOn(Today, Rules));
    }

    [Fact]
    public void Disqualifying_a_valid_high_tech_drops_the_tier_without_clawback()
    {
        var e = HighTechFrom(new DateOnly(2023, 1, 1));

        var (after, cert) = e.Disqualify(HighTechId(e), "取消高企资格", new DateOnly(2024, 5, 1), Rules, Today, Now);

        Assert.False(cert.TaxClawback);
        Assert.Equal(EnterpriseTier.TechSme, after.Tier);
    }

    [Fact]
    public void A_disqualification_needs_a_reason_and_a_plausible_date_and_happens_once()
    {
        var e = HighTechFrom(new DateOnly(2023, 1, 1));
        var id = HighTechId(e);
        Assert.Equal("reason", Field(() => e.Disqualify(id, "", null, Rules, Today, Now)));
        Assert.Equal("effective_date", Field(() => e.Disqualify(id, "x", Today.AddDays(1), Rules, Today, Now)));
        Assert.Equal("effective_date", Field(() => e.Disqualify(id, "x", new DateOnly(2022, 12, 31), Rules, Today, Now)));

        var once = e.Disqualify(id, "取消高企资格", null, Rules, Today, Now).Enterprise;

        Assert.Contains("already disqualified", Assert.Throws<FailedPreconditionException>(() => once.Disqualify(id, "again", null, Rules, Today, Now)).Message);
        Assert.Contains("disqualified", Assert.Throws<FailedPreconditionException>(() => once.Renew(id, Renewal(Today), Rules, Today, Now)).Message);
    }

    [Fact]
    public void Configuration_problems_are_reported_with_their_keys()
    {
        var rules = new TierRules { MaxRungStep = 0, RenewalWindowDays = -1, ValidityMonths = new() { [EnterpriseTier.HighTech] = 0 } };

        var problems = rules.Problems();

        Assert.Equal(3, problems.Count);
        Assert.All(problems, p => Assert.StartsWith(TierRules.SectionName, p));
        Assert.Empty(new TierRules().Problems());
    }

    private static Enterprise HighTechFrom(DateOnly from)
    {
        var e = NewEnterprise().Certify(Cert(EnterpriseTier.TechSme, from, from.AddYears(5).AddDays(-1)), new TierRules { ValidityMonths = new() { [EnterpriseTier.TechSme] = 60 } }, from, Now).Enterprise;
        return e.Certify(Cert(EnterpriseTier.HighTech, from), Rules, from, Now).Enterprise;
    }

    private static string HighTechId(Enterprise e) => e.Certifications.Single(c => c.Tier == EnterpriseTier.HighTech).Id;

    private static RenewalDraft Renewal(DateOnly? validFrom) => new("大连高新区管委会", AuthorityLevel.Zone, "2024年高企重新认定", validFrom, null);

    private static string Field(Action action) => Assert.Single(Assert.Throws<ValidationException>(action).Violations).Field;
}
