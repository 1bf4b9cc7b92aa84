using System.Diagnostics;

namespace Parks.Hosting.Events;

/// <summary>
/// One "publish {topic}" producer activity per event of a batch, each continuing the trace the event was staged
/// in; the envelopes then carry the publish activity as their parent, so consumers continue from it.
/// </summary>
internal sealed class PublishActivities : IDisposable
{
    private readonly List<Activity> _activities;

    private PublishActivities(IReadOnlyList<EventEnvelope> envelopes, List<Activity> activities)
    {
        Envelopes = envelopes;
        _activities = activities;
    }

    public IReadOnlyList<EventEnvelope> Envelopes { get; }

    public static PublishActivities Start(IReadOnlyList<EventEnvelope> events)
    {
        if (!EventsTelemetry.ActivitySource.HasListeners()) return new PublishActivities(events, []);
        var activities = new List<Activity>();
        var envelopes = new List<EventEnvelope>(events.Count);
        foreach (var envelope in events)
        {
            var activity = EventsTelemetry.Start($"publish {envelope.Topic}", ActivityKind.Producer,
                envelope.TraceParent, envelope.TraceState, envelope.Topic);
            if (activity is null)
            {
                envelopes.Add(envelope);
                continue;
            }
            activity.SetTag("messaging.message.id", envelope.Id);
            activities.Add(activity);
            envelopes.Add(envelope with { TraceParent = activity.Id, TraceState = activity.TraceStateString });
        }
        return new PublishActivities(envelopes, activities);
    }

    public void Dispose()
    {
        foreach (var activity in _activities) activity.Dispose();
    }
}
