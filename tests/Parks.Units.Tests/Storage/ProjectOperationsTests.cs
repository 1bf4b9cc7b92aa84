using Parks.Hosting.State;
using Parks.Domain;
using Parks.Units.Application;
using Parks.Units.Domain;
using Parks.Units.Events;
using Parks.Testing;
using Parks.Units.Tests.Support;
using static Parks.Units.Tests.TestData;

namespace Parks.Units.Tests.Storage;

public abstract class ProjectOperationsTests : StoreTests
{
    private static ProjectDraft Project(long amountFen = 20_000_000_000L) =>
        new("新能源汽车零部件项目", "示例集团", ProjectKind.MajorProject, "connected-vehicles", amountFen, true, false);

    [Fact]
    public async Task Projects_move_through_stages_and_the_pipeline_counts_follow()
    {
        var (lingshui, _, _, store) = await ZoneAsync();
        var p1 = await lingshui.Projects.CreateAsync("districts/lingshui", Project(), "ev-parts", null);
        var p2 = await lingshui.Projects.CreateAsync("districts/lingshui", Project(), null, null);
        await lingshui.Projects.AdvanceAsync(p1.Value.Name, ProjectStage.Signed, null, p1.Etag);

        var counts = (await lingshui.Projects.PipelineAsync("districts/lingshui", DataSetFilter.All)).ToDictionary(c => c.Stage, c => c.Count);

        Assert.Equal(1, counts[ProjectStage.Lead]);
        Assert.Equal(1, counts[ProjectStage.Signed]);
        Assert.Equal(0, counts[ProjectStage.InProduction]);
        Assert.StartsWith("p", p2.Value.Id);
        Assert.Equal(["signed"], (await lingshui.Projects.ListAsync(new ProjectQuery("districts/lingshui", 10, null, ProjectStage.Signed, DataSetFilter.All))).Items.Select(p => ProjectStages.Slug(p.Value.Stage)));
        var changes = await lingshui.Outbox.CommittedAsync<InvestmentProjectStageChangedEvent>(store);
        Assert.Equal([ProjectStage.Unspecified, ProjectStage.Unspecified, ProjectStage.Lead], changes.Select(c => c.PreviousStage));
    }

    [Fact]
    public async Task A_skipped_stage_a_stale_etag_and_a_duplicate_id_are_refused()
    {
        var (lingshui, _, _, _) = await ZoneAsync();
        var p = await lingshui.Projects.CreateAsync("districts/lingshui", Project(), "ev-parts", null);

        await Assert.ThrowsAsync<FailedPreconditionException>(() => lingshui.Projects.AdvanceAsync(p.Value.Name, ProjectStage.Landed, null, null));
        await Assert.ThrowsAsync<ConcurrencyException>(() => lingshui.Projects.AdvanceAsync(p.Value.Name, ProjectStage.Signed, null, "9"));
        Assert.Equal(p.Value.Name, (await Assert.ThrowsAsync<AlreadyExistsException>(() => lingshui.Projects.CreateAsync("districts/lingshui", Project(), "ev-parts", null))).ResourceName);
        Assert.Equal("project_id", (await Assert.ThrowsAsync<ValidationException>(() => lingshui.Projects.CreateAsync("districts/lingshui", Project(), "EV", null))).Violations[0].Field);
        Assert.Equal("project.amount_fen", (await Assert.ThrowsAsync<ValidationException>(() => lingshui.Projects.CreateAsync("districts/lingshui", Project(-100), null, null))).Violations[0].Field);
        Assert.Equal(ProjectStage.Lead, (await lingshui.Projects.GetAsync(p.Value.Name)).Value.Stage);
    }

    [Fact]
    public async Task A_create_retried_with_its_request_id_makes_one_project()
    {
        var (lingshui, _, _, _) = await ZoneAsync();

        var first = await lingshui.Projects.CreateAsync("districts/lingshui", Project(), null, "req-7");
        var again = await lingshui.Projects.CreateAsync("districts/lingshui", Project(), null, "req-7");

        Assert.Equal(first.Value.Name, again.Value.Name);
        Assert.Single((await lingshui.Projects.ListAsync(new ProjectQuery("districts/lingshui", 10, null, ProjectStage.Unspecified, DataSetFilter.All))).Items);
        await Assert.ThrowsAsync<ValidationException>(() => lingshui.Projects.CreateAsync("districts/lingshui", Project(1), null, "req-7"));
    }

