using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Parks.Hosting.Events;

/// <summary>
/// Traces (ActivitySource "Parks.Events") and metrics (Meter "Parks.Events") of the event bus. Activities
/// continue the producer's W3C trace context carried in the envelope's <c>traceparent</c>.
/// </summary>
public sealed class EventsTelemetry : IDisposable
{
    public const string Name = "Parks.Events";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;
    private long _outboxDepth;

    public EventsTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        Published = _meter.CreateCounter<long>("parks.events.published", "{event}", "Events the transport acknowledged.");
        Delivered = _meter.CreateCounter<long>("parks.events.delivered", "{event}", "Events whose handler effect was applied.");
        Duplicates = _meter.CreateCounter<long>("parks.events.duplicates", "{event}", "Redeliveries skipped because the effect was already applied.");
        Failures = _meter.CreateCounter<long>("parks.events.failures", "{event}", "Failed handler attempts and failed publish attempts.");
        DeadLetters = _meter.CreateCounter<long>("parks.events.dead_letters", "{event}", "Events recorded as dead letters.");
        Lag = _meter.CreateHistogram<double>("parks.events.lag", "ms", "From the event's time to its effect in a consumer.");
        _meter.CreateObservableGauge("parks.events.outbox.depth", () => Interlocked.Read(ref _outboxDepth), "{event}",
            "Events committed but not yet acknowledged by the transport.");
    }

    public Counter<long> Published { get; }

    public Counter<long> Delivered { get; }

    public Counter<long> Duplicates { get; }

    public Counter<long> Failures { get; }

    public Counter<long> DeadLetters { get; }

    public Histogram<double> Lag { get; }

    public void SetOutboxDepth(long depth) => Interlocked.Exchange(ref _outboxDepth, depth);

    /// <summary>Starts an activity that continues the trace of <paramref name="traceParent"/> when it is valid.</summary>
    internal static Activity? Start(string name, ActivityKind kind, string? traceParent, string? traceState, string topic)
    {
        ActivityContext.TryParse(traceParent, traceState, out var parent);
        var activity = ActivitySource.StartActivity(name, kind, parent);
        activity?.SetTag("messaging.system", "parks");
        activity?.SetTag("messaging.destination.name", topic);
        return activity;
    }

    /// <summary>The current W3C trace context to carry in an envelope.</summary>
    internal static (string? TraceParent, string? TraceState) Current()
    {
        var current = Activity.Current;
        return current is { IdFormat: ActivityIdFormat.W3C } ? (current.Id, current.TraceStateString) : (null, null);
    }

    public void Dispose() => _meter.Dispose();
}
