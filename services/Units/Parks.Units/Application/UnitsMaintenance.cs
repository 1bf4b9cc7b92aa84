using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Parks.Hosting.State;
using Parks.Units.Data;

namespace Parks.Units.Application;

/// <summary>
/// Loads the seed (and, when enabled, demo) data before the service starts taking calls, then re-derives lapsed
/// tiers once at start and every few hours (a certification ends by date, not by a write).
/// </summary>
public sealed partial class UnitsMaintenance(SeedLoader seed, EnterpriseOperations enterprises, UnitsContext context, ILogger<UnitsMaintenance> logger)
    : BackgroundService
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(6);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Seed first (awaited): the service answers only once its unit's reference data is in place.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                foreach (var result in await seed.LoadAsync(cancellationToken))
                {
                    LogSeeded(logger, result.Unit.ResourceName, result.RealLoaded, result.Observations, result.DemoLoaded,
                        result.DemoEnterprises, result.DemoProjects, result.DemoReferrals, result.DemoEvaluations);
                }
                break;
            }
            catch (StateStoreUnavailableException ex) when (attempt < 10)
            {
                LogSeedRetry(logger, attempt, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt * 3)), cancellationToken);
            }
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var unit in await context.Scope.ServedUnitsAsync(stoppingToken))
                {
                    var changed = await enterprises.RefreshLapsedTiersAsync(unit, context.Clock.Today, stoppingToken);
                    if (changed > 0) LogTiersRefreshed(logger, unit.ResourceName, changed);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRefreshFailed(logger, ex);
            }
            await Task.Delay(RefreshInterval, context.Clock.TimeProvider, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information,
        Message = "Seed data for {Unit}: real loaded {RealLoaded} ({Observations} observations); demo loaded {DemoLoaded} ({Enterprises} enterprises, {Projects} projects, {Referrals} referrals, {Evaluations} evaluations)")]
    private static partial void LogSeeded(ILogger logger, string unit, bool realLoaded, int observations, bool demoLoaded, int enterprises, int projects, int referrals, int evaluations);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Seed loading attempt {Attempt} could not reach the state store: {Reason}")]
    private static partial void LogSeedRetry(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Re-derived the tier of {Count} enterprises of {Unit} whose certifications lapsed")]
    private static partial void LogTiersRefreshed(ILogger logger, string unit, int count);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "Re-deriving lapsed tiers failed; retrying at the next interval")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
