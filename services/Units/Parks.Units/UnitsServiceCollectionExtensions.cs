using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Rpc;
using Parks.Units.Application;
using Parks.Units.Data;
using Parks.Units.Domain;
using Parks.Units.Events;
using Parks.Units.Rpc;
using E = Parks.Events.V1;

namespace Parks.Units;

public static class UnitsServiceCollectionExtensions
{
    /// <summary>
    /// Everything a district or branch-park host shares: options (validated at start-up), state, events with the
    /// handlers of what it consumes, the operations, seed loading and tier maintenance, and the parks.units.v1
    /// gRPC services. The host supplies its <see cref="UnitScope"/>.
    /// </summary>
    public static IRpcServerBuilder AddUnits(this IRpcServerBuilder rpc, WebApplicationBuilder builder, Func<IServiceProvider, UnitScope> scope)
    {
        var services = builder.Services;
        services.AddOptions<UnitsOptions>().BindConfiguration(UnitsOptions.SectionName)
            .Validate(o => o.Problems().Count == 0, "invalid Parks:Units settings (see the start-up error)")
            .Validate(o => string.IsNullOrEmpty(o.InnovationPointsModel) || SeedData.InnovationPointsModels.All.Any(m => m.Version == o.InnovationPointsModel),
                $"{UnitsOptions.SectionName}:InnovationPointsModel names no model in Data/innovation-points-models.json")
            .ValidateOnStart();
        services.AddOptions<TierRules>().BindConfiguration(TierRules.SectionName)
            .Validate(o => o.Problems().Count == 0, "invalid Parks:Units:TierRules settings")
            .ValidateOnStart();
        services.AddOptions<InvestmentRules>().BindConfiguration(InvestmentRules.SectionName)
            .Validate(o => o.Problems().Count == 0, "invalid Parks:Units:Investment settings")
            .ValidateOnStart();

        services.AddParksState(builder.Configuration);
        builder.AddParksEvents()
            .AddHandler<E.EnterpriseRelocated, EnterpriseRelocatedHandler>()
            .AddHandler<E.ResearchProjectIndustrialized, ResearchProjectIndustrializedHandler>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(scope);
        services.AddSingleton<IUnitOutbox>(sp => new ParksUnitOutbox(sp.GetRequiredService<IEventOutbox>(), sp.GetRequiredService<IOptions<TierRules>>().Value));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<UnitsOptions>>().Value;
            var models = string.IsNullOrEmpty(options.InnovationPointsModel)
                ? SeedData.InnovationPointsModels
                : new InnovationPointsModels(SeedData.InnovationPointsModels.All, options.InnovationPointsModel);
            return new UnitsContext(sp.GetRequiredService<IStateStore>(), sp.GetRequiredService<IUnitOutbox>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<UnitScope>(), sp.GetRequiredService<IOptions<TierRules>>().Value,
                sp.GetRequiredService<IOptions<InvestmentRules>>().Value, models);
        });
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<UnitsOptions>>().Value);
        services.AddSingleton<EnterpriseOperations>();
        services.AddSingleton<InnovationPointsOperations>();
        services.AddSingleton<ProjectOperations>();
        services.AddSingleton<IndicatorOperations>();
        services.AddSingleton<BranchParkOperations>();
        services.AddSingleton<DistrictOperations>();
        services.AddSingleton<SeedLoader>();
        services.AddHostedService<UnitsMaintenance>();

        return rpc
            .AddService<EnterpriseRpc>()
            .AddService<InnovationPointsRpc>()
            .AddService<InvestmentProjectRpc>()
            .AddService<IndicatorRpc>();
    }
}