    [Fact]
    public async Task A_referral_to_a_park_is_accepted_into_a_project_there_in_one_commit()
    {
        var (_, _, parks, store) = await ZoneAsync();
        var draft = new ReferralDraft("scienceCity", "液流储能产业化", "示例储能", ProjectKind.Industrialization, "clean-energy", 30_000_000_000L, false, true, "scienceCity/researchProjects/flow");
        var referral = await parks.Projects.CreateReferralAsync("parks/jinpu", draft, null, "ref-1");

        var pending = await parks.Projects.ListReferralsAsync(new ReferralQuery("parks/jinpu", 10, null, ReferralState.Pending, DataSetFilter.All));
        Assert.Equal(referral.Value.Name, Assert.Single(pending.Items).Value.Name);

        var (accepted, project) = await parks.Projects.AcceptReferralAsync(referral.Value.Name, "flow-storage", null, referral.Etag);

        Assert.Equal("parks/jinpu/projects/flow-storage", accepted.Value.Project);
        Assert.Equal("scienceCity", project.Value.ReferredFrom);
        Assert.Equal(referral.Value.Name, (await parks.Projects.GetAsync(project.Value.Name)).Value.Referral);
        Assert.Empty((await parks.Projects.ListReferralsAsync(new ReferralQuery("parks/jinpu", 10, null, ReferralState.Pending, DataSetFilter.All))).Items);
        Assert.Single((await parks.Projects.ListReferralsAsync(new ReferralQuery("parks/jinpu", 10, null, ReferralState.Accepted, DataSetFilter.All))).Items);
        Assert.True(Assert.Single(await parks.Outbox.CommittedAsync<ReferralResolvedEvent>(store)).Referral.State == ReferralState.Accepted);
        Assert.Single(await parks.Outbox.CommittedAsync<ProjectReferredEvent>(store));
        await Assert.ThrowsAsync<FailedPreconditionException>(() => parks.Projects.DeclineReferralAsync(referral.Value.Name, "late", null));
    }

    [Fact]
    public async Task A_declined_referral_keeps_its_reason_and_creates_nothing()
    {
        var (_, _, parks, _) = await ZoneAsync();
        var draft = new ReferralDraft("districts/lingshui", "大型装备项目", null, ProjectKind.MajorProject, "intelligent-manufacturing", 0, false, false, null);
        var referral = await parks.Projects.CreateReferralAsync("parks/wafangdian", draft, null, null);

        var declined = await parks.Projects.DeclineReferralAsync(referral.Value.Name, "产业方向不符", referral.Etag);

        Assert.Equal("产业方向不符", declined.Value.Reason);
        Assert.Empty((await parks.Projects.ListAsync(new ProjectQuery("parks/wafangdian", 10, null, ProjectStage.Unspecified, DataSetFilter.All))).Items);
        Assert.Equal("referral.from_unit", (await Assert.ThrowsAsync<ValidationException>(() =>
            parks.Projects.CreateReferralAsync("parks/wafangdian", draft with { FromUnit = "districts/nowhere" }, null, null))).Violations[0].Field);
    }

    [Fact]
    public async Task An_industrialised_research_project_becomes_one_referral_however_often_it_arrives()
    {
        var (lingshui, _, parks, _) = await ZoneAsync();
        var research = new IndustrializedResearchProject("evt-1", "scienceCity/researchProjects/catalyst", "催化剂中试产业化", "parks/lvshun", "new-materials", 5_000_000_000L);

        var first = await parks.Projects.ReferIndustrializedAsync(research);
        var again = await parks.Projects.ReferIndustrializedAsync(research with { EventId = "evt-2" });

        Assert.NotNull(first);
        Assert.Null(again);
        Assert.Null(first!.Industry);   // not one of the 1+8: the park sets it when accepting
        Assert.Single((await parks.Projects.ListReferralsAsync(new ReferralQuery("parks/lvshun", 10, null, ReferralState.Unspecified, DataSetFilter.All))).Items);
        Assert.Null(await lingshui.Projects.ReferIndustrializedAsync(research));   // not lingshui's landing
        var (_, project) = await parks.Projects.AcceptReferralAsync(first.Name, null, "intelligent-manufacturing", null);
        Assert.Equal("intelligent-manufacturing", project.Value.Industry);
    }
}

public sealed class ProjectOperationsInMemoryTests : ProjectOperationsTests
{
    private protected override IStateStore CreateStore() => new InMemoryStateStore();
}

[Collection(RedisServerFixture.Collection)]
public sealed class ProjectOperationsRedisTests(RedisServerFixture redis) : ProjectOperationsTests
{
    private protected override IStateStore CreateStore() => RedisStores.For(redis);
}
