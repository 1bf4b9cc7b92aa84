using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Rpc.Internal;

namespace Parks.Rpc;

/// <summary>Registers a service definition with the server.</summary>
public sealed class RpcServiceRegistration(Func<IServiceProvider, ServerServiceDefinition> factory)
{
    internal Func<IServiceProvider, ServerServiceDefinition> Factory { get; } = factory;
}

/// <summary>Returned by <see cref="RpcServerServiceCollectionExtensions.AddRpcServer"/> to add services.</summary>
public interface IRpcServerBuilder
{
    IServiceCollection Services { get; }
}

public static class RpcServerServiceCollectionExtensions
{
    private sealed class Builder(IServiceCollection services) : IRpcServerBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    /// <summary>Adds the gRPC server; map it into the pipeline with <see cref="RpcServerApplicationBuilderExtensions.UseRpcServer"/>.</summary>
    public static IRpcServerBuilder AddRpcServer(this IServiceCollection services, Action<RpcServerOptions>? configure = null)
    {
        var options = services.AddOptions<RpcServerOptions>();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton<RpcServiceRegistry>();
        return new Builder(services);
    }

    /// <summary>Adds a service implementation (a singleton: services keep no per-call state).</summary>
    public static IRpcServerBuilder AddService<TService>(this IRpcServerBuilder builder) where TService : class, IRpcService
    {
        builder.Services.TryAddSingleton<TService>();
        builder.Services.AddSingleton(new RpcServiceRegistration(sp => sp.GetRequiredService<TService>().BindService()));
        return builder;
    }

    /// <summary>Adds a service from a definition factory.</summary>
    public static IRpcServerBuilder AddService(this IRpcServerBuilder builder, Func<IServiceProvider, ServerServiceDefinition> factory)
    {
        builder.Services.AddSingleton(new RpcServiceRegistration(factory));
        return builder;
    }
}

public static class RpcServerApplicationBuilderExtensions
{
    /// <summary>
    /// Serves gRPC: requests with a gRPC content type are dispatched to the registered services; everything else
    /// continues down the pipeline. Builds every service's handlers now, so a bad registration fails at start-up.
    /// </summary>
    public static IApplicationBuilder UseRpcServer(this IApplicationBuilder app)
    {
        app.ApplicationServices.GetRequiredService<RpcServiceRegistry>().EnsureBuilt();
        return app.UseMiddleware<RpcServerMiddleware>();
    }
}

/// <summary>The services a server hosts and the handler of each method path.</summary>
public sealed class RpcServiceRegistry
{
    private readonly Lazy<(IReadOnlyList<ServerServiceDefinition> Services, FrozenDictionary<string, ServerCallHandler> Handlers, FrozenSet<string> ServiceNames)> _built;

    public RpcServiceRegistry(IEnumerable<RpcServiceRegistration> registrations, IServiceProvider services, IOptions<RpcServerOptions> options, ILoggerFactory loggerFactory)
    {
        _built = new Lazy<(IReadOnlyList<ServerServiceDefinition>, FrozenDictionary<string, ServerCallHandler>, FrozenSet<string>)>(() =>
        {
            var interceptors = options.Value.Interceptors.Select(f => f(services)).ToArray();
            var runtime = new ServerRuntime(options.Value, interceptors, loggerFactory.CreateLogger("Parks.Rpc.Server"),
                services.GetService<System.Diagnostics.Metrics.IMeterFactory>());
            var definitions = registrations.Select(r => r.Factory(services)).ToArray();
            var handlers = new Dictionary<string, ServerCallHandler>(StringComparer.Ordinal);
            foreach (var definition in definitions)
            {
                foreach (var method in definition.Methods)
                {
                    if (!handlers.TryAdd(method.Method.FullName, method.CreateHandler(runtime)))
                        throw new InvalidOperationException($"The gRPC method {method.Method.FullName} is registered twice.");
                }
            }
            return (definitions, handlers.ToFrozenDictionary(StringComparer.Ordinal), definitions.Select(d => d.Name).ToFrozenSet(StringComparer.Ordinal));
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Every hosted service, in registration order.</summary>
    public IReadOnlyList<ServerServiceDefinition> Services => _built.Value.Services;

    internal void EnsureBuilt() => _ = _built.Value;

    internal bool TryGetHandler(string? path, out ServerCallHandler handler)
    {
        if (path is not null && _built.Value.Handlers.TryGetValue(path, out var found))
        {
            handler = found;
            return true;
        }
        handler = null!;
        return false;
    }

    internal bool HasService(string serviceName) => _built.Value.ServiceNames.Contains(serviceName);
}

internal sealed class RpcServerMiddleware(RequestDelegate next, RpcServiceRegistry registry, ILogger<RpcServerMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var supported = GrpcProtocol.IsSupportedContentType(request.ContentType, out var isGrpc);
        if (!isGrpc)
        {
            // Not a gRPC request: other endpoints (Dapr delivery, health, REST) share the pipeline. A POST to one
            // of our method paths without a gRPC content type is still answered as gRPC would: 415.
            if (HttpMethods.IsPost(request.Method) && registry.TryGetHandler(request.Path.Value, out _))
                return RejectAsync(context, StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{request.ContentType}' is not supported.");
            return next(context);
        }
        if (!supported)
            return RejectAsync(context, StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{request.ContentType}' is not supported.");
        if (!HttpMethods.IsPost(request.Method))
            return RejectAsync(context, StatusCodes.Status405MethodNotAllowed, $"Request method '{request.Method}' is not supported; gRPC uses POST.");
        if (!HttpProtocol.IsHttp2(request.Protocol))
            return RejectAsync(context, StatusCodes.Status426UpgradeRequired, $"Request protocol '{request.Protocol}' is not supported; gRPC needs HTTP/2.");

        var path = request.Path.Value;
        if (registry.TryGetHandler(path, out var handler)) return handler.HandleCallAsync(context);
        return UnimplementedAsync(context, path);
    }

    private Task UnimplementedAsync(HttpContext context, string? path)
    {
        var slash = path is null ? -1 : path.IndexOf('/', 1);
        var service = slash > 1 ? path![1..slash] : path?.TrimStart('/') ?? string.Empty;
        var message = registry.HasService(service) ? "Method is unimplemented." : "Service is unimplemented.";
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusToString(StatusCode.Unimplemented);
        response.Headers[GrpcProtocol.MessageHeader] = message;
        RpcLog.RequestRejected(logger, path ?? string.Empty, message);
        return Task.CompletedTask;
    }

    private Task RejectAsync(HttpContext context, int httpStatus, string message)
    {
        RpcLog.RequestRejected(logger, context.Request.Path.Value ?? string.Empty, message);
        var response = context.Response;
        response.StatusCode = httpStatus;
        response.Headers[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusToString(StatusCode.Internal);
        response.Headers[GrpcProtocol.MessageHeader] = GrpcProtocol.EncodeMessage(message);
        return Task.CompletedTask;
    }
}
