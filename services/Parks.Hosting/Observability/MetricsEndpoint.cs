using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Parks.Hosting.Observability;

/// <summary><c>GET /metrics</c>: this host's Parks meters, the .NET runtime's meter and process metrics, as Prometheus text.</summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    /// <summary>The .NET runtime's built-in meter (GC, thread pool, exceptions, CPU time).</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>
    /// Whether a meter belongs on this host's page: Parks meters and the runtime's, either process-wide (no scope)
    /// or created by this host's IMeterFactory — so two hosts in one process do not report each other's calls.
    /// </summary>
    public static bool Includes(Meter meter, IMeterFactory? hostFactory) =>
        (meter.Name.StartsWith("Parks", StringComparison.Ordinal) || meter.Name == RuntimeMeter)
        && (meter.Scope is null || ReferenceEquals(meter.Scope, hostFactory));

    /// <summary>The whole page.</summary>
    public static string Render(MetricsCollector collector)
    {
        var text = new StringBuilder(16 * 1024);
        PrometheusText.Write(text, collector.Collect());
        ProcessMetrics.Write(text);
        return text.ToString();
    }

    public static IEndpointConventionBuilder MapParksMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Path, (HttpContext context) =>
        {
            var collector = context.RequestServices.GetRequiredService<MetricsCollector>();
            return Results.Text(Render(collector), PrometheusText.ContentType, Encoding.UTF8);
        });
}
