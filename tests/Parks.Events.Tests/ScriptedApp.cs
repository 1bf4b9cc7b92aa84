using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Parks.Testing;

namespace Parks.Events.Tests;

/// <summary>A stand-in app for checking the sidecar double: fixed subscriptions and scripted answers, everything recorded.</summary>
internal sealed class ScriptedApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedDelivery> _received = new();
    private int _subscribeCalls;

    private ScriptedApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public int SubscribeCalls => _subscribeCalls;

    public IReadOnlyList<ReceivedDelivery> Received => [.. _received];

    /// <param name="subscriptions">The JSON array /dapr/subscribe answers with.</param>
    /// <param name="answer">Given the route, the CloudEvent and how many times this event id came before, the status and body.</param>
    public static async Task<ScriptedApp> StartAsync(string subscriptions, Func<string, JsonElement, int, (int Status, string Body)> answer,
        int? port = null, TimeSpan? delayFirstDelivery = null)
    {
        var appPort = port ?? FreeTcpPort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, appPort, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        ScriptedApp? self = null;
        var seen = new ConcurrentDictionary<string, int>();
        app.MapGet("/dapr/subscribe", () =>
        {
            Interlocked.Increment(ref self!._subscribeCalls);
            return Results.Text(subscriptions, "application/json");
        });
        app.MapPost("/{**route}", async (HttpContext context, string route) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var cloudEvent = JsonDocument.Parse(body).RootElement.Clone();
            var id = cloudEvent.TryGetProperty("id", out var i) ? i.GetString() ?? "" : "";
            var previous = seen.AddOrUpdate(id, 0, (_, n) => n + 1);
            self!._received.Enqueue(new ReceivedDelivery("/" + route, context.Request.Protocol,
                context.Request.ContentType, context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                cloudEvent, Encoding.UTF8.GetString(body)));
            if (previous == 0 && delayFirstDelivery is { } delay) await Task.Delay(delay);
            var (status, text) = answer("/" + route, cloudEvent, previous);
            return Results.Text(text, "application/json", statusCode: status);
        });
        await app.StartAsync();
        self = new ScriptedApp(app, appPort);
        return self;
    }

    public static string Subscriptions(params (string Topic, string Route, string? DeadLetterTopic, bool Raw)[] entries) =>
        JsonSerializer.Serialize(entries.Select(e =>
        {
            var entry = new Dictionary<string, object> { ["pubsubname"] = "pubsub", ["topic"] = e.Topic, ["route"] = e.Route };
            if (e.DeadLetterTopic is not null) entry["deadLetterTopic"] = e.DeadLetterTopic;
            if (e.Raw) entry["metadata"] = new Dictionary<string, string> { ["rawPayload"] = "true" };
            return entry;
        }));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record ReceivedDelivery(string Route, string Protocol, string? ContentType, IReadOnlyDictionary<string, string> Headers,
    JsonElement CloudEvent, string Body);
