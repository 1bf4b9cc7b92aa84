namespace Parks.Flows.Tests.Support;

/// <summary>
/// Where the services' built assemblies are: flows-services.txt, written next to the tests by the build
/// (Parks.Flows.Tests.csproj), one "project file|assembly" line per service.
/// </summary>
internal sealed class ServiceAssemblies(IReadOnlyDictionary<string, string> byProject)
{
    public const string ListFile = "flows-services.txt";

    public static ServiceAssemblies Load()
    {
        var list = Path.Combine(AppContext.BaseDirectory, ListFile);
        if (!File.Exists(list)) throw new InvalidOperationException($"{list} is missing: build tests/Parks.Flows.Tests (it lists the services' assemblies)");
        var byProject = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parts in File.ReadAllLines(list).Select(l => l.Split('|')).Where(p => p.Length == 2))
        {
            byProject[Path.GetFileNameWithoutExtension(parts[0])] = parts[1];
        }
        return new ServiceAssemblies(byProject);
    }

    /// <summary>The assembly of a service by its name (district, branchparks, sciencecity, talent, finance, gateway).</summary>
    public string Of(string service)
    {
        var project = service switch
        {
            "district" => "Parks.District",
            "branchparks" => "Parks.BranchParks",
            "sciencecity" => "Parks.ScienceCity",
            "talent" => "Parks.Talent",
            "finance" => "Parks.Finance",
            "gateway" => "Parks.Gateway",
            _ => throw new ArgumentOutOfRangeException(nameof(service), service, "not a Parks service"),
        };
        if (!byProject.TryGetValue(project, out var assembly) || !File.Exists(assembly))
            throw new InvalidOperationException($"{project} is not built (looked for it in {ListFile})");
        return assembly;
    }
}
