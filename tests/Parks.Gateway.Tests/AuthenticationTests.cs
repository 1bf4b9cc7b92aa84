using System.Globalization;
using System.Net;
using System.Text;
using Google.Protobuf;
using Parks.Gateway.Security;
using Parks.Gateway.Tests.Infrastructure;
using Parks.GatewayTest.V1;
using Parks.Rpc;

namespace Parks.Gateway.Tests;

/// <summary>Credentials: API keys, signed request tokens (expiry, replay), browser sessions; forged identity.</summary>
[Collection(ZoneCollection.Name)]
public sealed class AuthenticationTests(ZoneFixture zone)
{
    private WidgetService.WidgetServiceClient Widgets => new(zone.Gateway.Channel);

    private static readonly GetWidgetRequest Read = new() { Name = "districts/lingshui/widgets/w1" };

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer ")]
    [InlineData("Bearer not-a-key-of-anyone-0000000000000000000000")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Parks-HMAC-SHA256 caller=dashboard")]
    public async Task Missing_wrong_or_malformed_credentials_are_unauthenticated(string? authorization)
    {
        var headers = new Metadata();
        if (authorization is not null) headers.Add("authorization", authorization);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Widgets.GetWidgetAsync(Read, new CallOptions(headers)).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task A_signed_token_authenticates_once_and_a_replay_is_refused()
    {
        var headers = SignedHeaders("district-lingshui", DateTimeOffset.UtcNow, Nonce(), "/parks.gatewaytest.v1.WidgetService/GetWidget");

        var widget = await Widgets.GetWidgetAsync(Read, new CallOptions(headers));
        Assert.Equal("district-lingshui", widget.Caller);

        var replay = await Assert.ThrowsAsync<RpcException>(() => Widgets.GetWidgetAsync(Read, new CallOptions(headers)).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, replay.StatusCode);
        Assert.Contains("replayed", replay.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-600)]
    [InlineData(600)]
    public async Task An_expired_or_future_signed_token_is_refused(int offsetSeconds)
    {
        var headers = SignedHeaders("district-lingshui", DateTimeOffset.UtcNow.AddSeconds(offsetSeconds), Nonce(), "/parks.gatewaytest.v1.WidgetService/GetWidget");

        var ex = await Assert.ThrowsAsync<RpcException>(() => Widgets.GetWidgetAsync(Read, new CallOptions(headers)).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains("expired", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_token_is_bound_to_its_method_and_its_callers_key()
    {
        var otherMethod = SignedHeaders("district-lingshui", DateTimeOffset.UtcNow, Nonce(), "/parks.gatewaytest.v1.WidgetService/ListWidgets");
        var ex = await Assert.ThrowsAsync<RpcException>(() => Widgets.GetWidgetAsync(Read, new CallOptions(otherMethod)).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);

        // Signed with lingshui's key but claiming to be qixianling.
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var nonce = Nonce();
        var sig = Convert.ToHexString(Authenticator.Sign(Encoding.UTF8.GetBytes(zone.Gateway.Keys["district-lingshui"]), "district-qixianling", ts, nonce, "/parks.gatewaytest.v1.WidgetService/GetWidget"));
        var forged = new Metadata { { "authorization", $"Parks-HMAC-SHA256 caller=district-qixianling, ts={ts}, nonce={nonce}, sig={sig}" } };
        var forgedEx = await Assert.ThrowsAsync<RpcException>(() => Widgets.GetWidgetAsync(Read, new CallOptions(forged)).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, forgedEx.StatusCode);
    }

    [Fact]
    public async Task Forged_caller_metadata_changes_nothing_and_a_body_naming_another_district_is_denied()
    {
        var forged = new Metadata
        {
            { "x-parks-caller", "district-qixianling" },
            { "x-parks-caller-role", "unit" },
            { "x-parks-caller-unit", "districts/qixianling" },
        };
        var create = new CreateWidgetRequest { Parent = "districts/qixianling", WidgetId = ZoneFixture.Unique("f"), Widget = new Widget { DisplayName = "forged" } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Widgets.CreateWidgetAsync(create, zone.Gateway.As("district-lingshui", extra: forged)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);

        // The resource inside the update body names the other district: the nested name is what the gateway checks.
        var update = new UpdateWidgetRequest { Widget = new Widget { Name = $"districts/qixianling/widgets/{ZoneFixture.Unique("f")}", DisplayName = "x" } };
        var nested = await Assert.ThrowsAsync<RpcException>(() => Widgets.UpdateWidgetAsync(update, zone.Gateway.As("district-lingshui")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, nested.StatusCode);

        // The same body for its own unit goes through, and the backend sees the real caller, not the claimed one.
        var own = await Widgets.CreateWidgetAsync(new CreateWidgetRequest { Parent = "districts/lingshui", WidgetId = ZoneFixture.Unique("f"), Widget = new Widget { DisplayName = "own" } }, zone.Gateway.As("district-lingshui", extra: forged));
        Assert.Equal("district-lingshui", own.Caller);
        Assert.Equal("districts/lingshui", own.CallerUnit);
    }

    [Fact]
    public async Task A_message_repeating_its_resource_field_is_judged_by_the_value_the_backend_will_read()
    {
        // Protobuf keeps the last occurrence of a field: a request with parent twice, own unit first, is a write
        // to the second. The gateway reads it the same way.
        var first = new CreateWidgetRequest { Parent = "districts/lingshui" }.ToByteArray();
        var second = new CreateWidgetRequest { Parent = "districts/qixianling", WidgetId = "x", Widget = new Widget { DisplayName = "x" } }.ToByteArray();
        var smuggled = first.Concat(second).ToArray();
        var invoker = zone.Gateway.Channel.CreateRawCallInvoker();
        var method = new RawMethod(MethodType.Unary, WidgetService.ServiceName, "CreateWidget");

        var ex = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(method, zone.Gateway.As("district-lingshui"), smuggled).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task A_browser_session_reads_but_cannot_write_and_ends_with_its_cookie()
    {
        using var login = await zone.Gateway.Http.PostAsync("/v1/session", new StringContent($"{{\"apiKey\":\"{zone.Gateway.Keys["district-lingshui"]}\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        var cookie = setCookie.Split(';')[0];

        using var read = new HttpRequestMessage(HttpMethod.Get, "/v1/districts/lingshui/widgets/w1");
        read.Headers.Add("Cookie", cookie);
        using var readResponse = await zone.Gateway.Http.SendAsync(read);
        Assert.Equal(HttpStatusCode.OK, readResponse.StatusCode);

        using var write = new HttpRequestMessage(HttpMethod.Post, "/v1/rpc/parks.gatewaytest.v1.WidgetService/CreateWidget")
        {
            Content = new StringContent("{\"parent\":\"districts/lingshui\",\"widgetId\":\"s1\",\"widget\":{\"displayName\":\"s\"}}", Encoding.UTF8, "application/json"),
        };
        write.Headers.Add("Cookie", cookie);
        using var writeResponse = await zone.Gateway.Http.SendAsync(write);
        Assert.Equal(HttpStatusCode.Forbidden, writeResponse.StatusCode);

        using var tampered = new HttpRequestMessage(HttpMethod.Get, "/v1/session");
        tampered.Headers.Add("Cookie", cookie[..^2] + (cookie[^2] == 'A' ? "B" : "A") + cookie[^1]);
        using var tamperedResponse = await zone.Gateway.Http.SendAsync(tampered);
        Assert.Equal(HttpStatusCode.Unauthorized, tamperedResponse.StatusCode);

        using var badLogin = await zone.Gateway.Http.PostAsync("/v1/session", new StringContent("{\"apiKey\":\"nope\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, badLogin.StatusCode);
    }

    private Metadata SignedHeaders(string caller, DateTimeOffset time, string nonce, string method)
    {
        var ts = time.ToUnixTimeSeconds();
        var sig = Convert.ToHexString(Authenticator.Sign(Encoding.UTF8.GetBytes(zone.Gateway.Keys[caller]), caller, ts, nonce, method));
        return new Metadata { { "authorization", $"Parks-HMAC-SHA256 caller={caller}, ts={ts.ToString(CultureInfo.InvariantCulture)}, nonce={nonce}, sig={sig}" } };
    }

    private static string Nonce() => Guid.NewGuid().ToString("N");
}
