using Parks.Domain;
using Parks.Finance.Domain;
using static Parks.Finance.Tests.TestData;

namespace Parks.Finance.Tests.Domain;

public sealed class EnterpriseProfileTests
{
    private static readonly UnitRef Lingshui = UnitRef.District("lingshui");
    private static readonly UnitRef Jinpu = UnitRef.Park("jinpu");

    [Fact]
    public void A_district_may_act_for_its_own_enterprise_only()
    {
        var uscc = NewUscc();
        var profile = EnterpriseProfile.Empty(uscc).ApplyRegistered(Lingshui, "Demo", "software", new DateOnly(2020, 1, 1));

        Assert.Same(profile, EnterpriseAccess.Authorize(Caller.ForUnit(Lingshui), uscc, profile));
        Assert.Same(profile, EnterpriseAccess.Authorize(Caller.Zone, uscc, profile));
        var denied = Assert.Throws<PermissionDeniedException>(() => EnterpriseAccess.Authorize(Caller.ForUnit(Jinpu), uscc, profile));
        Assert.Contains("parks/jinpu", denied.Message);
        Assert.DoesNotContain("lingshui", denied.Message); // the message does not reveal where the enterprise is
    }

    [Fact]
    public void An_unknown_enterprise_is_not_found_whoever_asks()
    {
        var uscc = NewUscc();

        Assert.Throws<NotFoundException>(() => EnterpriseAccess.Authorize(Caller.Zone, uscc, null));
        Assert.Throws<NotFoundException>(() => EnterpriseAccess.Authorize(Caller.ForUnit(Lingshui), uscc, null));
    }

    [Fact]
    public void After_a_relocation_the_new_unit_acts_and_the_old_one_may_not()
    {
        var uscc = NewUscc();
        var profile = EnterpriseProfile.Empty(uscc).ApplyRegistered(Lingshui, "Demo", "software", null).ApplyRelocated(Lingshui, Jinpu, "Demo", "software");

        Assert.Equal(Jinpu, EnterpriseAccess.Authorize(Caller.ForUnit(Jinpu), uscc, profile).Unit);
        Assert.Throws<PermissionDeniedException>(() => EnterpriseAccess.Authorize(Caller.ForUnit(Lingshui), uscc, profile));
        Assert.Equal([Lingshui], profile.PreviousUnits);
    }

    [Fact]
    public void Out_of_order_and_repeated_location_events_settle_on_the_latest_location()
    {
        var uscc = NewUscc();

        // The relocation arrives before the registration: the registration must not move the enterprise back.
        var profile = EnterpriseProfile.Empty(uscc).ApplyRelocated(Lingshui, Jinpu, "Demo", "software").ApplyRegistered(Lingshui, "Demo", "software", new DateOnly(2019, 5, 1));
        var repeated = profile.ApplyRelocated(Lingshui, Jinpu, "Demo", "software");
        var stale = profile.ApplyRelocated(UnitRef.District("longtou"), Lingshui, "Demo", "software");

        Assert.Equal(Jinpu, profile.Unit);
        Assert.Equal(new DateOnly(2019, 5, 1), profile.RegistrationDate);
        Assert.Equal(Jinpu, repeated.Unit);
        Assert.Equal(Jinpu, stale.Unit);
    }

    [Fact]
    public void Tiers_count_while_valid_and_not_disqualified()
    {
        var profile = EnterpriseProfile.Empty(NewUscc())
            .ApplyTierCertified(Lingshui, new TierCertification(EnterpriseTier.TechSme, "KX-2021", new DateOnly(2021, 3, 1), new DateOnly(2021, 12, 31), false, null))
            .ApplyTierCertified(Lingshui, new TierCertification(EnterpriseTier.HighTech, "GR-2021", new DateOnly(2021, 11, 1), new DateOnly(2024, 10, 31), false, null));

        Assert.Equal([EnterpriseTier.TechSme, EnterpriseTier.HighTech], profile.TiersOn(new DateOnly(2021, 12, 1)));
        Assert.Equal([EnterpriseTier.HighTech], profile.TiersOn(new DateOnly(2022, 1, 1)));
        Assert.Empty(profile.TiersOn(new DateOnly(2024, 11, 1)));

        var disqualified = profile.ApplyTierDisqualified(EnterpriseTier.HighTech, "GR-2021", "failed re-certification");
        Assert.Empty(disqualified.TiersOn(new DateOnly(2022, 1, 1)));
    }

    [Fact]
    public void The_same_certification_twice_is_recorded_once_and_points_keep_one_per_year()
    {
        var cert = new TierCertification(EnterpriseTier.HighTech, "GR-1", new DateOnly(2021, 11, 1), null, false, null);
        var profile = EnterpriseProfile.Empty(NewUscc()).ApplyTierCertified(Lingshui, cert).ApplyTierCertified(Lingshui, cert)
            .ApplyPointsEvaluated(new PointsEvaluation(2021, 7050, "m1"))
            .ApplyPointsEvaluated(new PointsEvaluation(2022, 6000, "m1"))
            .ApplyPointsEvaluated(new PointsEvaluation(2021, 7100, "m2"));

        Assert.Single(profile.Certifications);
        Assert.Equal([2021, 2022], profile.Points.Select(p => p.Year));
        Assert.Equal(7100, profile.Points[0].Centipoints);
        Assert.Equal(2022, profile.LatestPoints!.Year);
    }
}
