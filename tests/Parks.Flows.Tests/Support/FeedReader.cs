using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Parks.Flows.Tests.Support;

/// <summary>One item of the gateway's live feed (the dashboard's read model of the integration events).</summary>
internal sealed record FeedEntry(string Id, string Kind, string Type, string Unit, string TextZh, string TextEn);

/// <summary>
/// Follows <c>GET /v1/events</c> on the gateway's HTTP port with the dashboard's key, as the dashboard's browser does,
/// and keeps every item it receives; reconnects if the stream ends.
/// </summary>
internal sealed class FeedReader : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly string _key;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<FeedEntry> _items = new();
    private Task _running = Task.CompletedTask;

    private FeedReader(string baseAddress, string key)
    {
        _http = new HttpClient { BaseAddress = new Uri(baseAddress), Timeout = Timeout.InfiniteTimeSpan };
        _key = key;
    }

    public IReadOnlyCollection<FeedEntry> Items => _items;

    /// <summary>Whether the stream has been opened at least once (its first comment line arrived).</summary>
    public bool Connected { get; private set; }

    public static FeedReader Start(string baseAddress, string key)
    {
        var reader = new FeedReader(baseAddress, key);
        reader._running = Task.Run(() => reader.RunAsync(reader._stop.Token));
        return reader;
    }

    /// <summary>Items of an event type whose text mentions <paramref name="mention"/> (a credit code, a resource name).</summary>
    public IReadOnlyList<FeedEntry> Of(string eventType, string mention) =>
        [.. _items.Where(i => i.Type == eventType && (i.TextZh.Contains(mention, StringComparison.Ordinal) || i.TextEn.Contains(mention, StringComparison.Ordinal)))];

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
                response.EnsureSuccessStatusCode();
                using var body = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
                string? eventName = null;
                while (await body.ReadLineAsync(stop) is { } line)
                {
                    Connected = true;
                    if (line.StartsWith("event: ", StringComparison.Ordinal)) eventName = line["event: ".Length..];
                    else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "feed") _items.Enqueue(Parse(line["data: ".Length..]));
                    else if (line.Length == 0) eventName = null;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                await Task.Delay(250, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static FeedEntry Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string Text(string name) => root.TryGetProperty(name, out var value) ? value.GetString() ?? "" : "";
        return new FeedEntry(Text("id"), Text("kind"), Text("type"), Text("unit"), Text("textZh"), Text("textEn"));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _http.Dispose();
        _stop.Dispose();
    }
}
