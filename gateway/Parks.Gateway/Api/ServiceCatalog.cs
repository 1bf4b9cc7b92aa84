using System.Collections.Frozen;
using System.Reflection;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Parks.Gateway.Api;

/// <summary>
/// Every protobuf file the gateway knows (the contracts assembly, plus any a host adds): the descriptors it routes,
/// authorises and maps to JSON with, and the type registry for google.protobuf.Any in JSON.
/// </summary>
internal sealed class ServiceCatalog
{
    private readonly FrozenDictionary<string, ServiceDescriptor> _services;
    private readonly FrozenDictionary<string, MessageDescriptor> _messages;

    public ServiceCatalog(IEnumerable<Assembly> assemblies)
    {
        var files = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
        foreach (var assembly in assemblies.Distinct())
        {
            foreach (var file in FilesOf(assembly)) Visit(file);
        }
        Files = files.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToArray();
        _services = Files.SelectMany(f => f.Services).ToFrozenDictionary(s => s.FullName, StringComparer.Ordinal);
        _messages = Files.SelectMany(f => f.MessageTypes.SelectMany(Flatten)).ToFrozenDictionary(m => m.FullName, StringComparer.Ordinal);
        TypeRegistry = TypeRegistry.FromFiles(Files.ToArray());

        void Visit(FileDescriptor file)
        {
            if (!files.TryAdd(file.Name, file)) return;
            foreach (var dependency in file.Dependencies) Visit(dependency);
        }
    }

    /// <summary>The protobuf contracts compiled into Parks.Contracts.</summary>
    public static Assembly ContractsAssembly => typeof(Grpc.Health.V1.Health).Assembly;

    public IReadOnlyList<FileDescriptor> Files { get; }

    public TypeRegistry TypeRegistry { get; }

    public ServiceDescriptor? FindService(string fullName) => _services.GetValueOrDefault(fullName);

    public MessageDescriptor? FindMessage(string fullName) => _messages.GetValueOrDefault(fullName);

    private static IEnumerable<MessageDescriptor> Flatten(MessageDescriptor message) =>
        message.NestedTypes.SelectMany(Flatten).Prepend(message);

    /// <summary>The files of the generated <c>*Reflection</c> classes of an assembly (static, with a FileDescriptor Descriptor).</summary>
    private static IEnumerable<FileDescriptor> FilesOf(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            if (!(type.IsAbstract && type.IsSealed) || !type.Name.EndsWith("Reflection", StringComparison.Ordinal)) continue;
            var property = type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static);
            if (property?.PropertyType == typeof(FileDescriptor) && property.GetValue(null) is FileDescriptor file) yield return file;
        }
    }
}
