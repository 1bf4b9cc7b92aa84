using Parks.Domain;
using Parks.Flows.Tests.Support;
using Parks.ScienceCity.V1;
using Parks.Testing;
using Parks.Units.V1;

namespace Parks.Flows.Tests;

/// <summary>
/// A Science City research project that reaches 产业化 is handed to its landing unit (a branch park) as a pending
/// referral; the park accepts it and lands the project, and the answer reaches the Science City.
/// </summary>
[Collection(FlowZone.Collection)]
public sealed class LandingFlowTests(FlowZone zone)
{
    private static readonly UnitRef Jinpu = UnitRef.Park("jinpu");

    [Fact]
    public async Task A_research_project_industrialised_for_a_branch_park_is_referred_accepted_landed_and_known_landed_in_the_Science_City()
    {
        var scienceCity = zone.UnitSystem(UnitRef.ScienceCity);
        var research = new ResearchProjectService.ResearchProjectServiceClient(zone.Front);
        var title = $"海水淡化膜组件 {TestIds.New("rp")}";
        var project = (await research.CreateResearchProjectAsync(new CreateResearchProjectRequest
        {
            ResearchProject = new ResearchProject { Title = title, LeadInstitution = "大连理工大学", Domain = ResearchDomain.CleanEnergy, Industry = "smart-ocean" },
            InitiatedDate = FlowData.Date(2024, 1, 8),
            InitiationEvidence = { new Evidence { Kind = "approval", Title = "立项批复" } },
            ApprovedBy = "英歌石科学城管委会",
            RequestId = Guid.NewGuid().ToString(),
        }, scienceCity)).ResearchProject;

        // 立项 → 研发 → 中小试 → 产业化, landing in the jinpu branch park.
        foreach (var (stage, month) in new[] { (ResearchStage.ResearchAndDevelopment, 3), (ResearchStage.PilotTrial, 6), (ResearchStage.Industrialization, 9) })
        {
            var advance = new AdvanceResearchProjectRequest
            {
                Name = project.Name,
                Stage = stage,
                EnteredDate = FlowData.Date(2024, month, 1),
                Evidence = { new Evidence { Kind = "report", Title = $"{stage} 评审" } },
                ApprovedBy = "英歌石科学城管委会",
            };
            if (stage == ResearchStage.Industrialization)
            {
                advance.LandingUnit = Jinpu.ResourceName;
                advance.ExpectedInvestmentFen = 30_000_000_000; // 3亿元
            }
            project = (await research.AdvanceResearchProjectAsync(advance, scienceCity)).ResearchProject;
        }
        Assert.Equal(LandingStatus.Referred, project.Landing.Status);

        // The park sees a pending referral from the Science City.
        var projects = new InvestmentProjectService.InvestmentProjectServiceClient(zone.Front);
        var referral = await Eventually.ResultAsync(async () =>
        {
            var pending = await projects.ListReferralsAsync(new ListReferralsRequest { Parent = Jinpu.ResourceName, State = ReferralState.Pending, PageSize = 500 }, zone.UnitSystem(Jinpu));
            return pending.Referrals.FirstOrDefault(r => r.ResearchProject == project.Name);
        }, "jinpu to receive the referral", FlowZone.EffectTimeout);
        Assert.Equal("scienceCity", referral.FromUnit);
        Assert.Equal(title, referral.DisplayName);
        Assert.Equal(30_000_000_000, referral.AmountFen);
        Assert.Equal("smart-ocean", referral.Industry);

        // The park accepts it (an investment project is created) and lands the project.
        var accepted = await projects.AcceptReferralAsync(new AcceptReferralRequest { Name = referral.Name, ProjectId = TestIds.New("sc") }, zone.UnitSystem(Jinpu));
        var landed = accepted.Project;
        foreach (var stage in new[] { ProjectStage.Signed, ProjectStage.Landed })
        {
            landed = (await projects.AdvanceInvestmentProjectAsync(new AdvanceInvestmentProjectRequest { Name = landed.Name, Stage = stage }, zone.UnitSystem(Jinpu))).Project;
        }
        Assert.Equal(ProjectStage.Landed, landed.Stage);

        // ReferralResolved reaches the Science City: the research project has landed in jinpu as that project.
        var known = await Eventually.ResultAsync(async () =>
        {
            var p = (await research.GetResearchProjectAsync(new GetResearchProjectRequest { Name = project.Name }, zone.Dashboard)).ResearchProject;
            return p.Landing.Status == LandingStatus.Accepted ? p : null;
        }, "the Science City to learn that the park accepted", FlowZone.EffectTimeout);
        Assert.Equal(Jinpu.ResourceName, known.Landing.Unit);
        Assert.Equal(landed.Name, known.Landing.Project);

        // The dashboard's live feed follows the hand-over.
        await Steps.WaitForFeedAsync(zone, "parks.events.v1.ResearchProjectIndustrialized", title);
        Assert.Equal(Jinpu.ResourceName, (await Steps.WaitForFeedAsync(zone, "parks.events.v1.ProjectReferred", title)).Unit);
        await Eventually.WaitUntilAsync(() => zone.Feed.Of("parks.events.v1.InvestmentProjectStageChanged", landed.Name).Any(i => i.TextEn.Contains("'landed'", StringComparison.Ordinal)),
            "the live feed to show the project landed", FlowZone.EffectTimeout);
        zone.AssertNoErrorsLogged();
    }
}
