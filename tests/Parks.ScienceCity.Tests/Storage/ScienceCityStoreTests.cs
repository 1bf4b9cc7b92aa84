using Parks.Domain;
using Parks.Events.V1;
using Parks.Hosting.State;
using Parks.ScienceCity.Data;
using Parks.ScienceCity.Domain;
using Parks.ScienceCity.Storage;
using Parks.Testing;
using Parks.Storage;
using Parks.Testing.Shared;

namespace Parks.ScienceCity.Tests.Storage;

public sealed class InMemoryScienceCityStoreTests() : ScienceCityStoreTests(new InMemoryStateStore());

[Collection(RedisServerFixture.Collection)]
public sealed class RedisScienceCityStoreTests(RedisServerFixture redis) : ScienceCityStoreTests(Redis(redis));

/// <summary>The Science City's stores against a real state store: atomic commits, etags, idempotent creates, the outbox.</summary>
public abstract class ScienceCityStoreTests : StoreTestBase
{
    private readonly TestClock _clock = new(new DateTimeOffset(2024, 6, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly TestOutbox _outbox;
    private readonly PlatformStore _platforms;
    private readonly ResearchProjectStore _projects;
    private readonly TechContractStore _contracts;

    protected ScienceCityStoreTests(IStateStore store) : base(store)
    {
        _outbox = new TestOutbox(store);
        _platforms = new PlatformStore(store, _clock);
        _projects = new ResearchProjectStore(store, _outbox, _clock);
        _contracts = new TechContractStore(store, _outbox, _clock);
    }

    private static PlatformDraft Lab(string name = "Test lab") => new(name, PlatformKind.ProvincialKeyLab, PlatformLevel.Provincial, "大连理工大学", ResearchDomain.OceanEngineering, null, null);

    [Fact]
    public async Task Create_then_get_returns_the_platform_with_its_etag()
    {
        var id = TestIds.New("p");

        var created = await _platforms.CreateAsync(id, Lab(), null, default);
        var read = await _platforms.GetAsync($"scienceCity/platforms/{id}", default);

        Assert.Equal(1, created.Version);
        Assert.Equal("1", read.Etag);
        Assert.Equal("大连理工大学", read.Value.HostInstitution);
    }

    [Fact]
    public async Task Creating_an_existing_id_is_already_exists_and_a_repeated_request_id_returns_the_first()
    {
        var id = TestIds.New("p");
        var requestId = Guid.NewGuid().ToString();

        var first = await _platforms.CreateAsync(id, Lab(), requestId, default);
        var retried = await _platforms.CreateAsync(id, Lab("changed"), requestId, default);
        var again = await _platforms.CreateAsync(null, Lab(), requestId, default);

        Assert.Equal(first.Value.Name, retried.Value.Name);
        Assert.Equal("Test lab", retried.Value.DisplayName);
        Assert.Equal(first.Value.Name, again.Value.Name);
        await Assert.ThrowsAsync<AlreadyExistsException>(() => _platforms.CreateAsync(id, Lab(), null, default));
    }

    [Fact]
    public async Task A_stale_etag_is_a_concurrency_error_and_writes_nothing()
    {
        var id = TestIds.New("p");
        var created = await _platforms.CreateAsync(id, Lab(), null, default);
        await _platforms.UpdateAsync(created.Value.Name, new PlatformChanges(StatusNote: "first"), created.Etag, default);

        await Assert.ThrowsAsync<ConcurrencyException>(() => _platforms.UpdateAsync(created.Value.Name, new PlatformChanges(StatusNote: "second"), created.Etag, default));

        Assert.Equal("first", (await _platforms.GetAsync(created.Value.Name, default)).Value.StatusNote);
    }

    [Fact]
    public async Task Admission_updates_the_platform_and_the_batch_together()
    {
        var batchId = TestIds.New("b");
        var batch = await _platforms.CreateBatchAsync(batchId, "test batch", 2, null, null, default);
        var p1 = await _platforms.CreateAsync(TestIds.New("p"), Lab(), null, default);
        var p2 = await _platforms.CreateAsync(TestIds.New("p"), Lab(), null, default);
        var p3 = await _platforms.CreateAsync(TestIds.New("p"), Lab(), null, default);

        await _platforms.EnlistAsync(p1.Value.Name, batch.Value.Name, new DateOnly(2024, 1, 1), null, default);
        await _platforms.EnlistAsync(p2.Value.Name, batch.Value.Name, new DateOnly(2024, 1, 1), null, default);
        await _platforms.AdmitAsync(p1.Value.Name, new DateOnly(2024, 3, 1), null, default);
        var full = await Assert.ThrowsAsync<OutOfRangeException>(() => _platforms.EnlistAsync(p3.Value.Name, batch.Value.Name, new DateOnly(2024, 1, 1), null, default));

        var after = await _platforms.GetBatchAsync(batch.Value.Name, default);
        Assert.Equal(2, after.Value.ListedCount);
        Assert.Equal(1, after.Value.AdmittedCount);
        Assert.Contains("2 of 2", full.Message);
        // The refused enlistment changed neither the platform nor the batch.
        Assert.Equal(AdmissionStatus.NotListed, (await _platforms.GetAsync(p3.Value.Name, default)).Value.Admission.Status);
    }

    [Fact]
    public async Task Filters_follow_changes_of_the_indexed_fields()
    {
        var id = TestIds.New("p");
        var created = await _platforms.CreateAsync(id, Lab() with { Level = PlatformLevel.Ministry, Domain = ResearchDomain.LifeHealth }, null, default);
        await _platforms.UpdateAsync(created.Value.Name, new PlatformChanges(Domain: ResearchDomain.NextGenerationIt), null, default);

        var lifeHealth = await AllAsync(PlatformLevel.Ministry, ResearchDomain.LifeHealth);
        var nextGenIt = await AllAsync(PlatformLevel.Ministry, ResearchDomain.NextGenerationIt);

        Assert.DoesNotContain(lifeHealth, p => p.Id == id);
        Assert.Contains(nextGenIt, p => p.Id == id);
    }

    private async Task<List<Platform>> AllAsync(PlatformLevel? level, ResearchDomain? domain)
    {
        var all = new List<Platform>();
        string? token = null;
        do
        {
            var page = await _platforms.ListAsync(level, domain, null, 2, token, default);
            all.AddRange(page.Items.Select(i => i.Value));
            token = page.NextPageToken;
        } while (!string.IsNullOrEmpty(token));
        return all;
    }

    [Fact]
    public async Task Pages_cover_every_platform_once()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add((await _platforms.CreateAsync(TestIds.New("p"), Lab() with { Level = PlatformLevel.Municipal }, null, default)).Value.Id);

        var listed = await AllAsync(PlatformLevel.Municipal, null);

        Assert.All(ids, id => Assert.Single(listed, p => p.Id == id));
        Assert.Equal(listed.Count, listed.Select(p => p.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_page_token_of_another_query_is_invalid()
    {
        for (var i = 0; i < 3; i++) await _platforms.CreateAsync(TestIds.New("p"), Lab(), null, default);
        var page = await _platforms.ListAsync(null, null, null, 1, null, default);

        var ex = await Assert.ThrowsAsync<ValidationException>(() => _platforms.ListAsync(PlatformLevel.National, null, null, 1, page.NextPageToken, default));

        Assert.Equal("page_token", ex.Violations[0].Field);
    }

    private async Task<Versioned<ResearchProject>> ProjectAtPilotAsync()
    {
        var platform = await _platforms.CreateAsync(TestIds.New("p"), Lab(), null, default);
        var created = await _projects.CreateAsync(TestIds.New("r"), new ResearchProjectDraft("Hull sensor", "大连理工大学", [], platform.Value.Name,
            ResearchDomain.OceanEngineering, "ocean", new DateOnly(2024, 1, 2), [new Evidence("approval", "立项批复", null)], "committee"), null, default);
        await _projects.AdvanceAsync(created.Value.Name, ResearchStage.ResearchAndDevelopment, new DateOnly(2024, 2, 1), [new Evidence("plan", "R&D plan", null)], "c", null, null, default);
        return await _projects.AdvanceAsync(created.Value.Name, ResearchStage.PilotTrial, new DateOnly(2024, 3, 1), [new Evidence("trial", "pilot run", null)], "c", null, null, default);
    }

    [Fact]
    public async Task Industrialisation_commits_the_hand_off_event_with_the_project()
    {
        var project = await ProjectAtPilotAsync();
        Assert.Empty(await _outbox.PublishedAsync<ResearchProjectIndustrialized>());

        await _projects.AdvanceAsync(project.Value.Name, ResearchStage.Industrialization, new DateOnly(2024, 5, 1), [new Evidence("contract", "plant lease", null)],
            "c", new LandingRequest(UnitRef.Park("lvshun"), Fen.FromWan(8000)), null, default);

        var evt = Assert.Single(await _outbox.PublishedAsync<ResearchProjectIndustrialized>());
        Assert.Equal(project.Value.Name, evt.ResearchProject);
        Assert.Equal("parks/lvshun", evt.LandingUnit);
        Assert.Equal(8_000_000_000L, evt.ExpectedInvestmentFen); // 8000万元 × 1,000,000 fen per 万元
    }

    [Fact]
    public async Task A_refused_stage_change_publishes_nothing()
    {
        var project = await ProjectAtPilotAsync();

        await Assert.ThrowsAsync<ValidationException>(() => _projects.AdvanceAsync(project.Value.Name, ResearchStage.Industrialization, new DateOnly(2024, 5, 1),
            [new Evidence("contract", "plant lease", null)], "c", null, null, default));
        await Assert.ThrowsAsync<ConcurrencyException>(() => _projects.AdvanceAsync(project.Value.Name, ResearchStage.Industrialization, new DateOnly(2024, 5, 1),
            [new Evidence("contract", "plant lease", null)], "c", new LandingRequest(UnitRef.Park("lvshun"), null), "1", default));

        Assert.Equal(0, await _outbox.CountAsync());
        Assert.Equal(ResearchStage.PilotTrial, (await _projects.GetAsync(project.Value.Name, default)).Value.Stage);
    }

    [Fact]
    public async Task A_project_on_an_unknown_platform_is_not_found()
    {
        var ex = await Assert.ThrowsAsync<NotFoundException>(() => _projects.CreateAsync(TestIds.New("r"), new ResearchProjectDraft("t", "lead", [], "scienceCity/platforms/nope-" + Guid.NewGuid().ToString("N")[..8],
            null, "x", new DateOnly(2024, 1, 1), [new Evidence("a", "b", null)], "c"), null, default));

        Assert.Equal("Platform", ex.ResourceType);
    }

    [Fact]
    public async Task The_referral_answer_is_applied_once_through_the_handler_transaction()
    {
        var project = await ProjectAtPilotAsync();
        await _projects.AdvanceAsync(project.Value.Name, ResearchStage.Industrialization, new DateOnly(2024, 5, 1), [new Evidence("c", "c", null)], "c",
            new LandingRequest(UnitRef.District("huangnichuan"), null), null, default);

        var tx = new StateTransaction();
        await _projects.StageReferralResolutionAsync(tx, project.Value.Name, UnitRef.District("huangnichuan"), true, "districts/huangnichuan/referrals/1", "districts/huangnichuan/projects/9", null, default);
        await Store.CommitAsync(tx);
        var again = new StateTransaction();
        await _projects.StageReferralResolutionAsync(again, project.Value.Name, UnitRef.District("huangnichuan"), false, "x", null, "late", default);

        var landed = (await _projects.GetAsync(project.Value.Name, default)).Value;
        Assert.Equal(LandingStatus.Accepted, landed.Landing!.Status);
        Assert.Equal("districts/huangnichuan/projects/9", landed.Landing.Project);
        Assert.True(again.IsEmpty);
    }

    private TechContractDraft Contract(string number, long valueFen, int year = 2023) => new(number, TechContractType.Development,
        new ContractParty("大连理工大学", PartyKind.University, null), new ContractParty("Buyer", PartyKind.Enterprise, UnifiedSocialCreditCode.FromBody("91210200MA0QXXXX2").Value),
        new Fen(valueFen), new DateOnly(year, 7, 1), null);

    [Fact]
    public async Task Turnover_adds_each_contract_once_and_a_registration_number_registers_once()
    {
        var before = (await _contracts.TurnoverAsync([2023], default))[0];
        var number = TestIds.New("n");

        await _contracts.CreateAsync(null, Contract(number, 123_456_789), null, default);
        await _contracts.CreateAsync(null, Contract(TestIds.New("n"), 1_000_000_00), null, default); // 100万元
        var duplicate = await Assert.ThrowsAsync<AlreadyExistsException>(() => _contracts.CreateAsync(null, Contract(number, 5), null, default));

        var after = (await _contracts.TurnoverAsync([2023], default))[0];
        // 1,234,567.89 + 1,000,000.00 yuan = 223,456,789 fen more; the duplicate added nothing.
        Assert.Equal(223_456_789L, after.Total.Value - before.Total.Value);
        Assert.Equal(2, after.ContractCount - before.ContractCount);
        Assert.Contains(number, duplicate.Message);
    }

    [Fact]
    public async Task Each_registration_reports_the_years_turnover_in_亿元()
    {
        var before = (await _contracts.TurnoverAsync([2022], default))[0];

        await _contracts.CreateAsync(null, Contract(TestIds.New("n"), 5_000_000_000, 2022), null, default); // 5000万元 = 0.5亿元

        var evt = Assert.Single(await _outbox.PublishedAsync<IndicatorReported>());
        Assert.Equal("scienceCity", evt.Unit);
        Assert.Equal("tech_contract_value", evt.Indicator);
        Assert.Equal("2022", evt.Period);
        Assert.Equal((before.Total.Value + 5_000_000_000L) / 1e10, evt.Value, 10);
        Assert.Equal("CNY_100M", evt.UnitOfMeasure);
    }

    [Fact]
    public async Task Seeding_twice_writes_once_and_keeps_operator_changes()
    {
        var seed = ScienceCitySeed.LoadEmbedded();
        var seeder = new ScienceCitySeeder(Store, seed, _clock);

        await seeder.SeedAsync(default);
        var binhai = await _platforms.GetAsync("scienceCity/platforms/liaoning-binhai-lab", default);
        await _platforms.UpdateAsync(binhai.Value.Name, new PlatformChanges(StatusNote: "operator note"), null, default);
        var second = await seeder.SeedAsync(default);

        Assert.Equal(0, second);
        Assert.Equal("operator note", (await _platforms.GetAsync(binhai.Value.Name, default)).Value.StatusNote);
        Assert.Equal(233, (await _platforms.GetBatchAsync("scienceCity/admissionBatches/first", default)).Value.PlannedCount);
        Assert.Equal("000:59, 000:98, 001:75", binhai.Value.Source);
    }
}
