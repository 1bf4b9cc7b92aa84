using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parks.Gateway.Tests.Infrastructure;

namespace Parks.Gateway.Tests;

/// <summary>The REST/JSON edge: canonical proto3 JSON both ways, resource routes, problem details.</summary>
[Collection(ZoneCollection.Name)]
public sealed class RestJsonTests(ZoneFixture zone)
{
    [Fact]
    public async Task A_get_route_answers_canonical_json()
    {
        using var response = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Get, "/v1/districts/longtou/widgets/w7", "dashboard"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;

        Assert.Equal("districts/longtou/widgets/w7", root.GetProperty("name").GetString());
        // int64 as a decimal string, enum by name, lowerCamelCase names, a set optional zero written.
        Assert.Equal("1234567890123", root.GetProperty("amountFen").GetString());
        Assert.Equal("WIDGET_KIND_LARGE", root.GetProperty("kind").GetString());
        Assert.Equal("district-longtou", root.GetProperty("servedBy").GetString());
        Assert.Equal(0, root.GetProperty("rating").GetInt32());
        // Implicit-presence fields at their default are left out.
        Assert.False(root.TryGetProperty("tags", out _));
    }

    [Fact]
    public async Task Query_parameters_bind_fields_by_json_or_proto_name_with_their_types()
    {
        using var response = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Get, "/v1/parks/jinpu/widgets?pageSize=5&kind=WIDGET_KIND_SMALL&include_hidden=true&tags=a&tags=b", "dashboard"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;

        Assert.Equal("size=5;kind=Small;hidden=True", root.GetProperty("nextPageToken").GetString());
        Assert.Equal("9007199254740993", root.GetProperty("totalSize").GetString());
        var first = root.GetProperty("widgets")[0];
        Assert.Equal("parks/jinpu/widgets/a", first.GetProperty("name").GetString());
        Assert.Equal(["a", "b"], first.GetProperty("tags").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("branchparks", first.GetProperty("servedBy").GetString());
    }

    [Fact]
    public async Task The_rpc_route_takes_canonical_json_with_proto_names_too()
    {
        var id = ZoneFixture.Unique("r");
        var body = "{\"parent\":\"districts/lingshui\",\"widget_id\":\"" + id + "\",\"widget\":{\"displayName\":\"Rest widget\",\"amountFen\":\"42\"}}";
        using var response = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Post, "/v1/rpc/parks.gatewaytest.v1.WidgetService/CreateWidget", "district-lingshui", body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal($"districts/lingshui/widgets/{id}", json.RootElement.GetProperty("name").GetString());
        Assert.Equal("Rest widget", json.RootElement.GetProperty("displayName").GetString());
        Assert.Equal("district-lingshui", json.RootElement.GetProperty("caller").GetString());
    }

    [Theory]
    [InlineData("{\"parent\":\"districts/lingshui\",\"colour\":\"red\"}", "body")]
    [InlineData("{\"parent\":\"districts/lingshui\",\"widget\":{\"amountFen\":\"not a number\"}}", "body")]
    [InlineData("{\"parent\":", "body")]
    [InlineData("[]", "body")]
    public async Task Malformed_json_is_a_400_problem_with_a_field_violation(string body, string field)
    {
        using var response = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Post, "/v1/rpc/parks.gatewaytest.v1.WidgetService/CreateWidget", "district-lingshui", body));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "INVALID_ARGUMENT", 3);
        var detail = problem.GetProperty("details")[0];
        Assert.Equal("type.googleapis.com/google.rpc.BadRequest", detail.GetProperty("@type").GetString());
        Assert.Equal(field, detail.GetProperty("fieldViolations")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task Backend_validation_errors_carry_their_field_violations_in_the_problem()
    {
        var body = "{\"parent\":\"districts/lingshui\",\"widgetId\":\"v1\"}";
        using var response = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Post, "/v1/rpc/parks.gatewaytest.v1.WidgetService/CreateWidget", "district-lingshui", body));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest, "INVALID_ARGUMENT", 3);
        var violation = problem.GetProperty("details")[0].GetProperty("fieldViolations")[0];
        Assert.Equal("widget.display_name", violation.GetProperty("field").GetString());
        Assert.Equal("is required", violation.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Statuses_map_to_http_as_json_transcoding_does()
    {
        using (var notFound = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Get, "/v1/districts/lingshui/widgets/missing", "dashboard")))
        {
            var problem = await ProblemAsync(notFound, HttpStatusCode.NotFound, "NOT_FOUND", 5);
            Assert.Equal("type.googleapis.com/google.rpc.ResourceInfo", problem.GetProperty("details")[0].GetProperty("@type").GetString());
        }
        using (var unauthenticated = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Get, "/v1/districts/lingshui/widgets/w1", null)))
        {
            await ProblemAsync(unauthenticated, HttpStatusCode.Unauthorized, "UNAUTHENTICATED", 16);
            Assert.Equal("Bearer", unauthenticated.Headers.WwwAuthenticate.Single().Scheme);
        }
        using (var denied = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Post, "/v1/rpc/parks.gatewaytest.v1.WidgetService/CreateWidget", "dashboard", "{\"parent\":\"districts/lingshui\"}")))
        {
            var problem = await ProblemAsync(denied, HttpStatusCode.Forbidden, "PERMISSION_DENIED", 7);
            Assert.Equal("PERMISSION_DENIED", problem.GetProperty("details")[0].GetProperty("reason").GetString());
        }
        foreach (var (code, http, name) in new[] { (9, HttpStatusCode.BadRequest, "FAILED_PRECONDITION"), (1, HttpStatusCode.RequestTimeout, "CANCELLED"), (14, HttpStatusCode.ServiceUnavailable, "UNAVAILABLE"), (10, HttpStatusCode.Conflict, "ABORTED") })
        {
            using var response = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Get, $"/v1/districts/lingshui/widgets/w1?failWith={code}", "dashboard"));
            await ProblemAsync(response, http, name, code);
        }
        using (var unknownRoute = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Get, "/v1/nothing/here", "dashboard")))
            await ProblemAsync(unknownRoute, HttpStatusCode.NotFound, "NOT_FOUND", 5);
        using (var unexposed = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Post, "/v1/rpc/parks.gatewaytest.v1.WidgetService/InternalSweep", "operator", "{}")))
            await ProblemAsync(unexposed, HttpStatusCode.NotImplemented, "UNIMPLEMENTED", 12);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused()
    {
        var request = zone.Gateway.Rest(HttpMethod.Post, "/v1/rpc/parks.gatewaytest.v1.WidgetService/CreateWidget", "district-lingshui");
        request.Content = new StringContent("parent=districts/lingshui", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await zone.Gateway.Http.SendAsync(request);
        await ProblemAsync(response, HttpStatusCode.BadRequest, "INVALID_ARGUMENT", 3);
    }

    [Fact]
    public async Task The_zone_reference_figures_come_from_the_documents()
    {
        using var response = await zone.Gateway.Http.SendAsync(zone.Gateway.Rest(HttpMethod.Get, "/v1/zone/indicators/hightech_enterprises", "dashboard"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var figures = json.RootElement.GetProperty("indicator").GetProperty("figures").EnumerateArray()
            .ToDictionary(f => $"{f.GetProperty("year").GetInt32()}-{f.GetProperty("kind").GetString()}-{f.GetProperty("src").GetString()}", f => f.GetProperty("quantity").GetDouble());

        Assert.Equal(227, figures["2016-FIGURE_KIND_ACTUAL-000:17"]);
        Assert.Equal(1068, figures["2021-FIGURE_KIND_ACTUAL-000:20"]);
        Assert.Equal(1269, figures["2023-FIGURE_KIND_ACTUAL-000:152"]);
        Assert.Equal(1500, figures["2025-FIGURE_KIND_TARGET-000:91"]);
    }

    internal static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string grpcStatus, int grpcCode)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, root.GetProperty("status").GetInt32());
        Assert.Equal(grpcStatus, root.GetProperty("title").GetString());
        Assert.Equal(grpcStatus, root.GetProperty("grpcStatus").GetString());
        Assert.Equal(grpcCode, root.GetProperty("grpcCode").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("detail").GetString()));
        Assert.StartsWith("urn:parks:grpc-status:", root.GetProperty("type").GetString(), StringComparison.Ordinal);
        return root;
    }
}
