using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Parks.Common.V1;
using Parks.Events.V1;
using Parks.Gateway.Overview;
using Parks.Hosting.Events;
using Parks.Hosting.State;

namespace Parks.Gateway.Feed;

/// <summary>
/// The integration events the dashboard's live feed shows, and how each reads in Chinese and English. Amounts are
/// fen, shown in 万元.
/// </summary>
internal static class FeedEvents
{
    public static IParksEventsBuilder AddFeedHandlers(this IParksEventsBuilder events) => events
        .AddHandler<EnterpriseRegistered, FeedEventHandler<EnterpriseRegistered>>("gateway-feed-EnterpriseRegistered")
        .AddHandler<EnterpriseRelocated, FeedEventHandler<EnterpriseRelocated>>("gateway-feed-EnterpriseRelocated")
        .AddHandler<EnterpriseTierCertified, FeedEventHandler<EnterpriseTierCertified>>("gateway-feed-EnterpriseTierCertified")
        .AddHandler<EnterpriseTierDisqualified, FeedEventHandler<EnterpriseTierDisqualified>>("gateway-feed-EnterpriseTierDisqualified")
        .AddHandler<InvestmentProjectStageChanged, FeedEventHandler<InvestmentProjectStageChanged>>("gateway-feed-InvestmentProjectStageChanged")
        .AddHandler<ProjectReferred, FeedEventHandler<ProjectReferred>>("gateway-feed-ProjectReferred")
        .AddHandler<ResearchProjectIndustrialized, FeedEventHandler<ResearchProjectIndustrialized>>("gateway-feed-ResearchProjectIndustrialized")
        .AddHandler<IndicatorReported, FeedEventHandler<IndicatorReported>>("gateway-feed-IndicatorReported")
        .AddHandler<TalentCertified, FeedEventHandler<TalentCertified>>("gateway-feed-TalentCertified")
        .AddHandler<TalentServiceRequestOverdue, FeedEventHandler<TalentServiceRequestOverdue>>("gateway-feed-TalentServiceRequestOverdue")
        .AddHandler<LoanApproved, FeedEventHandler<LoanApproved>>("gateway-feed-LoanApproved")
        .AddHandler<PayoutMade, FeedEventHandler<PayoutMade>>("gateway-feed-PayoutMade");

    /// <summary>The unit an event concerns and its two texts.</summary>
    public static (string Unit, string Zh, string En) Describe(IMessage message) => message switch
    {
        EnterpriseRegistered e => (e.Unit, $"{e.DisplayName} 入驻 {e.Unit}", $"{e.DisplayName} registered in {e.Unit}"),
        EnterpriseRelocated e => (e.ToUnit, $"{e.DisplayName} 由 {e.FromUnit} 迁至 {e.ToUnit}", $"{e.DisplayName} moved from {e.FromUnit} to {e.ToUnit}"),
        EnterpriseTierCertified e => (e.Unit, $"{e.Uscc} {(e.Renewal ? "重新认定" : "认定")}为{TierZh(e.Tier)}", $"{e.Uscc} {(e.Renewal ? "re-certified" : "certified")} {TierEn(e.Tier)}"),
        EnterpriseTierDisqualified e => (e.Unit, $"{e.Uscc} 取消{TierZh(e.Tier)}资格", $"{e.Uscc} lost its {TierEn(e.Tier)} certification"),
        InvestmentProjectStageChanged e => (e.Unit, $"项目 {e.Project} 进入「{e.Stage}」阶段({Wan(e.AmountFen)}万元)", $"Project {e.Project} moved to '{e.Stage}' (CNY {Wan(e.AmountFen)} × 10k)"),
        ProjectReferred e => (e.ToUnit, $"{e.FromUnit} 向 {e.ToUnit} 推荐项目 {e.ProjectDisplayName}", $"{e.FromUnit} referred {e.ProjectDisplayName} to {e.ToUnit}"),
        ResearchProjectIndustrialized e => (e.LandingUnit, $"科研项目 {e.DisplayName} 产业化,落地 {e.LandingUnit}", $"Research project {e.DisplayName} industrialised, landing in {e.LandingUnit}"),
        IndicatorReported e => (e.Unit, $"{e.Unit} 报送指标 {e.Indicator}({e.Period})", $"{e.Unit} reported {e.Indicator} for {e.Period}"),
        TalentCertified e => (e.EmployerUnit, $"人才 {e.Talent} 认定为 {e.Level}", $"Talent {e.Talent} certified at level {e.Level}"),
        TalentServiceRequestOverdue e => (e.EmployerUnit, $"人才服务申请 {e.Request} 已超期", $"Talent service request {e.Request} is overdue"),
        LoanApproved e => (e.Unit, $"{e.Uscc} 获批贷款 {Wan(e.AmountFen)}万元", $"{e.Uscc} loan approved: CNY {Wan(e.AmountFen)} × 10k"),
        PayoutMade e => (e.Unit, $"{e.Uscc} 获政策兑现 {Wan(e.AmountFen)}万元{(e.Automatic ? "(免申即享)" : "")}", $"{e.Uscc} paid CNY {Wan(e.AmountFen)} × 10k under {e.Policy}"),
        _ => (string.Empty, message.Descriptor.Name, message.Descriptor.Name),
    };

