using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Parks.Hosting.Embedded;

internal static class EmbeddedRegistration
{
    /// <summary>The client of the AppHost's backplane; created only when a provider is <c>Embedded</c>.</summary>
    public static void AddBackplaneClient(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmbeddedOptions>().Bind(configuration.GetSection(EmbeddedOptions.Section));
        services.AddOptions<Security.SecurityOptions>().Bind(configuration.GetSection(Security.SecurityOptions.Section));
        services.TryAddSingleton<EmbeddedBackplaneClient>();
    }
}
