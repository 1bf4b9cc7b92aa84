using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Parks.Gateway.Rest;
using Parks.Gateway.Security;

namespace Parks.Gateway.Feed;

/// <summary>
/// GET /v1/events: the live feed as Server-Sent Events (<c>event: feed</c>, one JSON <see cref="FeedItem"/> per
/// message), for any authenticated caller (the dashboard uses its session cookie). A comment line every 15 s keeps
/// proxies from closing an idle stream.
/// </summary>
internal sealed class FeedEndpoint(LiveFeed feed, Authenticator authenticator, Problems problems, TimeProvider time)
{
    public const int MaxSubscribers = 1_000;
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public async Task StreamAsync(HttpContext http)
    {
        var result = authenticator.Authenticate(http.Request.Headers.Authorization.ToString(), http.Request.Cookies[Authenticator.SessionCookie], "/v1/events");
        if (result.Caller is null)
        {
            await problems.WriteAsync(http, Pipeline.GatewayErrors.Unauthenticated(result.Failure!));
            return;
        }
        if (feed.SubscriberCount >= MaxSubscribers)
        {
            await problems.WriteAsync(http, Pipeline.GatewayErrors.Overloaded());
            return;
        }
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        using var subscription = feed.Subscribe();
        var cancellation = http.RequestAborted;
        try
        {
            await http.Response.WriteAsync(": parks live feed\n\n", cancellation);
            await http.Response.Body.FlushAsync(cancellation);
            while (!cancellation.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                wait.CancelAfter(Heartbeat);
                try
                {
                    while (await subscription.Reader.WaitToReadAsync(wait.Token))
                    {
                        while (subscription.Reader.TryRead(out var item))
                        {
                            await http.Response.WriteAsync($"id: {item.Id}\nevent: feed\ndata: {JsonSerializer.Serialize(item)}\n\n", cancellation);
                        }
                        await http.Response.Body.FlushAsync(cancellation);
                    }
                    return;
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    await http.Response.WriteAsync($": {time.GetUtcNow():O}\n\n", cancellation);
                    await http.Response.Body.FlushAsync(cancellation);
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The browser went away.
        }
    }
}
