using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Parks.Gateway.Api;
using Parks.Gateway.Pipeline;
using Parks.Gateway.Proxy;
using Parks.Gateway.Security;
using Parks.Rpc;

namespace Parks.Gateway.Rest;

/// <summary>
/// The REST/JSON edge. Every exposed unary method is <c>POST /v1/rpc/{package.Service}/{Method}</c> with the request
/// as canonical JSON; reads also have the resource-style GET routes the allow-list declares. A REST call takes the
/// same path as a gRPC one — admission, routing, authorisation on the resource, the backend call with the caller's
/// signed identity, audit — and its messages are converted at the edge only.
/// </summary>
internal sealed class RestGateway(AllowList allowList, JsonTranscoder json, Problems problems, CallAdmission admission, Forwarder forwarder, LocalMethods local, IOptions<GatewayOptions> options, TimeProvider time)
{
    private readonly (RestRoute Route, ExposedMethod Method)[] _routes = allowList.Methods.Values
        .SelectMany(m => m.RestRoutes.Select(r => (Route: r, Method: m)))
        .OrderByDescending(x => x.Route.Specificity)
        .ToArray();

    /// <summary>POST /v1/rpc/{service}/{method}.</summary>
    public async Task InvokeRpcAsync(HttpContext http, string service, string method)
    {
        try
        {
            var exposed = allowList.Find($"/{service}/{method}")
                ?? throw new RpcException(new Status(StatusCode.Unimplemented, $"{service}/{method} is not exposed by the gateway."));
            var body = await ReadBodyAsync(http);
            await InvokeAsync(http, exposed, () => json.Parse(body, exposed.Descriptor.InputType));
        }
        catch (PayloadTooLargeException ex)
        {
            await problems.WriteAsync(http, ex.Status, StatusCodes.Status413PayloadTooLarge);
        }
        catch (Exception ex) when (ex is RpcException or Parks.Domain.DomainException)
        {
            await problems.WriteAsync(http, ex);
        }
    }

    /// <summary>GET /v1/{**path}: the resource-style routes.</summary>
    public async Task InvokeResourceAsync(HttpContext http)
    {
        try
        {
            var segments = (http.Request.Path.Value ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
            foreach (var (route, method) in _routes)
            {
                if (!route.TryMatch(segments, out var value)) continue;
                await InvokeAsync(http, method, () => json.FromQuery(method.Descriptor.InputType, http.Request.Query, route.Variable, value));
                return;
            }
            throw new RpcException(new Status(StatusCode.NotFound, $"No REST route matches GET {http.Request.Path}; every exposed method is also POST /v1/rpc/{{service}}/{{method}}."));
        }
        catch (Exception ex) when (ex is RpcException or Parks.Domain.DomainException)
        {
            await problems.WriteAsync(http, ex);
        }
    }

    private async Task InvokeAsync(HttpContext http, ExposedMethod method, Func<IMessage> readRequest)
    {
        if (method.Type != MethodType.Unary)
            throw new RpcException(new Status(StatusCode.Unimplemented, $"{method.FullName} is a streaming method: call it over gRPC."));
        var authorization = http.Request.Headers.Authorization.ToString();
        var session = http.Request.Cookies[Authenticator.SessionCookie];
        var peer = $"ipv4:{http.Connection.RemoteIpAddress}:{http.Connection.RemotePort}";
        using var admitted = admission.Admit(method, authorization, session, "rest", peer);
        var call = admitted.Call;
        try
        {
            var request = readRequest();
            IMessage response;
            if (method.BackendKind == BackendKind.Local)
            {
                var deadline = time.GetUtcNow().UtcDateTime.AddSeconds(options.Value.DefaultTimeoutSeconds);
                response = await local.InvokeAsync(method, request, new LocalCallContext(http, call, deadline));
            }
            else
            {
                var bytes = request.ToByteArray();
                var backend = forwarder.Prepare(call, bytes);
                using var forwarded = backend.Raw.AsyncUnaryCall(method.Raw, forwarder.OptionsFor(call, null, null, http.RequestAborted), bytes);
                byte[] answer;
                try
                {
                    answer = await forwarded.ResponseAsync;
                }
                catch (RpcException ex)
                {
                    throw forwarder.Translate(ex, backend, method, forwarded.ResponseHeadersAsync);
                }
                response = method.Descriptor.OutputType.Parser.ParseFrom(answer);
            }
            admitted.Complete(StatusCode.OK, string.Empty);
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = "application/json; charset=utf-8";
            http.Response.Headers.CacheControl = "no-store";
            await http.Response.WriteAsync(json.Format(response), Encoding.UTF8, http.RequestAborted);
        }
        catch (Exception ex)
        {
            admitted.Fail(ex);
            throw;
        }
    }

    /// <summary>Reads a JSON request body, at most MaxRequestBytes (413 beyond, as Kestrel enforces it).</summary>
    private async Task<string> ReadBodyAsync(HttpContext http)
    {
        var limit = options.Value.MaxRequestBytes;
        if (http.Request.ContentLength is { } length && length > limit)
            throw new PayloadTooLargeException($"The request body is {length} bytes; at most {limit} are accepted.");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature) sizeFeature.MaxRequestBodySize = limit;
        var contentType = http.Request.ContentType;
        if (http.Request.ContentLength is not 0 && !IsJson(contentType))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The request body must be application/json (canonical proto3 JSON), not '{contentType}'."));
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        try
        {
            return await reader.ReadToEndAsync(http.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new PayloadTooLargeException($"The request body exceeds {limit} bytes.");
        }
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || contentType.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase));
}

/// <summary>A REST body over the size limit: RESOURCE_EXHAUSTED, answered 413 (not 429: retrying will not help).</summary>
internal sealed class PayloadTooLargeException(string message) : Exception(message)
{
    public RpcException Status { get; } = new(new Parks.Rpc.Status(StatusCode.ResourceExhausted, message));
}
