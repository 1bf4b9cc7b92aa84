using System.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Parks.Domain;
using Parks.Gateway.Api;
using Parks.Gateway.Audit;
using Parks.Gateway.Feed;
using Parks.Gateway.Overview;
using Parks.Gateway.Pipeline;
using Parks.Gateway.Proxy;
using Parks.Gateway.Rest;
using Parks.Gateway.Security;
using Parks.Gateway.V1;
using Parks.Gateway.ReferenceData;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Rpc;

namespace Parks.Gateway;

/// <summary>
/// What the gateway exposes: the protobuf contracts it knows and the allow-list documents. The default is the
/// contracts assembly and the embedded Api/allow-list.json; tests add their own protos and lists.
/// </summary>
internal sealed class GatewayApi
{
    public GatewayApi(IEnumerable<Assembly>? extraAssemblies = null, IEnumerable<string>? extraAllowLists = null)
    {
        Catalog = new ServiceCatalog(new[] { ServiceCatalog.ContractsAssembly }.Concat(extraAssemblies ?? []));
        AllowList = AllowList.Load(new[] { AllowList.ReadEmbedded() }.Concat(extraAllowLists ?? []), Catalog);
    }

    public ServiceCatalog Catalog { get; }
    public AllowList AllowList { get; }
}

internal static class GatewayExtensions
{
    /// <summary>The gateway's registrations on top of the shared hosting defaults.</summary>
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder, IRpcServerBuilder rpc, GatewayApi? api = null)
    {
        api ??= new GatewayApi();
        var services = builder.Services;
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(api.Catalog);
        services.AddSingleton(api.AllowList);

        services.AddSingleton<CallerDirectory>();
        services.AddSingleton<NonceCache>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<CallAdmission>();
        services.AddSingleton<BackendRegistry>();
        services.AddSingleton<Forwarder>();
        services.AddSingleton<ProxyServices>();
        services.AddSingleton(_ => ZoneData.LoadEmbedded());
        services.AddSingleton<JsonTranscoder>();
        services.AddSingleton<Problems>();
        services.AddSingleton(sp => new LocalMethods(sp.GetRequiredService<AllowList>(), [
            sp.GetRequiredService<ZoneServiceImpl>(), sp.GetRequiredService<CityOverviewServiceImpl>(), sp.GetRequiredService<AuditServiceImpl>()]));
        services.AddSingleton<RestGateway>();
        services.AddSingleton<LiveFeed>();
        services.AddSingleton<FeedEndpoint>();
        services.AddSingleton<CityOverviewComposer>();

        // The live feed reads the integration events (one consumer group for all replicas) into a shared feed.
        builder.Configuration.SetDefaultEventsAppId("parks-gateway");
        services.AddParksState(builder.Configuration);
        builder.AddParksEvents().AddFeedHandlers();
        services.AddHostedService<SharedFeedRelay>();
        foreach (var source in DefaultOverviewSources()) services.AddSingleton(source);

        services.Configure<RpcServerOptions>(options =>
        {
            options.Interceptors.Add<GatewayInterceptor>();
            options.MaxReceiveMessageSize = builder.Configuration.GetValue<int?>($"{GatewayOptions.Section}:{nameof(GatewayOptions.MaxRequestBytes)}") ?? new GatewayOptions().MaxRequestBytes;
        });
        rpc.AddService<ZoneServiceImpl>().AddService<CityOverviewServiceImpl>().AddService<AuditServiceImpl>();
        foreach (var name in ProxyServices.ServiceNamesOf(api.AllowList))
            rpc.AddService(sp => sp.GetRequiredService<ProxyServices>().Build(name));
        return builder;
    }

    /// <summary>The REST/JSON routes, the live feed and the dashboard; checks the exposed surface at start-up.</summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        var allowList = app.Services.GetRequiredService<AllowList>();
        var registry = app.Services.GetRequiredService<RpcServiceRegistry>();
        foreach (var service in registry.Services)
        {
            // The event bus's operator API that every Parks process carries is not exposed: it is not in the
            // allow-list, so callers get no gateway credentials for it, and it answers only a signed internal
            // operator caller (parksctl inside the cluster).
            if (service.Name == Parks.Ops.V1.EventAdminService.ServiceName) continue;
            if (!allowList.ServiceNames.Contains(service.Name) && !allowList.PublicServices.Contains(service.Name))
                throw new InvalidOperationException($"The gateway hosts {service.Name}, which the allow-list neither exposes nor lists as public.");
        }
        _ = app.Services.GetRequiredService<LocalMethods>();
        var backends = app.Services.GetRequiredService<BackendRegistry>();
        backends.WarnAboutMissing(ReferencedBackends(allowList), app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Parks.Gateway"));
        WireFeed(app.Services);

        var root = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.DashboardRoot ?? Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(root))
        {
            var files = new PhysicalFileProvider(root);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
            });
        }
        app.MapGatewayRest();
        app.MapParksEvents();
        return app;
    }

    /// <summary>Backends the allow-list and the overview call (for the start-up warning about missing addresses).</summary>
    private static IEnumerable<string> ReferencedBackends(AllowList allowList)
    {
        foreach (var method in allowList.Methods.Values)
        {
            if (method.Backend is { } fixedBackend) yield return fixedBackend;
            if (method.BackendKind == BackendKind.Unit && method.ZoneWideBackend is { } zoneWide) yield return zoneWide;
        }
        yield return "sciencecity";
        yield return "branchparks";
        foreach (var district in Parks.Domain.Zone.Districts) yield return "district-" + district.Id;
    }

    /// <summary>What the overview asks each backend for.</summary>
    private static IEnumerable<IOverviewSource> DefaultOverviewSources()
    {
        var scienceCity = UnitCatalog.ScienceCity();
        yield return new ReadinessSource("sciencecity", [scienceCity], () => new UnitsPart([scienceCity]));
        foreach (var district in Parks.Domain.Zone.Districts)
        {
            var section = UnitCatalog.District(district);
            yield return new ReadinessSource("district-" + district.Id, [section], () => new UnitsPart([section]));
        }
        var parks = UnitCatalog.SeedParks();
        yield return new ReadinessSource("branchparks", parks, () => new UnitsPart(parks));
        yield return new ReadinessSource("talent", [], () => new TalentPart(new TalentSection()));
        yield return new ReadinessSource("finance", [], () => new FinancePart(new FinanceSection()));
    }

    /// <summary>The live feed shows successful writes seen by this replica and units that stop or start answering.</summary>
    private static void WireFeed(IServiceProvider services)
    {
        var feed = services.GetRequiredService<LiveFeed>();
        services.GetRequiredService<CityOverviewComposer>().StateChanged += change =>
            feed.Publish(new FeedItem(Guid.NewGuid().ToString("N"), change.Time, change.Degraded ? "degraded" : "recovered", change.Backend, UnitOfBackend(change.Backend),
                change.Degraded ? $"{change.Backend} 未响应" : $"{change.Backend} 已恢复",
                change.Degraded ? $"{change.Backend} stopped answering: {change.Error}" : $"{change.Backend} answers again"));
    }

    private static string UnitOfBackend(string backend) =>
        backend.StartsWith("district-", StringComparison.Ordinal) ? "districts/" + backend["district-".Length..]
        : backend == "sciencecity" ? UnitRef.ScienceCity.ResourceName : string.Empty;
}
