using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Hosting.Observability;
using Parks.Hosting.Operations;
using Parks.Hosting.Rpc;
using Parks.Rpc;

namespace Parks.Hosting;

/// <summary>
/// The conventions every Parks process shares (eShop's ServiceDefaults): two Kestrel endpoints, structured
/// logs, the gRPC server with the domain-error interceptor, health and reflection, liveness/readiness routes,
/// and graceful shutdown.
/// </summary>
public static class HostingExtensions
{
    /// <summary>Adds the shared defaults; returns the gRPC server builder so the service can add its services.</summary>
    public static IRpcServerBuilder AddParksDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration[$"{ServiceIdentityOptions.Section}:Name"]))
            configuration[$"{ServiceIdentityOptions.Section}:Name"] = serviceName;

        services.AddOptions<EndpointOptions>().BindConfiguration(EndpointOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ServiceIdentityOptions>().BindConfiguration(ServiceIdentityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HostingOptions>().BindConfiguration(HostingOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        var hosting = configuration.GetSection(HostingOptions.Section).Get<HostingOptions>() ?? new HostingOptions();
        ConfigureLogging(builder.Logging, hosting);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(hosting.ShutdownTimeoutSeconds));

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var endpoints = context.Configuration.GetSection(EndpointOptions.Section).Get<EndpointOptions>() ?? new EndpointOptions();
            var address = System.Net.IPAddress.Parse(endpoints.BindAddress);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = endpoints.MaxConnections;
            // HTTP/1.1 and h2c cannot share a cleartext port, so gRPC gets an HTTP/2-only endpoint.
            kestrel.Listen(address, endpoints.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(address, endpoints.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);
        });

        services.AddOptions<Security.SecurityOptions>().BindConfiguration(Security.SecurityOptions.Section)
            .Validate(o => o.InternalKey.Length >= 32, "Parks:Security:InternalKey must be set to at least 32 characters (a shared secret that signs caller identity between the gateway and the services).")
            .ValidateOnStart();
        services.AddSingleton<Security.CallerSigner>();
        services.AddSingleton<HealthRegistry>();
        services.AddSingleton<ReflectionCatalog>();
        services.AddHealthChecks();
        services.AddHostedService<HealthLifecycle>();
        services.AddParksObservability();
        services.AddHostedService<Lifetime.ParentProcessWatch>();
        return services
            .AddRpcServer(options =>
            {
                options.EnableDetailedErrors = hosting.DetailedErrors;
                options.Interceptors.Add<DomainErrorInterceptor>();
            })
            .AddService<HealthService>()
            .AddService<ReflectionServiceV1>()
            .AddService<ReflectionServiceV1Alpha>()
            .AddParksOperations();
    }

    /// <summary>Maps the gRPC server, the liveness/readiness routes and <c>/metrics</c>.</summary>
    public static WebApplication MapParksDefaults(this WebApplication app)
    {
        app.UseRpcServer();
        // Routing after the gRPC server: gRPC calls are dispatched by path without endpoint matching (left to
        // itself, WebApplication would put routing first and match every call against the HTTP routes).
        app.UseRouting();
        app.MapParksMetrics();
        var health = app.Services.GetRequiredService<HealthRegistry>();
        app.MapGet("/healthz", () => health.TryGet(string.Empty, out var s) && s == Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving
            ? Results.Text("ok")
            : Results.Text("not serving", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/readyz", () => health.TryGet(HealthRegistry.Readiness, out var s) && s == Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving
            ? Results.Text("ready")
            : Results.Text("not ready", statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, HostingOptions hosting)
    {
        logging.ClearProviders();
        // ASP.NET Core creates an Activity and a log scope for every request whenever its hosting-diagnostics
        // logger is enabled at any level (~600 bytes per call). Parks logs and measures calls in its RPC layer,
        // so that logger is off; requests still get an Activity when a tracer listens (OTLP configured).
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (hosting.LogFormat == "json")
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }
    }
}

/// <summary>
/// Turns the hosted services' health on once the server is ready, and readiness NOT_SERVING as soon as
/// shutdown begins so load balancers stop sending new calls while in-flight ones drain.
/// </summary>
internal sealed class HealthLifecycle(HealthRegistry registry, RpcServiceRegistry services, IHostApplicationLifetime lifetime, IOptions<HostingOptions> options, Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService checks) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private volatile bool _draining;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopping callbacks run before any hosted service (Kestrel included) stops: readiness turns
        // NOT_SERVING and, for the drain delay, calls keep being served while callers move away.
        lifetime.ApplicationStopping.Register(() =>
        {
            _draining = true;
            registry.SetDraining();
            if (options.Value.DrainDelaySeconds > 0) Thread.Sleep(TimeSpan.FromSeconds(options.Value.DrainDelaySeconds));
        });
        return base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Once the server listens, readiness follows the health checks tagged "ready" (the state store, the event
    /// transport): NOT_SERVING while a dependency does not answer, SERVING again as soon as it does.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try { await started.Task; } catch (OperationCanceledException) { return; }
        }
        foreach (var service in services.Services) registry.SetStatus(service.Name, Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
        while (!stoppingToken.IsCancellationRequested && !_draining)
        {
            var report = await checks.CheckHealthAsync(c => c.Tags.Contains("ready"), stoppingToken);
            if (_draining) break;
            registry.SetStatus(HealthRegistry.Readiness, report.Status == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy
                ? Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing
                : Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
            try { await Task.Delay(Interval, stoppingToken); } catch (OperationCanceledException) { break; }
        }
    }
}
