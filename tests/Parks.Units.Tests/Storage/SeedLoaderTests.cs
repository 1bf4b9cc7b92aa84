using Parks.Hosting.State;
using Parks.Domain;
using Parks.Units.Application;
using Parks.Units.Data;
using Parks.Units.Domain;
using Parks.Units.Storage;
using Parks.Testing;
using Parks.Units.Tests.Support;

namespace Parks.Units.Tests.Storage;

public abstract class SeedLoaderTests : StoreTests
{
    private static UnitsOptions Demo(int perUnit = 40) => new() { DemoData = true, DemoEnterprisesPerUnit = perUnit, DemoSeed = 7 };

    [Fact]
    public async Task Jinpu_gets_its_host_areas_figures_districts_get_none_and_a_second_load_changes_nothing()
    {
        var store = NewStore();
        var clock = UnitsProcess.NewClock();
        var parks = new UnitsProcess(store, new BranchParkScope(store), clock);
        var lingshui = new UnitsProcess(store, new DistrictScope("lingshui"), clock);

        var parkResults = await parks.Seed.LoadAsync();
        var districtResults = await lingshui.Seed.LoadAsync();

        Assert.Equal(Zone.SeedBranchParkIds.Order(StringComparer.Ordinal), parkResults.Select(r => r.Unit.Id).Order(StringComparer.Ordinal));
        Assert.Equal(70, parkResults.Single(r => r.Unit.Id == "jinpu").Observations);
        Assert.All(parkResults.Where(r => r.Unit.Id != "jinpu"), r => Assert.Equal(0, r.Observations));
        Assert.Equal(0, Assert.Single(districtResults).Observations);
        var observations = await parks.Indicators.ListAsync(new ObservationQuery("parks/jinpu/indicators/jinpu.revenue_future_pioneer", 10, null, ObservationKind.Target, DataSetFilter.Real));
        Assert.Equal(["2017", "2018", "2019"], observations.Items.Select(o => o.Value.Period));
        Assert.Equal("002:567", observations.Items[^1].Value.Src);

        var keys = store.Keys();
        var commits = store.Commits;
        Assert.All(await parks.Seed.LoadAsync(), r => Assert.False(r.RealLoaded));
        Assert.False(Assert.Single(await lingshui.Seed.LoadAsync()).RealLoaded);
        Assert.Equal(keys, store.Keys());
        Assert.Equal(commits, store.Commits);
    }

    [Fact]
    public async Task A_revised_seeded_figure_is_not_overwritten_by_a_reload()
    {
        var store = NewStore();
        var parks = new UnitsProcess(store, new BranchParkScope(store), UnitsProcess.NewClock());
        await parks.Seed.LoadAsync();
        var name = "parks/jinpu/indicators/jinpu.national_incubators/observations/target-2019";
        var seeded = await parks.Indicators.GetAsync(name);
        await parks.Indicators.SetTargetAsync("parks/jinpu",
            new ObservationDraft("jinpu.national_incubators", "2019", ObservationKind.Target, null, null, 4, "count", Qualifier.Eq, "operator correction"), seeded.Etag);
        // A new release with another data version reloads: existing records are kept as they are.
        await store.CommitAsync(new Parks.Hosting.State.StateTransaction().Delete(new UnitKeys(UnitRef.Park("jinpu")).SeedMarker(UnitKeys.Real), null));

        Assert.True((await parks.Seed.LoadUnitAsync(UnitRef.Park("jinpu"))).RealLoaded);

        Assert.Equal(4, (await parks.Indicators.GetAsync(name)).Value.Quantity);
    }

    [Fact]
    public async Task The_demo_set_is_deterministic_labelled_valid_and_kept_apart()
    {
        async Task<(UnitsProcess Process, IReadOnlyList<Stored<Enterprise>> Enterprises)> Load()
        {
            var store = NewStore();
            var process = new UnitsProcess(store, new DistrictScope("qixianling"), UnitsProcess.NewClock(), Demo());
            await process.Seed.LoadAsync();
            var page = await process.Enterprises.ListAsync(new EnterpriseQuery("districts/qixianling", 1000, null, EnterpriseTier.Unspecified, null, DataSetFilter.All));
            return (process, page.Items);
        }

        var (process, first) = await Load();
        var (_, second) = await Load();

        Assert.Equal(40, first.Count);
        Assert.Equal(first.Select(e => (e.Value.Uscc, e.Value.DisplayName, e.Value.Industry, e.Value.Tier)), second.Select(e => (e.Value.Uscc, e.Value.DisplayName, e.Value.Industry, e.Value.Tier)));
        Assert.All(first, e =>
        {
            Assert.True(e.Value.Demo);
            Assert.StartsWith("[演示]", e.Value.DisplayName);
            Assert.True(UnifiedSocialCreditCode.TryParse(e.Value.Uscc, out _, out _));
            Assert.True(DemoData.IsDemoUscc(e.Value.Uscc));
            Assert.Equal(e.Value.Tier, e.Value.TierOn(process.Context.Clock.Today, process.Context.TierRules));
        });
        Assert.Contains(first, e => e.Value.Tier != EnterpriseTier.Unspecified);
        Assert.Empty((await process.Enterprises.ListAsync(new EnterpriseQuery("districts/qixianling", 10, null, EnterpriseTier.Unspecified, null, DataSetFilter.Real))).Items);
        Assert.NotEmpty((await process.Projects.ListAsync(new ProjectQuery("districts/qixianling", 10, null, ProjectStage.Unspecified, DataSetFilter.Demo))).Items);
        Assert.Empty(await process.Points.Top100Async($"innovationRankings/{process.Context.Clock.Today.Year - 1}", DataSetFilter.Real));
        Assert.NotEmpty(await process.Points.Top100Async($"innovationRankings/{process.Context.Clock.Today.Year - 1}", DataSetFilter.Demo));
    }

