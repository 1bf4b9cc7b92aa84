using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Parks.Hosting.Lifetime;

/// <summary>
/// Stops the host when the process that started it has gone (<c>Parks:Hosting:ParentProcessId</c>, set by the
/// local run), so that no service outlives an AppHost that crashed or was killed before it could stop them.
/// On Linux the check reads this process's parent id, which changes when the parent dies (the orphan is
/// re-parented), so a recycled pid cannot fool it.
/// </summary>
internal sealed partial class ParentProcessWatch(IOptions<HostingOptions> options, IHostApplicationLifetime lifetime, ILogger<ParentProcessWatch> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.ParentProcessId is not { } parent) return;
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (IsAlive(parent)) continue;
            ParentGone(logger, parent);
            lifetime.StopApplication();
            return;
        }
    }

    internal static bool IsAlive(int parent)
    {
        if (OperatingSystem.IsLinux() && ReadParentId() is { } actual) return actual == parent;
        try
        {
            using var process = Process.GetProcessById(parent);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The ppid field of /proc/self/stat (after the parenthesised command name, which may contain spaces).</summary>
    private static int? ReadParentId()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "The parent process {ParentProcessId} has gone; stopping.")]
    private static partial void ParentGone(ILogger logger, int parentProcessId);
}
