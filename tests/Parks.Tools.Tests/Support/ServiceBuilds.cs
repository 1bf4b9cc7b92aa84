using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Parks.Tools.Tests.Support;

/// <summary>
/// Which services the AppHost's build found (its parks-services.txt), so the end-to-end tests run as soon as the
/// services exist on the branch, and say why they are skipped until then.
/// </summary>
internal static class ServiceBuilds
{
    public static IReadOnlyList<(string Project, string Assembly)> Built { get; } = Read();

    public static bool Has(string projectName) => Built.Any(b => Path.GetFileNameWithoutExtension(b.Project) == projectName);

    /// <summary>The built services that do not declare an IParksService class (so cannot run in one process).</summary>
    public static IReadOnlyList<string> WithoutHostClass() =>
        [.. Built.Where(b => !DeclaresParksService(b.Assembly)).Select(b => Path.GetFileNameWithoutExtension(b.Project))];

    private static List<(string, string)> Read()
    {
        var list = Path.Combine(Path.GetDirectoryName(Repo.AppHostDll)!, "parks-services.txt");
        if (!File.Exists(list)) return [];
        return [.. File.ReadAllLines(list).Select(l => l.Split('|')).Where(p => p.Length == 2 && File.Exists(p[1])).Select(p => (p[0], p[1]))];
    }

    /// <summary>Whether the assembly has a public class implementing Parks.Hosting.IParksService (read from metadata, not loaded).</summary>
    private static bool DeclaresParksService(string assembly)
    {
        using var stream = File.OpenRead(assembly);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(handle);
            foreach (var implementation in type.GetInterfaceImplementations())
            {
                var interfaceHandle = metadata.GetInterfaceImplementation(implementation).Interface;
                if (interfaceHandle.Kind != HandleKind.TypeReference) continue;
                var reference = metadata.GetTypeReference((TypeReferenceHandle)interfaceHandle);
                if (metadata.GetString(reference.Name) == "IParksService" && metadata.GetString(reference.Namespace) == "Parks.Hosting") return true;
            }
        }
        return false;
    }
}
