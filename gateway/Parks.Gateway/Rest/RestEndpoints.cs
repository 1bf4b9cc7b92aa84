using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parks.Gateway.Feed;
using Parks.Gateway.Security;
using Parks.Rpc;

namespace Parks.Gateway.Rest;

/// <summary>The gateway's HTTP routes: REST/JSON, browser sessions, the live feed (SSE).</summary>
internal static class RestEndpoints
{
    public static void MapGatewayRest(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/rpc/{service}/{method}", (HttpContext http, string service, string method, RestGateway rest) => rest.InvokeRpcAsync(http, service, method));
        app.MapGet("/v1/{**path}", (HttpContext http, RestGateway rest) => rest.InvokeResourceAsync(http));

        app.MapPost("/v1/session", OpenSessionAsync);
        app.MapGet("/v1/session", GetSessionAsync);
        app.MapDelete("/v1/session", (HttpContext http) =>
        {
            http.Response.Cookies.Delete(Authenticator.SessionCookie, new CookieOptions { Path = "/" });
            return Results.NoContent();
        });
        app.MapGet("/v1/events", (HttpContext http, FeedEndpoint feed) => feed.StreamAsync(http));
    }

    /// <summary>
    /// POST /v1/session {"apiKey": "…"}: opens a browser session (an HttpOnly, SameSite=Strict cookie) for the key's
    /// caller. Sessions may read only; writes need the key itself or a signed token on every call.
    /// </summary>
    private static async Task OpenSessionAsync(HttpContext http, CallerDirectory callers, Authenticator authenticator, Problems problems, Microsoft.Extensions.Logging.ILogger<RestGateway> logger)
    {
        string? key = null;
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("apiKey", out var value)) key = value.GetString();
        }
        catch (JsonException)
        {
        }
        var caller = string.IsNullOrEmpty(key) ? null : callers.FindByKey(key);
        if (caller is null)
        {
            await problems.WriteAsync(http, Pipeline.GatewayErrors.Unauthenticated("The API key is not valid."));
            return;
        }
        var (cookie, expires) = authenticator.IssueSession(caller);
        http.Response.Cookies.Append(Authenticator.SessionCookie, cookie, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps || string.Equals(http.Request.Headers["X-Forwarded-Proto"], "https", StringComparison.OrdinalIgnoreCase),
            Path = "/",
            Expires = expires,
        });
        GatewayLog.SessionOpened(logger, caller.Identity.Id);
        await http.Response.WriteAsJsonAsync(Describe(caller, expires));
    }

    private static async Task GetSessionAsync(HttpContext http, Authenticator authenticator, Problems problems)
    {
        var result = authenticator.Authenticate(http.Request.Headers.Authorization.ToString(), http.Request.Cookies[Authenticator.SessionCookie], "/v1/session");
        if (result.Caller is null)
        {
            await problems.WriteAsync(http, Pipeline.GatewayErrors.Unauthenticated(result.Failure!));
            return;
        }
        await http.Response.WriteAsJsonAsync(Describe(result.Caller, null));
    }

    private static Dictionary<string, string?> Describe(KnownCaller caller, DateTimeOffset? expires) => new()
    {
        ["caller"] = caller.Identity.Id,
        ["role"] = Parks.Hosting.Security.Caller.RoleName(caller.Identity.Role),
        ["unit"] = caller.Identity.Unit?.ResourceName,
        ["expireTime"] = expires?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
    };
}
