using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Parks.Hosting.State;

namespace Parks.Storage;

/// <summary>Something that writes a service's seed into the state store, idempotently.</summary>
internal interface ISeeder
{
    string Name { get; }

    /// <summary>Writes what is missing; returns how many records it wrote (0 when all were present).</summary>
    Task<int> SeedAsync(CancellationToken cancellationToken);
}

/// <summary>Runs the seeders at start-up, retrying while the state store cannot be reached.</summary>
internal sealed partial class SeedService(IEnumerable<ISeeder> seeders, ILogger<SeedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var seeder in seeders)
        {
            for (var delay = TimeSpan.FromSeconds(1); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks)))
            {
                try
                {
                    LogSeeded(seeder.Name, await seeder.SeedAsync(stoppingToken));
                    break;
                }
                catch (StateStoreUnavailableException ex)
                {
                    LogStoreUnavailable(seeder.Name, delay, ex.Message);
                    await Task.Delay(delay, stoppingToken);
                }
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Seed {Seed} loaded: {Written} records written (0 when already present)")]
    private partial void LogSeeded(string seed, int written);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "State store unavailable while loading seed {Seed}; retrying in {Delay}: {Reason}")]
    private partial void LogStoreUnavailable(string seed, TimeSpan delay, string reason);
}
