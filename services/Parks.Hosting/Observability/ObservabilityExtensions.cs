using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Parks.Hosting.Observability;

internal static class ObservabilityExtensions
{
    /// <summary>
    /// Metrics for <c>/metrics</c> and OTLP export of traces and metrics. Both are created when the host starts
    /// (before Kestrel accepts calls, so no early call goes uncounted) and disposed with it.
    /// </summary>
    public static IServiceCollection AddParksObservability(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton(sp =>
        {
            var factory = sp.GetService<IMeterFactory>();
            return new MetricsCollector(meter => MetricsEndpoint.Includes(meter, factory));
        });
        services.AddSingleton<OpenTelemetryExport>();
        services.AddHostedService<ObservabilityStartup>();
        return services;
    }

    private sealed class ObservabilityStartup(MetricsCollector collector, OpenTelemetryExport export) : IHostedService
    {
        // Resolving both in the constructor is the point: hosted services are created before the server starts.
        private readonly object[] _started = [collector, export];

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
