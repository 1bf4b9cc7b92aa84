using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Parks.Hosting.Events;

/// <summary>
/// The app side of Dapr pub/sub (wire-contracts §A4, §A6): <c>GET /dapr/subscribe</c> (programmatic subscription,
/// read once by the sidecar as soon as the app port accepts connections) and <c>POST {prefix}/{topic}</c>
/// deliveries, answered with exactly <c>{"status":"SUCCESS"|"RETRY"|"DROP"}</c>. When an app token is
/// configured every call must carry it in <c>dapr-api-token</c>: a missing or wrong token is 401 (never 404,
/// which Dapr would take as "drop the message"). Dapr's <c>app-protocol: h2c</c> delivers on the gRPC port, so
/// these routes are not bound to a port.
/// </summary>
public static class DaprSubscriptionEndpoints
{
    private static readonly byte[] Success = """{"status":"SUCCESS"}"""u8.ToArray();
    private static readonly byte[] Retry = """{"status":"RETRY"}"""u8.ToArray();
    private static readonly byte[] Drop = """{"status":"DROP"}"""u8.ToArray();

    /// <summary>Maps the Dapr subscription routes when <c>Parks:Events:Provider</c> is <c>Dapr</c>; otherwise nothing.</summary>
    public static IEndpointRouteBuilder MapParksEvents(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<EventsOptions>>().Value;
        if (options.Provider != EventsOptions.DaprProvider) return endpoints;

        endpoints.MapGet("/dapr/subscribe", (HttpContext context, EventDelivery delivery) =>
        {
            if (!Authorized(context, options)) return Unauthorized();
            return Results.Bytes(SubscriptionsJson(delivery, options), "application/json");
        }).ExcludeFromDescription();

        endpoints.MapPost(options.Dapr.RoutePrefix + "/{topic}", async (HttpContext context, string topic, EventDelivery delivery) =>
        {
            if (!Authorized(context, options)) return Unauthorized();
            if (!delivery.Topics.Contains(topic, StringComparer.Ordinal)) return Results.Bytes(Drop, "application/json");
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var status = await delivery.DeliverAsync(topic, body.GetBuffer().AsMemory(0, (int)body.Length), context.RequestAborted);
            return Results.Bytes(status switch
            {
                DeliveryStatus.Success => Success,
                DeliveryStatus.Drop => Drop,
                _ => Retry,
            }, "application/json");
        }).ExcludeFromDescription();
        return endpoints;
    }

    private static byte[] SubscriptionsJson(EventDelivery delivery, EventsOptions options)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var topic in delivery.HandledTopics)
            {
                WriteSubscription(writer, options, topic, delivery.DeadLetterTopic);
            }
            // The dead-letter topic is consumed too, to record dead letters for operators; it has none of its own.
            WriteSubscription(writer, options, delivery.DeadLetterTopic, deadLetterTopic: null);
            writer.WriteEndArray();
        }
        return buffer.ToArray();
    }

    private static void WriteSubscription(Utf8JsonWriter writer, EventsOptions options, string topic, string? deadLetterTopic)
    {
        writer.WriteStartObject();
        writer.WriteString("pubsubname", options.Dapr.PubSubName);
        writer.WriteString("topic", topic);
        writer.WriteString("route", $"{options.Dapr.RoutePrefix}/{topic}");
        if (deadLetterTopic is not null) writer.WriteString("deadLetterTopic", deadLetterTopic);
        writer.WriteEndObject();
    }

    private static bool Authorized(HttpContext context, EventsOptions options)
    {
        var expected = options.Dapr.AppApiToken;
        if (string.IsNullOrEmpty(expected)) return true;
        var given = context.Request.Headers[DaprEventTransport.ApiTokenHeader].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
    }

    private static IResult Unauthorized() => Results.Text("invalid api token", "text/plain", statusCode: StatusCodes.Status401Unauthorized);
}
