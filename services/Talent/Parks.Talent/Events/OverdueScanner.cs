using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Parks.Hosting.State;
using Parks.Talent.Storage;

namespace Parks.Talent.Events;

/// <summary>Overdue detection settings (section <c>Parks:Talent:Overdue</c>).</summary>
internal sealed class OverdueOptions
{
    public const string Section = "Parks:Talent:Overdue";

    /// <summary>How often open requests are checked against their due times.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most requests flagged per scan (the rest wait for the next one).</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;
}

/// <summary>
/// Periodically flags open service requests past their SLA and publishes TalentServiceRequestOverdue, once per
/// request. Several replicas may scan at once: the flag is an optimistic write, so only one of them publishes.
/// </summary>
internal sealed partial class OverdueScanner(ServiceRequestStore requests, IOptions<OverdueOptions> options, TimeProvider time, ILogger<OverdueScanner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ScanInterval, time);
        do
        {
            try
            {
                var flagged = await requests.DetectOverdueAsync(options.Value.BatchSize, stoppingToken);
                if (flagged > 0) LogFlagged(flagged);
            }
            catch (StateStoreUnavailableException ex)
            {
                LogStoreUnavailable(ex.Message);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Flagged {Count} talent service requests overdue")]
    private partial void LogFlagged(int count);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Overdue scan skipped, state store unavailable: {Reason}")]
    private partial void LogStoreUnavailable(string reason);
}
