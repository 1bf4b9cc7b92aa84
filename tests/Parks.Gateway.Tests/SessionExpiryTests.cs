using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Parks.Gateway.Tests.Infrastructure;

namespace Parks.Gateway.Tests;

/// <summary>A browser session ends when it expires (the gateway's clock is moved forward here).</summary>
public sealed class SessionExpiryTests
{
    [Fact]
    public async Task An_expired_session_is_unauthenticated()
    {
        var clock = new MovableClock();
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, BackendServer>(),
            settings => settings["Parks:Gateway:SessionMinutes"] = "10",
            services => services.AddSingleton<TimeProvider>(clock));
        using var login = await gateway.Http.PostAsync("/v1/session", new StringContent($"{{\"apiKey\":\"{gateway.Keys["dashboard"]}\"}}", Encoding.UTF8, "application/json"));
        var cookie = login.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, cookie));
        clock.Offset = TimeSpan.FromMinutes(11);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(gateway, cookie));
    }

    private static async Task<HttpStatusCode> StatusAsync(GatewayHost gateway, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/zone");
        request.Headers.Add("Cookie", cookie);
        using var response = await gateway.Http.SendAsync(request);
        return response.StatusCode;
    }

    private sealed class MovableClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }
}
