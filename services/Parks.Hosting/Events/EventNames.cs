using Parks.Hosting.State;

namespace Parks.Hosting.Events;

/// <summary>
/// Topic and key naming (docs/architecture.md, "Events"): one topic per event type, named by the protobuf full
/// name (so a breaking change, a new message or package v2, is a new topic); one dead-letter topic per consuming
/// app. Outbox, inbox and dead letters live under <c>parks:events:{appId}:…</c>.
/// </summary>
public static class EventNames
{
    public static string Topic(string eventType) => eventType;

    public static string DeadLetterTopic(string appId) => $"parks.deadletter.{appId}";

    internal static string OutboxQueue(string appId) => StateKeys.For("events", appId, "outbox", "queue");

    internal static string InboxMarker(string appId, string handler, string eventId) =>
        StateKeys.For("events", appId, "inbox", $"{handler}:{eventId}");

    internal static string Attempts(string appId, string eventId) => StateKeys.For("events", appId, "attempts", eventId);

    internal static string DeadLetter(string appId, string eventId) => StateKeys.For("events", appId, "deadletter", eventId);

    internal static string DeadLetterIndex(string appId) => StateKeys.Index("events", appId, "deadletters");
}
