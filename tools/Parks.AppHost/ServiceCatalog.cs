using System.Collections.Frozen;

namespace Parks.AppHost;

/// <summary>A service's build: its project folder and its built assembly.</summary>
internal sealed record ServiceBuild(string Name, string ProjectDirectory, string AssemblyPath)
{
    public string AssemblyName => Path.GetFileNameWithoutExtension(AssemblyPath);
}

/// <summary>
/// One process of the suite: the app id (the process / Kubernetes / Dapr name), the name the gateway routes to
/// (<c>Parks:Services:&lt;route&gt;</c>; null for the gateway), its build, and the settings only it gets.
/// </summary>
internal sealed record ServiceInstance(string AppId, string? Route, ServiceBuild Build, IReadOnlyDictionary<string, string> Settings)
{
    public bool IsGateway => Route is null;

    /// <summary>
    /// Runtime environment variables of the instance's own process (settings the .NET runtime reads only from the
    /// environment); its image sets the same. A value already in the AppHost's environment wins. Not applied when the
    /// suite runs in one process.
    /// </summary>
    public IReadOnlyDictionary<string, string> ProcessEnvironment { get; init; } = FrozenDictionary<string, string>.Empty;
}

/// <summary>
/// The suite as docs/architecture.md lays it out: Science City, the six district instances of one district
/// service, branch parks, talent, finance and the gateway. Only services whose build exists take part.
/// </summary>
internal static class ServiceCatalog
{
    public static readonly string[] Districts = ["lingshui", "qixianling", "xiaopingdao", "huangnichuan", "longwangtang", "longtou"];

    /// <summary>
    /// The gateway's runtime environment (gateway/Parks.Gateway/Dockerfile sets the same): every proxied call holds
    /// HttpClient buffers from the shared array pool while it is in flight, and with the pool's default of 32 arrays per
    /// size and core most of them missed the pool at 128 calls in flight (32 KB allocated per call, 10.6 KB with 256;
    /// docs/performance.md).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> GatewayEnvironment = new Dictionary<string, string>
    {
        ["DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION"] = "256",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Service name → project file, relative to the repository root.</summary>
    public static readonly IReadOnlyList<(string Name, string Project)> Projects =
    [
        ("sciencecity", "services/ScienceCity/Parks.ScienceCity/Parks.ScienceCity.csproj"),
        ("district", "services/District/Parks.District/Parks.District.csproj"),
        ("branchparks", "services/BranchParks/Parks.BranchParks/Parks.BranchParks.csproj"),
        ("talent", "services/Talent/Parks.Talent/Parks.Talent.csproj"),
        ("finance", "services/Finance/Parks.Finance/Parks.Finance.csproj"),
        ("gateway", "gateway/Parks.Gateway/Parks.Gateway.csproj"),
    ];

    /// <summary>The file the build writes next to the AppHost: "project file|assembly" per built service.</summary>
    public const string BuildListFile = "parks-services.txt";

    /// <summary>The builds listed by the AppHost's build whose assembly exists.</summary>
    public static IReadOnlyList<ServiceBuild> FindBuilds(string baseDirectory)
    {
        var list = Path.Combine(baseDirectory, BuildListFile);
        if (!File.Exists(list)) return [];
        var builds = new List<ServiceBuild>();
        foreach (var line in File.ReadAllLines(list))
        {
            var parts = line.Split('|');
            if (parts.Length != 2 || !File.Exists(parts[1])) continue;
            var project = Path.GetFullPath(parts[0]);
            var name = Projects.FirstOrDefault(p => project.EndsWith(p.Project.Replace('/', Path.DirectorySeparatorChar), StringComparison.Ordinal)).Name;
            if (name is null) continue;
            builds.Add(new ServiceBuild(name, Path.GetDirectoryName(project)!, parts[1]));
        }
        return builds;
    }

    /// <summary>The instances to run, in start order (the gateway last), for the builds that exist.</summary>
    public static IReadOnlyList<ServiceInstance> Instances(IReadOnlyList<ServiceBuild> builds)
    {
        var byName = builds.ToDictionary(b => b.Name, StringComparer.Ordinal);
        var instances = new List<ServiceInstance>();
        void Add(string name, string appId, string? route, Dictionary<string, string>? settings = null, IReadOnlyDictionary<string, string>? environment = null)
        {
            if (byName.TryGetValue(name, out var build))
                instances.Add(new ServiceInstance(appId, route, build, settings ?? []) { ProcessEnvironment = environment ?? FrozenDictionary<string, string>.Empty });
        }
        Add("sciencecity", "parks-sciencecity", "sciencecity");
        foreach (var district in Districts)
            Add("district", $"parks-district-{district}", $"district-{district}", new() { ["Parks:District:Id"] = district });
        Add("branchparks", "parks-branchparks", "branchparks");
        Add("talent", "parks-talent", "talent");
        Add("finance", "parks-finance", "finance");
        Add("gateway", "parks-gateway", null, environment: GatewayEnvironment);
        return instances;
    }

    /// <summary>The service names whose build is missing (not on this branch yet, or not built).</summary>
    public static IEnumerable<string> Missing(IReadOnlyList<ServiceBuild> builds) =>
        Projects.Select(p => p.Name).Where(n => builds.All(b => b.Name != n));
}
