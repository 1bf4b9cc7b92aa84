using System.Text.Json;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Parks.Domain;
using Parks.Gateway.Domain;
using Parks.Gateway.Pipeline;
using Parks.Hosting.Rpc;
using Parks.Rpc;

namespace Parks.Gateway.Rest;

/// <summary>
/// Errors on the REST edge as RFC 7807 problem details (<c>application/problem+json</c>): the HTTP status from the
/// gRPC status (<see cref="HttpMapping"/>), the gRPC status name and number, and the google.rpc details the status
/// carried (field violations, error info, retry info, …) in canonical JSON.
/// </summary>
internal sealed class Problems(JsonTranscoder json)
{
    public const string ContentType = "application/problem+json";

    public Task WriteAsync(HttpContext http, Exception exception, int? httpStatusOverride = null)
    {
        var rpc = exception switch
        {
            RpcException r => r,
            DomainException d => DomainErrorInterceptor.ToRpcException(d),
            _ => new RpcException(new Status(StatusCode.Unknown, "Exception was thrown by handler.")),
        };
        return WriteAsync(http, rpc, httpStatusOverride);
    }

    public async Task WriteAsync(HttpContext http, RpcException exception, int? httpStatusOverride = null)
    {
        var response = http.Response;
        if (response.HasStarted) return;
        var code = exception.StatusCode;
        var name = CallAdmission.StatusName(code);
        var status = httpStatusOverride ?? HttpMapping.HttpStatusOf(code);
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        var details = exception.GetRpcStatus()?.Details;
        if (code == StatusCode.Unauthenticated) response.Headers.WWWAuthenticate = "Bearer";
        if (details?.FirstOrDefault(d => d.Is(Google.Rpc.RetryInfo.Descriptor)) is { } retry)
        {
            var delay = retry.Unpack<Google.Rpc.RetryInfo>().RetryDelay.ToTimeSpan();
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "urn:parks:grpc-status:" + name.ToLowerInvariant().Replace('_', '-'));
            writer.WriteString("title", name);
            writer.WriteNumber("status", status);
            writer.WriteString("detail", exception.Status.Detail);
            writer.WriteString("instance", http.Request.Path.Value);
            writer.WriteString("grpcStatus", name);
            writer.WriteNumber("grpcCode", (int)code);
            writer.WriteStartArray("details");
            foreach (var detail in details ?? [])
            {
                writer.WriteRawValue(Format(detail));
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    private string Format(IMessage detail)
    {
        try
        {
            return json.Format(detail);
        }
        catch (InvalidOperationException)
        {
            // A detail type the gateway does not know: say what it is rather than drop it.
            var any = (Google.Protobuf.WellKnownTypes.Any)detail;
            return JsonSerializer.Serialize(new Dictionary<string, string> { ["@type"] = any.TypeUrl, ["value"] = any.Value.ToBase64() });
        }
    }
}
