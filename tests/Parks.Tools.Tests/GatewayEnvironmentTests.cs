using Parks.AppHost;
using Parks.Tools.Tests.Support;

namespace Parks.Tools.Tests;

/// <summary>
/// The gateway's runtime environment (settings the .NET runtime reads only from environment variables) is the same in
/// its image and in the local run, and only the gateway's process gets it.
/// </summary>
public sealed class GatewayEnvironmentTests
{
    [Fact]
    public void The_local_run_gives_the_gateway_process_the_environment_its_image_sets()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(Repo.Root, "gateway", "Parks.Gateway", "Dockerfile"));
        var imageEnvironment = dockerfile
            .Where(line => line.StartsWith("ENV DOTNET_SYSTEM_", StringComparison.Ordinal))
            .Select(line => line["ENV ".Length..].Trim().Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);

        Assert.NotEmpty(imageEnvironment);

        var builds = ServiceCatalog.Projects.Select(p => new ServiceBuild(p.Name, "/nowhere/" + p.Name, "/nowhere/" + p.Name + ".dll")).ToList();
        var instances = ServiceCatalog.Instances(builds);
        var gateway = Assert.Single(instances, i => i.IsGateway);
        Assert.Equal(imageEnvironment.OrderBy(e => e.Key), gateway.ProcessEnvironment.OrderBy(e => e.Key));
        Assert.All(instances.Where(i => !i.IsGateway), i => Assert.Empty(i.ProcessEnvironment));
    }
}
