using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Domain;
using Parks.Hosting.State;

namespace Parks.Hosting.Events;

/// <summary>An event this app gave up on, as operators see it.</summary>
public sealed record DeadLetter(
    string EventId,
    string Type,
    string Source,
    string? Subject,
    DateTimeOffset Time,
    string Topic,
    string Reason,
    int Attempts,
    DateTimeOffset DeadLetteredAt,
    string CloudEvent);

public sealed record DeadLetterPage(IReadOnlyList<DeadLetter> Items, string? NextCursor);

/// <summary>
/// The operator's view of this app's dead letters (events that reached its dead-letter topic): list, get, replay
/// (run the handlers again, through the inbox, with the failure count reset), discard. Meant to be exposed
/// through an admin RPC.
/// </summary>
public interface IDeadLetters
{
    /// <summary>Oldest first; <paramref name="after"/> is the previous page's <see cref="DeadLetterPage.NextCursor"/>.</summary>
    Task<DeadLetterPage> ListAsync(int pageSize, string? after, CancellationToken cancellationToken = default);

    Task<DeadLetter?> GetAsync(string eventId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Delivers the event to this app's handlers again. On success the dead letter is removed; otherwise it stays,
    /// with the new reason. Throws <see cref="NotFoundException"/> for an unknown id.
    /// </summary>
    Task<DeliveryStatus> ReplayAsync(string eventId, CancellationToken cancellationToken = default);

    /// <summary>Removes the dead letter without handling it. Throws <see cref="NotFoundException"/> for an unknown id.</summary>
    Task DiscardAsync(string eventId, CancellationToken cancellationToken = default);

    Task<long> CountAsync(CancellationToken cancellationToken = default);
}

internal sealed partial class DeadLetterStore(
    IStateStore store,
    EventDispatcher dispatcher,
    EventsTelemetry telemetry,
    TimeProvider time,
    IOptions<EventsOptions> options,
    ILogger<DeadLetterStore> logger) : IDeadLetters
{
    private const string ResourceType = "dead letter";
    private readonly string _appId = options.Value.AppId;
    private readonly string _index = EventNames.DeadLetterIndex(options.Value.AppId);

    /// <summary>Records an event delivered on this app's dead-letter topic; recording it twice keeps the first.</summary>
    public async Task RecordAsync(EventEnvelope envelope, ReadOnlyMemory<byte> cloudEvent, CancellationToken cancellationToken)
    {
        var failures = await dispatcher.GetFailuresAsync(envelope.Id, cancellationToken);
        var now = time.GetUtcNow();
        var letter = new DeadLetter(envelope.Id, envelope.Type, envelope.Source, envelope.Subject, envelope.Time,
            string.IsNullOrEmpty(envelope.Topic) ? EventNames.Topic(envelope.Type) : envelope.Topic,
            failures?.Reason ?? "dropped (no failure recorded by this app: the broker dead-lettered it)",
            failures?.Attempts ?? 0, now, Encoding.UTF8.GetString(cloudEvent.Span));
        var record = new StoredDeadLetter(letter, IndexMember(now, envelope.Id));
        try
        {
            await store.CommitAsync(new StateTransaction()
                .Put(EventNames.DeadLetter(_appId, envelope.Id), record.ToBytes(), 0)
                .AddToIndex(_index, record.IndexMember), cancellationToken);
        }
        catch (ConcurrencyException)
        {
            return; // a redelivery of the dead letter: recorded already
        }
        telemetry.DeadLetters.Add(1, new KeyValuePair<string, object?>("topic", letter.Topic));
        LogDeadLettered(logger, letter.EventId, letter.Type, letter.Reason);
    }

    public async Task<DeadLetterPage> ListAsync(int pageSize, string? after, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var members = await store.ScanIndexAsync(_index, after, pageSize + 1, cancellationToken);
        var page = members.Take(pageSize).ToList();
        var entries = await store.GetManyAsync([.. page.Select(m => EventNames.DeadLetter(_appId, IdOf(m)))], cancellationToken);
        var items = entries.Where(e => e is not null).Select(e => StoredDeadLetter.Read(e!.Value.Span).Letter).ToList();
        return new DeadLetterPage(items, members.Count > pageSize ? page[^1] : null);
    }

    public async Task<DeadLetter?> GetAsync(string eventId, CancellationToken cancellationToken = default) =>
        (await GetStoredAsync(eventId, cancellationToken))?.Record.Letter;

    public async Task<DeliveryStatus> ReplayAsync(string eventId, CancellationToken cancellationToken = default)
    {
        var (record, version) = await GetStoredAsync(eventId, cancellationToken) ?? throw new NotFoundException(ResourceType, eventId);
        await dispatcher.ResetFailuresAsync(eventId, cancellationToken);
        var envelope = EventEnvelope.Parse(Encoding.UTF8.GetBytes(record.Letter.CloudEvent));
        var status = await dispatcher.DispatchAsync(envelope, cancellationToken);
        var key = EventNames.DeadLetter(_appId, eventId);
        try
        {
            if (status == DeliveryStatus.Success)
            {
                await store.CommitAsync(new StateTransaction().Delete(key, version).RemoveFromIndex(_index, record.IndexMember), cancellationToken);
            }
            else
            {
                var failures = await dispatcher.GetFailuresAsync(eventId, cancellationToken);
                var updated = record with
                {
                    Letter = record.Letter with
                    {
                        Reason = failures?.Reason ?? record.Letter.Reason,
                        Attempts = failures?.Attempts ?? record.Letter.Attempts,
                    },
                };
                await store.CommitAsync(new StateTransaction().Put(key, updated.ToBytes(), version), cancellationToken);
            }
        }
        catch (ConcurrencyException)
        {
            // A concurrent replay or discard handled the record; the inbox kept the effect single.
        }
        LogReplayed(logger, eventId, status);
        return status;
    }

    public async Task DiscardAsync(string eventId, CancellationToken cancellationToken = default)
    {
        var (record, version) = await GetStoredAsync(eventId, cancellationToken) ?? throw new NotFoundException(ResourceType, eventId);
        await store.CommitAsync(new StateTransaction()
            .Delete(EventNames.DeadLetter(_appId, eventId), version)
            .RemoveFromIndex(_index, record.IndexMember), cancellationToken);
        LogDiscarded(logger, eventId);
    }

    public Task<long> CountAsync(CancellationToken cancellationToken = default) => store.CountIndexAsync(_index, cancellationToken);

    private async Task<(StoredDeadLetter Record, long Version)?> GetStoredAsync(string eventId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        var entry = await store.GetAsync(EventNames.DeadLetter(_appId, eventId), cancellationToken);
        return entry is null ? null : (StoredDeadLetter.Read(entry.Value.Span), entry.Version);
    }

    // Time first so that the index lists oldest first; the id makes members unique.
    private static string IndexMember(DateTimeOffset at, string eventId) =>
        $"{at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss.fffffff", CultureInfo.InvariantCulture)}|{eventId}";

    private static string IdOf(string indexMember) => indexMember[(indexMember.IndexOf('|', StringComparison.Ordinal) + 1)..];

    private sealed record StoredDeadLetter(DeadLetter Letter, string IndexMember)
    {
        private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

        public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

        public static StoredDeadLetter Read(ReadOnlySpan<byte> json) =>
            JsonSerializer.Deserialize<StoredDeadLetter>(json, Json) ?? throw new FormatException("empty dead-letter record");
    }

    [LoggerMessage(EventId = 3501, Level = LogLevel.Warning, Message = "Event {Id} ({Type}) dead-lettered: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string id, string type, string reason);

    [LoggerMessage(EventId = 3502, Level = LogLevel.Information, Message = "Dead letter {Id} replayed: {Status}")]
    private static partial void LogReplayed(ILogger logger, string id, DeliveryStatus status);

    [LoggerMessage(EventId = 3503, Level = LogLevel.Information, Message = "Dead letter {Id} discarded")]
    private static partial void LogDiscarded(ILogger logger, string id);
}
