using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Parks.Events.V1;
using Parks.Hosting;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Rpc;
using Parks.Storage;
using Parks.Talent.Data;
using Parks.Talent.Events;
using Parks.Talent.Rpc;
using Parks.Talent.Storage;

namespace Parks.Talent;

internal static class Extensions
{
    public const string ServiceName = "talent";

    /// <summary>The talent service's registrations: hosting defaults, state, events, seed, stores, RPC services, handlers.</summary>
    public static WebApplicationBuilder AddTalent(this WebApplicationBuilder builder)
    {
        var rpc = builder.AddParksDefaults(ServiceName);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddParksState(builder.Configuration);
        builder.Configuration.SetDefaultEventsAppId($"parks-{ServiceName}");
        builder.AddParksEvents()
            .AddHandler<EnterpriseRegistered, EnterpriseRegisteredHandler>()
            .AddHandler<EnterpriseRelocated, EnterpriseRelocatedHandler>();

        services.AddOptions<RoadshowOptions>().BindConfiguration(RoadshowOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RoadshowOptions>>().Value);
        services.AddOptions<OverdueOptions>().BindConfiguration(OverdueOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(TalentSeed.LoadEmbedded());
        services.AddSingleton<EnterpriseDirectory>();
        services.AddSingleton<TalentStore>();
        services.AddSingleton<ServiceRequestStore>();
        services.AddSingleton<RoadshowStore>();
        services.AddSingleton<ISeeder, RoadshowSeeder>();
        services.AddHostedService<SeedService>();
        services.AddHostedService<OverdueScanner>();

        rpc.AddService<TalentService>()
            .AddService<ServiceRequestService>()
            .AddService<RoadshowService>();
        return builder;
    }

    /// <summary>The gRPC server, health routes and event delivery routes.</summary>
    public static WebApplication MapTalent(this WebApplication app)
    {
        app.MapParksDefaults();
        app.MapParksEvents();
        return app;
    }

    private sealed class RoadshowSeeder(RoadshowStore roadshows) : ISeeder
    {
        public string Name => "roadshow-editions";

        public Task<int> SeedAsync(CancellationToken cancellationToken) => roadshows.SeedAsync(cancellationToken);
    }
}
