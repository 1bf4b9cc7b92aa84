using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Parks.Domain;
using Parks.Finance.V1;
using Parks.Hosting.Security;
using Parks.Rpc;
using Parks.Testing;
using Parks.Tools.Tests.Support;
using Parks.Units.V1;
using Tier = Parks.Common.V1.EnterpriseTier;

namespace Parks.Tools.Tests;

/// <summary>
/// The embedded local run (the AppHost's default mode: state and events in the AppHost's in-memory backplane) carries
/// the same flows as the Dapr path (tests/Parks.Flows.Tests): certifying an enterprise 高企 in a district produces its
/// 免申即享 payout in finance and an item on the dashboard's live feed.
/// </summary>
[Collection(SuiteCollection.Name)]
public sealed class EmbeddedFlowTests
{
    private static readonly TimeSpan EffectTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_high_tech_certification_in_the_embedded_run_produces_its_payout_in_finance_and_a_live_feed_item()
    {
        await using var host = AppHostProcess.Start();
        var run = await host.WaitReadyAsync();
        Assert.Equal("embedded", run.Storage);
        var signer = new CallerSigner(Options.Create(new SecurityOptions { InternalKey = run.InternalKey }));
        CallOptions As(Caller caller)
        {
            var headers = new Metadata();
            caller.WriteTo(headers, signer);
            return new CallOptions(headers, DateTime.UtcNow.AddSeconds(30));
        }
        var lingshui = As(new Caller("district-lingshui", CallerRole.UnitSystem, UnitRef.District("lingshui")));
        using var district = RpcChannel.ForAddress(run.Services.Single(s => s.AppId == "parks-district-lingshui").GrpcAddress);
        using var financeChannel = RpcChannel.ForAddress(run.Services.Single(s => s.AppId == "parks-finance").GrpcAddress);

        // Follow the live feed as the dashboard does, before anything happens.
        using var feed = new HttpClient { BaseAddress = new Uri(run.GatewayHttpAddress!), Timeout = Timeout.InfiniteTimeSpan };
        using var feedRequest = new HttpRequestMessage(HttpMethod.Get, "/v1/events");
        feedRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run.ApiKeys["dashboard"]);
        using var feedResponse = await feed.SendAsync(feedRequest, HttpCompletionOption.ResponseHeadersRead);
        feedResponse.EnsureSuccessStatusCode();
        using var feedLines = new StreamReader(await feedResponse.Content.ReadAsStreamAsync());

        // Registered in 2016, certified 高企 from 2021-06-01: the first-certification subsidy of 20万元
        // (大政发〔2017〕52号 第十四条, 002:163; in force 2018–2022, 002:287).
        var uscc = UnifiedSocialCreditCode.FromBody($"91210200E{Random.Shared.Next(0, 100_000_000):00000000}").Value;
        var enterprises = new EnterpriseService.EnterpriseServiceClient(district);
        var enterprise = (await enterprises.CreateEnterpriseAsync(new CreateEnterpriseRequest
        {
            Parent = "districts/lingshui",
            Enterprise = new Enterprise { Uscc = uscc, DisplayName = $"嵌入式流程测试有限公司 {uscc[^6..]}", Industry = "software-it", RegistrationDate = new Google.Type.Date { Year = 2016, Month = 4, Day = 1 } },
        }, lingshui)).Enterprise;
        var today = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-30);
        await enterprises.CertifyEnterpriseTierAsync(new CertifyEnterpriseTierRequest
        {
            Parent = enterprise.Name, Tier = Tier.TechSme, Authority = "大连市科学技术局", AuthorityLevel = AuthorityLevel.Municipal,
            ValidFrom = new Google.Type.Date { Year = today.Year, Month = today.Month, Day = today.Day },
        }, lingshui);
        await enterprises.CertifyEnterpriseTierAsync(new CertifyEnterpriseTierRequest
        {
            Parent = enterprise.Name, Tier = Tier.HighTech, Authority = "辽宁省高新技术企业认定管理工作领导小组", AuthorityLevel = AuthorityLevel.Provincial,
            ValidFrom = new Google.Type.Date { Year = 2021, Month = 6, Day = 1 },
        }, lingshui);

        var finance = new PayoutService.PayoutServiceClient(financeChannel);
        var payout = await Eventually.ResultAsync(async () =>
        {
            try
            {
                var listed = await finance.ListPayoutsAsync(new ListPayoutsRequest { SubjectUscc = uscc }, lingshui);
                return listed.Payouts.SingleOrDefault(p => p.Policy == "policies/gaoqi-first-certification");
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.PermissionDenied)
            {
                return null; // finance has not heard of the enterprise yet
            }
        }, "finance to create the 免申即享 payout", EffectTimeout);
        Assert.Equal(20 * 1_000_000L, payout.AmountFen);
        Assert.Equal(PayoutMode.Automatic, payout.Mode);

        using var stop = new CancellationTokenSource(EffectTimeout);
        string? line;
        do line = await feedLines.ReadLineAsync(stop.Token);
        while (line is not null && !(line.StartsWith("data: ", StringComparison.Ordinal)
            && line.Contains("parks.events.v1.EnterpriseTierCertified", StringComparison.Ordinal) && line.Contains(uscc, StringComparison.Ordinal)));
        Assert.NotNull(line);
    }
}
