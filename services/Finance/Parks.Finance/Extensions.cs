using Microsoft.Extensions.DependencyInjection.Extensions;
using Parks.Events.V1;
using Parks.Finance.Data;
using Parks.Finance.Events;
using Parks.Finance.Rpc;
using Parks.Finance.Storage;
using Parks.Hosting;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Rpc;
using Parks.Storage;

namespace Parks.Finance;

internal static class Extensions
{
    public const string ServiceName = "finance";

    /// <summary>The finance service's registrations: hosting defaults, state, events, seed, stores, RPC services, handlers.</summary>
    public static WebApplicationBuilder AddFinance(this WebApplicationBuilder builder)
    {
        var rpc = builder.AddParksDefaults(ServiceName);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddParksState(builder.Configuration);
        builder.Configuration.SetDefaultEventsAppId($"parks-{ServiceName}");
        builder.AddParksEvents()
            .AddHandler<EnterpriseRegistered, EnterpriseRegisteredHandler>()
            .AddHandler<EnterpriseRelocated, EnterpriseRelocatedHandler>()
            .AddHandler<EnterpriseTierCertified, EnterpriseTierCertifiedHandler>()
            .AddHandler<EnterpriseTierDisqualified, EnterpriseTierDisqualifiedHandler>()
            .AddHandler<InnovationPointsEvaluated, InnovationPointsEvaluatedHandler>();

        services.AddSingleton(PolicyCatalogue.LoadEmbedded());
        services.AddSingleton(FinanceSeed.LoadEmbedded());
        services.AddSingleton<EnterpriseProfiles>();
        services.AddSingleton<InstitutionStore>();
        services.AddSingleton<FundStore>();
        services.AddSingleton<PayoutStore>();
        services.AddSingleton<LoanStore>();
        services.AddSingleton<ISeeder, InstitutionSeeder>();
        services.AddSingleton<ISeeder, FundSeeder>();
        services.AddHostedService<SeedService>();

        rpc.AddService<InstitutionService>()
            .AddService<FundService>()
            .AddService<LoanService>()
            .AddService<PayoutService>();
        return builder;
    }

    /// <summary>The gRPC server, health routes and event delivery routes.</summary>
    public static WebApplication MapFinance(this WebApplication app)
    {
        app.MapParksDefaults();
        app.MapParksEvents();
        return app;
    }

    private sealed class InstitutionSeeder(InstitutionStore institutions) : ISeeder
    {
        public string Name => "institutions";

        public Task<int> SeedAsync(CancellationToken cancellationToken) => institutions.SeedAsync(cancellationToken);
    }

    private sealed class FundSeeder(FundStore funds) : ISeeder
    {
        public string Name => "funds";

        public Task<int> SeedAsync(CancellationToken cancellationToken) => funds.SeedAsync(cancellationToken);
    }
}
