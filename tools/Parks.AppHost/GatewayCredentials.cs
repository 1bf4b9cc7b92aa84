using Microsoft.Extensions.Configuration;

namespace Parks.AppHost;

/// <summary>
/// The gateway's demo credentials, read from the configuration the gateway itself reads in the local run
/// (<c>Parks:Gateway:ApiKeys:&lt;caller&gt;</c> in its appsettings.json and appsettings.Development.json).
/// </summary>
internal static class GatewayCredentials
{
    public const string Section = "Parks:Gateway:ApiKeys";

    public static IReadOnlyDictionary<string, string> Read(ServiceInstance? gateway)
    {
        if (gateway is null) return new Dictionary<string, string>();
        var configuration = new ConfigurationBuilder()
            .SetBasePath(gateway.Build.ProjectDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile("appsettings.Development.json", optional: true)
            .Build();
        return configuration.GetSection(Section).GetChildren()
            .Where(c => !string.IsNullOrEmpty(c.Value))
            .ToDictionary(c => c.Key, c => c.Value!, StringComparer.Ordinal);
    }
}
