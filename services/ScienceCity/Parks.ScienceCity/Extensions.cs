using Microsoft.Extensions.DependencyInjection.Extensions;
using Parks.Events.V1;
using Parks.Hosting;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Rpc;
using Parks.ScienceCity.Data;
using Parks.ScienceCity.Events;
using Parks.ScienceCity.Rpc;
using Parks.ScienceCity.Storage;
using Parks.Storage;

namespace Parks.ScienceCity;

internal static class Extensions
{
    public const string ServiceName = "sciencecity";

    /// <summary>The Science City's registrations: hosting defaults, state, events, seed, stores, RPC services, handlers.</summary>
    public static WebApplicationBuilder AddScienceCity(this WebApplicationBuilder builder)
    {
        var rpc = builder.AddParksDefaults(ServiceName);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddParksState(builder.Configuration);
        builder.Configuration.SetDefaultEventsAppId($"parks-{ServiceName}");
        builder.AddParksEvents()
            .AddHandler<ReferralResolved, ReferralResolvedHandler>();

        services.AddSingleton(ScienceCitySeed.LoadEmbedded());
        services.AddSingleton<ISeeder, ScienceCitySeeder>();
        services.AddHostedService<SeedService>();
        services.AddSingleton<PlatformStore>();
        services.AddSingleton<ResearchProjectStore>();
        services.AddSingleton<TechContractStore>();

        rpc.AddService<PlatformService>()
            .AddService<ResearchProjectService>()
            .AddService<TechContractService>();
        return builder;
    }

    /// <summary>The gRPC server, health routes and event delivery routes.</summary>
    public static WebApplication MapScienceCity(this WebApplication app)
    {
        app.MapParksDefaults();
        app.MapParksEvents();
        return app;
    }
}
