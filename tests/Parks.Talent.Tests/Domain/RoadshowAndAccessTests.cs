using Parks.Domain;
using Parks.Talent.Domain;
using static Parks.Talent.Tests.TestData;

namespace Parks.Talent.Tests.Domain;

public sealed class RoadshowAndAccessTests
{
    private static readonly DateTimeOffset Now = new(2022, 7, 1, 9, 0, 0, TimeSpan.Zero);

    private static RoadshowProject Registered() => RoadshowProject.Register("fuel-cell-stack", Seed.Editions.Single(e => e.Year == 2022),
        new RoadshowProjectDraft("Fuel-cell stack", "Dr Zhao", "Germany", "clean-energy", null), Now);

    [Fact]
    public void Seeded_editions_carry_the_reported_figures()
    {
        var e2021 = Seed.Editions.Single(e => e.Year == 2021);

        // 000:63: 26 countries, 193 participants, 138 projects, 21 online roadshows.
        Assert.Equal(26, e2021.ReportedFigures["countries"]);
        Assert.Equal(193, e2021.ReportedFigures["participants"]);
        Assert.Equal(138, e2021.ReportedFigures["projects"]);
        Assert.Equal(21, e2021.ReportedFigures["onlineRoadshows"]);
        Assert.Equal("000:63", e2021.Source);
    }

    [Fact]
    public void Projects_go_registered_reviewed_shortlisted_landed()
    {
        var p = Registered().Review("investor A", 80, null, Now).Review("university B", 91, null, Now).Review("zone C", 86, "strong team", Now);

        var shortlisted = p.Decide(true, minimumReviews: 3, Now);
        var landed = shortlisted.Land(NewUscc(), UnitRef.ScienceCity, new DateOnly(2022, 6, 30), Now);

        // (80 + 91 + 86) / 3 = 85.666… → 85.67.
        Assert.Equal(8567, shortlisted.ShortlistAverageCentiscore);
        Assert.Equal(RoadshowProjectStatus.Landed, landed.Status);
        Assert.Equal(UnitRef.ScienceCity, landed.LandedUnit);
    }

    [Fact]
    public void Shortlisting_needs_enough_reviews_from_different_reviewers()
    {
        var p = Registered().Review("investor A", 80, null, Now);

        Assert.Throws<AlreadyExistsException>(() => p.Review("investor A", 90, null, Now));
        Assert.Equal("TOO_FEW_REVIEWS", Assert.Throws<FailedPreconditionException>(() => p.Decide(true, 3, Now)).Violations[0].Type);
        Assert.Equal("score", Assert.Throws<ValidationException>(() => p.Review("B", 101, null, Now)).Violations[0].Field);
    }

    [Fact]
    public void Only_shortlisted_projects_land_and_only_once()
    {
        var reviewed = Registered().Review("A", 50, null, Now);
        var notShortlisted = reviewed.Decide(false, 1, Now);
        var landed = reviewed.Decide(true, 1, Now).Land(NewUscc(), UnitRef.Park("jinpu"), new DateOnly(2022, 6, 1), Now);

        Assert.Throws<FailedPreconditionException>(() => notShortlisted.Land(NewUscc(), UnitRef.Park("jinpu"), new DateOnly(2022, 6, 1), Now));
        Assert.Throws<FailedPreconditionException>(() => landed.Land(NewUscc(), UnitRef.Park("jinpu"), new DateOnly(2022, 6, 1), Now));
        Assert.Throws<FailedPreconditionException>(() => notShortlisted.Review("B", 70, null, Now));
    }

    [Fact]
    public void A_district_acts_only_for_talents_of_enterprises_located_in_it()
    {
        var uscc = NewUscc();
        var location = EnterpriseLocation.ApplyRegistered(null, uscc, UnitRef.District("qixianling"), "Demo");

        Assert.Same(location, EnterpriseAccess.Authorize(Caller.ForUnit(UnitRef.District("qixianling")), uscc, location));
        Assert.Same(location, EnterpriseAccess.Authorize(Caller.Zone, uscc, location));
        Assert.Throws<PermissionDeniedException>(() => EnterpriseAccess.Authorize(Caller.ForUnit(UnitRef.District("lingshui")), uscc, location));
        Assert.Throws<NotFoundException>(() => EnterpriseAccess.Authorize(Caller.Zone, uscc, null));
    }

    [Fact]
    public void Location_follows_relocations_and_ignores_repeats_stale_moves_and_late_registrations()
    {
        var uscc = NewUscc();
        var a = UnitRef.District("qixianling");
        var b = UnitRef.Park("wafangdian");

        var moved = EnterpriseLocation.ApplyRelocated(EnterpriseLocation.ApplyRegistered(null, uscc, a, "Demo"), uscc, a, b, "Demo");
        var lateRegistration = EnterpriseLocation.ApplyRegistered(moved, uscc, a, "Demo");
        var stale = EnterpriseLocation.ApplyRelocated(moved, uscc, UnitRef.District("longtou"), a, "Demo");
        var relocationFirst = EnterpriseLocation.ApplyRelocated(null, uscc, a, b, "Demo");

        Assert.Equal(b, moved.Unit);
        Assert.Same(moved, lateRegistration);
        Assert.Same(moved, stale);
        Assert.Equal(b, relocationFirst.Unit);
    }
}
