using Parks.Hosting.State;

namespace Parks.ScienceCity.Storage;

/// <summary>Loads the seed at start-up, retrying while the state store cannot be reached; loading is idempotent.</summary>
internal sealed partial class SeedService(ScienceCitySeeder seeder, ILogger<SeedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var delay = TimeSpan.FromSeconds(1); !stoppingToken.IsCancellationRequested; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks)))
        {
            try
            {
                var written = await seeder.SeedAsync(stoppingToken);
                LogSeeded(written);
                return;
            }
            catch (StateStoreUnavailableException ex)
            {
                LogStoreUnavailable(delay, ex.Message);
                await Task.Delay(delay, stoppingToken);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Science City seed loaded: {Written} records written (0 when already present)")]
    private partial void LogSeeded(int written);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "State store unavailable while seeding; retrying in {Delay}: {Reason}")]
    private partial void LogStoreUnavailable(TimeSpan delay, string reason);
}