    private static string Wan(long fen) => (fen / 1_000_000m).ToString("0.##", CultureInfo.InvariantCulture);

    private static string TierZh(EnterpriseTier tier) => tier switch
    {
        EnterpriseTier.TechSme => "科技型中小企业",
        EnterpriseTier.HighTech => "高新技术企业",
        EnterpriseTier.Eaglet => "雏鹰企业",
        EnterpriseTier.Gazelle => "瞪羚企业",
        EnterpriseTier.Unicorn => "独角兽企业",
        EnterpriseTier.Leader => "领军企业",
        EnterpriseTier.Listed => "上市企业",
        _ => "企业",
    };

    private static string TierEn(EnterpriseTier tier) => tier switch
    {
        EnterpriseTier.TechSme => "tech-based SME",
        EnterpriseTier.HighTech => "high-tech enterprise",
        EnterpriseTier.Eaglet => "eaglet",
        EnterpriseTier.Gazelle => "gazelle",
        EnterpriseTier.Unicorn => "unicorn",
        EnterpriseTier.Leader => "leading enterprise",
        EnterpriseTier.Listed => "listed",
        _ => "enterprise",
    };
}

/// <summary>
/// Puts an event on the shared feed (a queue in the state store, written in the delivery's transaction, so each
/// event appears once however often it is delivered). Gateway replicas share one consumer group, so each event
/// reaches one replica; every replica reads the shared feed (<see cref="SharedFeedRelay"/>) for its own subscribers.
/// </summary>
internal sealed class FeedEventHandler<TEvent> : IEventHandler<TEvent> where TEvent : IMessage<TEvent>
{
    public Task HandleAsync(EventContext<TEvent> context, CancellationToken cancellationToken)
    {
        var (unit, zh, en) = FeedEvents.Describe(context.Event);
        var item = new FeedItem(context.Envelope.Id, context.Envelope.Time, "event", context.Event.Descriptor.FullName, unit, zh, en);
        context.Transaction.Enqueue(SharedFeedRelay.Queue, context.Envelope.Id, JsonSerializer.SerializeToUtf8Bytes(item));
        return Task.CompletedTask;
    }
}

/// <summary>
/// Reads the shared feed and publishes what is new to this replica's live feed; tells the overview which unit's
/// figures an event changed; keeps the shared feed to its newest items.
/// </summary>
internal sealed class SharedFeedRelay(IStateStore store, LiveFeed feed, CityOverviewComposer overview, TimeProvider time) : BackgroundService
{
    public static readonly string Queue = StateKeys.For("gateway", "zone", "feed", "queue");

    /// <summary>Items kept in the shared feed.</summary>
    public const int Keep = 200;

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long last = -1;
        var first = true;
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                // Keep the shared feed to its newest items (replicas trimming at once is harmless: ids already gone are ignored).
                var count = await store.CountQueueAsync(Queue, stoppingToken);
                if (count > Keep)
                {
                    var old = await store.PeekQueueAsync(Queue, (int)Math.Min(count - Keep, 10_000), stoppingToken);
                    await store.RemoveFromQueueAsync(Queue, [.. old.Select(m => m.Id)], stoppingToken);
                }
                var items = await store.PeekQueueAsync(Queue, Keep, stoppingToken);
                foreach (var message in items.Where(m => m.Sequence > last))
                {
                    var item = JsonSerializer.Deserialize<FeedItem>(message.Body.Span);
                    if (item is null) continue;
                    // On start the newest items fill the feed's memory for new subscribers; after that, each new one
                    // also marks its unit's overview figures out of date.
                    feed.Publish(item);
                    if (!first) overview.Invalidate(BackendOf(item.Unit));
                }
                if (items.Count > 0) last = Math.Max(last, items.Max(m => m.Sequence));
                first = false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store is unavailable: the feed pauses and resumes with it (the overview does not depend on it).
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static string BackendOf(string unit) =>
        unit.StartsWith("districts/", StringComparison.Ordinal) ? "district-" + unit["districts/".Length..]
        : unit.StartsWith("parks/", StringComparison.Ordinal) ? "branchparks"
        : unit == "scienceCity" ? "sciencecity"
        : string.Empty;
}