    [Fact]
    public async Task Demo_loading_is_idempotent_and_the_demo_set_can_be_purged_completely()
    {
        var store = NewStore();
        var parks = new UnitsProcess(store, new BranchParkScope(store), UnitsProcess.NewClock(), Demo(25));
        await parks.Seed.LoadAsync();
        var loaded = store.Keys();
        Assert.Contains(loaded, k => k.StartsWith("parks:branchparks:jinpu:referral:", StringComparison.Ordinal));

        Assert.All(await parks.Seed.LoadAsync(), r => Assert.False(r.DemoLoaded));
        Assert.Equal(loaded, store.Keys());

        var jinpu = UnitRef.Park("jinpu");
        var referrals = await parks.Projects.ListReferralsAsync(new ReferralQuery("parks/jinpu", 100, null, ReferralState.Unspecified, DataSetFilter.Demo));
        Assert.Equal(12, referrals.Items.Count);
        Assert.All(referrals.Items.Where(r => r.Value.State == ReferralState.Accepted), r => Assert.NotNull(r.Value.Project));

        foreach (var unit in await parks.Context.Scope.ServedUnitsAsync(CancellationToken.None)) await parks.Seed.PurgeDemoAsync(unit);

        Assert.DoesNotContain(store.Keys(), k => k.Contains(":enterprise:", StringComparison.Ordinal) || k.Contains(":project:", StringComparison.Ordinal)
            || k.Contains(":referral:", StringComparison.Ordinal) || k.Contains(":registry:", StringComparison.Ordinal) || k.Contains(":points:", StringComparison.Ordinal));
        Assert.DoesNotContain(store.IndexNames(), i => i.Contains(":demo", StringComparison.Ordinal) || i.Contains("ranking", StringComparison.Ordinal));
        Assert.NotEmpty((await parks.Indicators.ListAsync(new ObservationQuery("parks/jinpu", 10, null, ObservationKind.Unspecified, DataSetFilter.Real))).Items);
        Assert.True((await parks.Seed.LoadUnitAsync(jinpu)).DemoLoaded);
    }

    [Fact]
    public async Task Operators_add_branch_parks_idempotently_and_the_parks_service_then_serves_them()
    {
        var store = NewStore();
        var parks = new UnitsProcess(store, new BranchParkScope(store), UnitsProcess.NewClock());
        Assert.Equal(5, await parks.Parks.LoadSeedAsync());
        Assert.Equal(0, await parks.Parks.LoadSeedAsync());

        var created = await parks.Parks.CreateAsync("pulandian", "普兰店分园", "Pulandian Branch Park", "req-1");
        var again = await parks.Parks.CreateAsync("pulandian", "普兰店分园", "Pulandian Branch Park", "req-1");

        Assert.Equal(created.Id, again.Id);
        Assert.Null(created.Src);
        Assert.Equal(6, (await parks.Parks.ListAsync(100, null)).TotalSize);
        await Assert.ThrowsAsync<AlreadyExistsException>(() => parks.Parks.CreateAsync("jinpu", "金普分园", null, null));
        Assert.Equal("branch_park_id", (await Assert.ThrowsAsync<ValidationException>(() => parks.Parks.CreateAsync("lingshui", "凌水", null, null))).Violations[0].Field);
        var enterprise = await parks.Enterprises.CreateAsync("parks/pulandian", TestData.Draft(), null);
        Assert.Equal(1, (await parks.Parks.GetAsync("parks/pulandian")).Enterprises);
        Assert.Equal("parks/pulandian", enterprise.Value.Unit.ResourceName);
    }
}

public sealed class SeedLoaderInMemoryTests : SeedLoaderTests
{
    private protected override IStateStore CreateStore() => new InMemoryStateStore();
}

[Collection(RedisServerFixture.Collection)]
public sealed class SeedLoaderRedisTests(RedisServerFixture redis) : SeedLoaderTests
{
    private protected override IStateStore CreateStore() => RedisStores.For(redis);
}
