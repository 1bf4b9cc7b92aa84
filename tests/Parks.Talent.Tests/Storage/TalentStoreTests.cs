using Parks.Domain;
using Parks.Events.V1;
using Parks.Hosting.State;
using Parks.Talent.Domain;
using Parks.Talent.Storage;
using Parks.Testing;
using Parks.Testing.Shared;
using static Parks.Talent.Tests.TestData;

namespace Parks.Talent.Tests.Storage;

public sealed class InMemoryTalentStoreTests() : TalentStoreTests(new InMemoryStateStore());

[Collection(RedisServerFixture.Collection)]
public sealed class RedisTalentStoreTests(RedisServerFixture redis) : TalentStoreTests(Redis(redis));

/// <summary>The talent service's stores against a real state store: the access rule, workflows, overdue detection, events.</summary>
public abstract class TalentStoreTests : StoreTestBase
{
    private static readonly UnitRef Lingshui = UnitRef.District("lingshui");
    private static readonly UnitRef Jinpu = UnitRef.Park("jinpu");

    private readonly TestClock _clock = new(new DateTimeOffset(2024, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly TestOutbox _outbox;
    private readonly EnterpriseDirectory _directory;
    private readonly TalentStore _talents;
    private readonly ServiceRequestStore _requests;
    private readonly RoadshowStore _roadshows;

    protected TalentStoreTests(IStateStore store) : base(store)
    {
        _outbox = new TestOutbox(store);
        _directory = new EnterpriseDirectory(store);
        _talents = new TalentStore(store, _directory, Seed, _outbox, _clock);
        _requests = new ServiceRequestStore(store, _talents, _directory, Seed, _outbox, _clock);
        _roadshows = new RoadshowStore(store, Seed, _clock, new RoadshowOptions { MinimumReviews = 2 });
    }

    private async Task<string> RegisteredAsync(UnitRef unit)
    {
        var uscc = NewUscc();
        var tx = new StateTransaction();
        await _directory.StageRegisteredAsync(tx, uscc, unit, "Demo employer", default);
        await Store.CommitAsync(tx);
        return uscc;
    }

    private async Task<string> TalentAsync(string employer, Caller? caller = null) =>
        (await _talents.CreateAsync(caller ?? Caller.Zone, TestIds.New("t"), new TalentDraft("Dr Test", employer, "catalysis", true, Degree.Doctorate), null, default)).Value.Name;

    [Fact]
    public async Task A_district_registers_talents_only_for_its_own_enterprises()
    {
        var local = await RegisteredAsync(Lingshui);
        var elsewhere = await RegisteredAsync(Jinpu);
        var caller = Caller.ForUnit(Lingshui);

        var created = await TalentAsync(local, caller);
        var denied = await Assert.ThrowsAsync<PermissionDeniedException>(() => TalentAsync(elsewhere, caller));
        var unknown = await Assert.ThrowsAsync<NotFoundException>(() => TalentAsync(NewUscc(), caller));

        Assert.StartsWith("talents/", created);
        Assert.Contains("districts/lingshui", denied.Message);
        Assert.Equal("Enterprise", unknown.ResourceType);
        await Assert.ThrowsAsync<PermissionDeniedException>(() => _talents.GetAsync(Caller.ForUnit(Jinpu), created, default));
    }

    [Fact]
    public async Task After_a_relocation_the_new_unit_has_access_and_the_old_one_not()
    {
        var employer = await RegisteredAsync(Lingshui);
        var talent = await TalentAsync(employer);
        var tx = new StateTransaction();
        await _directory.StageRelocatedAsync(tx, employer, Lingshui, Jinpu, "Demo employer", default);
        await Store.CommitAsync(tx);

        await _talents.GetAsync(Caller.ForUnit(Jinpu), talent, default);
        await Assert.ThrowsAsync<PermissionDeniedException>(() => _talents.GetAsync(Caller.ForUnit(Lingshui), talent, default));
    }

    [Fact]
    public async Task Repeating_a_location_event_writes_nothing()
    {
        var employer = await RegisteredAsync(Lingshui);

        var tx = new StateTransaction();
        await _directory.StageRegisteredAsync(tx, employer, Jinpu, "Demo employer", default);

        Assert.True(tx.IsEmpty);
    }

    [Fact]
    public async Task Certification_publishes_talent_certified_with_the_commit_and_counts_in_force()
    {
        var employer = await RegisteredAsync(Lingshui);
        var talent = await TalentAsync(employer, Caller.ForUnit(Lingshui));
        var before = (await _talents.StatisticsAsync(default)).Single(s => s.Level == TalentLevel.National).InForce;

        var applied = await _talents.ApplyAsync(Caller.ForUnit(Lingshui), talent, null, TalentLevel.National, "haichuang", "national award letter", null, default);
        var districtReview = await Assert.ThrowsAsync<PermissionDeniedException>(() => _talents.StartReviewAsync(Caller.ForUnit(Lingshui), applied.Value.Name, "me", null, default));
        await _talents.StartReviewAsync(Caller.Zone, applied.Value.Name, "talent office", null, default);
        await _talents.CertifyAsync(Caller.Zone, applied.Value.Name, new DateOnly(2024, 3, 1), new DateOnly(2029, 2, 28), null, default);

        var evt = Assert.Single(await _outbox.PublishedAsync<TalentCertified>());
        Assert.Equal(talent, evt.Talent);
        Assert.Equal("national", evt.Level);
        Assert.Equal("haichuang", evt.Programme);
        Assert.Equal("districts/lingshui", evt.EmployerUnit);
        var stats = await _talents.StatisticsAsync(default);
        Assert.Equal(before + 1, stats.Single(s => s.Level == TalentLevel.National).InForce);
        // The documents' baseline stays as stated beside it (000:152).
        Assert.Equal(140, stats.Single(s => s.Level == TalentLevel.National).Baseline.Value);
        Assert.Contains("talent office", districtReview.Message);
    }

    [Fact]
    public async Task A_duplicate_application_is_already_exists_and_an_unknown_programme_not_found()
    {
        var talent = await TalentAsync(await RegisteredAsync(Lingshui));
        await _talents.ApplyAsync(Caller.Zone, talent, null, TalentLevel.Municipal, "kechuang", "e", null, default);

        await Assert.ThrowsAsync<AlreadyExistsException>(() => _talents.ApplyAsync(Caller.Zone, talent, null, TalentLevel.Municipal, "kechuang", "e", null, default));
        await Assert.ThrowsAsync<NotFoundException>(() => _talents.ApplyAsync(Caller.Zone, talent, null, TalentLevel.Municipal, "no-such", "e", null, default));
    }

    [Fact]
    public async Task Overdue_requests_are_flagged_once_with_one_event()
    {
        var talent = await TalentAsync(await RegisteredAsync(Lingshui));
        var request = await _requests.CreateAsync(Caller.Zone, null, talent, "elderly-care-medical", "hospital referral for a parent", "desk", null, default);
        var sla = Seed.GetServiceType("elderly-care-medical").Sla;

        _clock.Advance(sla - TimeSpan.FromMinutes(1));
        await _requests.DetectOverdueAsync(1000, default);
        Assert.Empty(await _outbox.PublishedAsync<TalentServiceRequestOverdue>());

        _clock.Advance(TimeSpan.FromMinutes(2));
        await _requests.DetectOverdueAsync(1000, default);
        await _requests.DetectOverdueAsync(1000, default);

        var evt = Assert.Single(await _outbox.PublishedAsync<TalentServiceRequestOverdue>());
        Assert.Equal(request.Value.Name, evt.Request);
        Assert.Equal("elderly-care-medical", evt.RequestType);
        Assert.Equal("districts/lingshui", evt.EmployerUnit);
        Assert.Equal(request.Value.DueTime, evt.DueTime.ToDateTimeOffset());
        var flagged = await _requests.GetAsync(Caller.Zone, request.Value.Name, default);
        Assert.NotNull(flagged.Value.OverdueTime);
    }

    [Fact]
    public async Task Statistics_count_open_requests_and_those_past_due_whether_flagged_or_not()
    {
        // Far beyond the other tests' requests (the Redis variant shares one store): those are all past due already,
        // so the differences below are this test's own.
        _clock.Now = new DateTimeOffset(2090, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var talentsBefore = await _talents.CountAsync(default);
        var before = await _requests.StatisticsAsync(default);
        var talent = await TalentAsync(await RegisteredAsync(Lingshui));
        var quick = await _requests.CreateAsync(Caller.Zone, null, talent, "elderly-care-medical", "hospital referral", "desk", null, default);
        var closed = await _requests.CreateAsync(Caller.Zone, null, talent, "hukou", "household registration", "desk", null, default);
        var slow = Seed.ServiceTypes.Where(t => t.Sla > Seed.GetServiceType("elderly-care-medical").Sla).MaxBy(t => t.Sla)!;
        await _requests.CreateAsync(Caller.Zone, null, talent, slow.Id, "still in time", "desk", null, default);
        await _requests.RejectAsync(Caller.Zone, closed.Value.Name, "desk", "already registered", null, default);

        var fresh = await _requests.StatisticsAsync(default);
        _clock.Advance(Seed.GetServiceType("elderly-care-medical").Sla + TimeSpan.FromMinutes(1));
        var pastDue = await _requests.StatisticsAsync(default);
        await _requests.DetectOverdueAsync(1000, default);
        var flagged = await _requests.StatisticsAsync(default);
        await _requests.AcceptAsync(Caller.Zone, quick.Value.Name, "desk", null, null, default);
        await _requests.StartAsync(Caller.Zone, quick.Value.Name, "hospital", null, null, default);
        await _requests.FulfilAsync(Caller.Zone, quick.Value.Name, "desk", null, null, default);
        var fulfilled = await _requests.StatisticsAsync(default);

        Assert.Equal(1, await _talents.CountAsync(default) - talentsBefore);
        Assert.Equal((2L, 0L), (fresh.Open - before.Open, fresh.Overdue - before.Overdue));
        Assert.Equal((2L, 1L), (pastDue.Open - before.Open, pastDue.Overdue - before.Overdue));
        Assert.Equal((2L, 1L), (flagged.Open - before.Open, flagged.Overdue - before.Overdue));
        Assert.Equal((1L, 0L), (fulfilled.Open - before.Open, fulfilled.Overdue - before.Overdue));
    }

    [Fact]
    public async Task A_request_closed_in_time_is_never_flagged()
    {
        var talent = await TalentAsync(await RegisteredAsync(Lingshui));
        var request = await _requests.CreateAsync(Caller.Zone, null, talent, "hukou", "household registration", "desk", null, default);
        await _requests.RejectAsync(Caller.Zone, request.Value.Name, "desk", "already registered", null, default);

        _clock.Advance(TimeSpan.FromDays(400));
        await _requests.DetectOverdueAsync(1000, default);

        Assert.Empty(await _outbox.PublishedAsync<TalentServiceRequestOverdue>());
    }

    [Fact]
    public async Task Roadshow_counts_follow_the_projects()
    {
        await _roadshows.SeedAsync(default);
        var edition = (await _roadshows.CreateEditionAsync(Caller.Zone, TestIds.New("e"), 2024, "2024 海创周", null, null, null, default)).Value.Name;
        var project = await _roadshows.RegisterAsync(Caller.Zone, edition, null, new RoadshowProjectDraft("Marine lidar", "Dr Sun", "Japan", "ocean", null), null, default);

        await _roadshows.ReviewAsync(Caller.Zone, project.Value.Name, "investor", 88, null, null, default);
        await _roadshows.ReviewAsync(Caller.Zone, project.Value.Name, "professor", 90, null, null, default);
        await _roadshows.DecideAsync(Caller.Zone, project.Value.Name, true, null, default);
        await _roadshows.LandAsync(Caller.Zone, project.Value.Name, NewUscc(), UnitRef.District("xiaopingdao"), new DateOnly(2024, 2, 1), null, default);

        var (_, counts) = await _roadshows.GetEditionAsync(edition, default);
        Assert.Equal(new EditionCounts(1, 1, 1), counts);
        var (seeded, _) = await _roadshows.GetEditionAsync("roadshowEditions/haichuangzhou-2021", default);
        Assert.Equal(193, seeded.Value.ReportedFigures["participants"]);
        await Assert.ThrowsAsync<PermissionDeniedException>(() => _roadshows.DecideAsync(Caller.ForUnit(Lingshui), project.Value.Name, true, null, default));
    }
}
