using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Parks.Hosting.State;

public static class StateServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IStateStore"/> as configured under <c>Parks:State</c> (validated at start-up) and a
    /// "state" health check tagged "ready". The in-memory provider is one store per process, shared by every host
    /// in it, just as every service shares one Redis; register an <see cref="InMemoryStateStore"/> first to isolate.
    /// </summary>
    public static IServiceCollection AddParksState(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StateOptions>()
            .Bind(configuration.GetSection(StateOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StateOptions>, StateOptionsValidator>());
        services.TryAddSingleton(_ => SharedInMemoryStore);
        Embedded.EmbeddedRegistration.AddBackplaneClient(services, configuration);
        services.TryAddSingleton<IStateStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StateOptions>>().Value;
            if (options.Provider == StateOptions.EmbeddedProvider)
                return ActivatorUtilities.CreateInstance<Embedded.RemoteStateStore>(sp);
            return options.Provider == StateOptions.RedisProvider
                ? new RedisStateStore(options.Redis!, options.OperationTimeout,
                    sp.GetRequiredService<ILogger<RedisStateStore>>(), sp.GetServices<IStateCommitListener>())
                : sp.GetRequiredService<InMemoryStateStore>().WithListeners(sp.GetServices<IStateCommitListener>());
        });
        services.AddHealthChecks().AddCheck<StateStoreHealthCheck>("state", tags: ["ready"]);
        return services;
    }

    private static readonly InMemoryStateStore SharedInMemoryStore = new();
}

/// <summary>Readiness: the state store answers a ping.</summary>
internal sealed class StateStoreHealthCheck(IStateStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await store.PingAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : new HealthCheckResult(context.Registration.FailureStatus, "the state store does not answer");
}
