using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Parks.Cli.Dynamic;

/// <summary>
/// Descriptors built from serialized FileDescriptorProtos (what server reflection returns), with lookup of
/// services, methods, messages and enums by full name. Files arrive in any order; they are built dependencies
/// first. The well-known types are added from Google.Protobuf when a server does not send them.
/// </summary>
internal sealed class DescriptorSet
{
    private readonly Dictionary<string, FileDescriptor> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IDescriptor> _symbols = new(StringComparer.Ordinal);

    private static readonly FileDescriptor[] WellKnownFiles =
    [
        Google.Protobuf.WellKnownTypes.Any.Descriptor.File,
        Google.Protobuf.WellKnownTypes.Duration.Descriptor.File,
        Google.Protobuf.WellKnownTypes.Empty.Descriptor.File,
        Google.Protobuf.WellKnownTypes.FieldMask.Descriptor.File,
        Google.Protobuf.WellKnownTypes.Struct.Descriptor.File,
        Google.Protobuf.WellKnownTypes.Timestamp.Descriptor.File,
        Google.Protobuf.WellKnownTypes.Int32Value.Descriptor.File,
        Google.Protobuf.Reflection.FileDescriptorProto.Descriptor.File,
    ];

    public IEnumerable<FileDescriptor> Files => _files.Values;

    public bool HasFile(string name) => _files.ContainsKey(name);

    /// <summary>Adds files (serialized FileDescriptorProtos); files already known are skipped.</summary>
    public void Add(IEnumerable<ByteString> serializedFiles)
    {
        var protos = new Dictionary<string, (FileDescriptorProto Proto, ByteString Bytes)>(StringComparer.Ordinal);
        foreach (var bytes in serializedFiles)
        {
            var proto = FileDescriptorProto.Parser.ParseFrom(bytes);
            if (!_files.ContainsKey(proto.Name)) protos[proto.Name] = (proto, bytes);
        }
        foreach (var wellKnown in WellKnownFiles)
        {
            if (!_files.ContainsKey(wellKnown.Name) && !protos.ContainsKey(wellKnown.Name))
                protos[wellKnown.Name] = (FileDescriptorProto.Parser.ParseFrom(wellKnown.SerializedData), wellKnown.SerializedData);
        }
        if (protos.Count == 0) return;

        // BuildFromByteStrings needs every dependency before its dependents, including files built earlier.
        var ordered = new List<ByteString>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string name)
        {
            if (!visited.Add(name)) return;
            if (_files.TryGetValue(name, out var known))
            {
                foreach (var dependency in known.Dependencies) Visit(dependency.Name);
                ordered.Add(known.SerializedData);
                return;
            }
            if (!protos.TryGetValue(name, out var file))
                throw new InvalidOperationException($"The server's descriptors are incomplete: '{name}' is imported but was not sent.");
            foreach (var dependency in file.Proto.Dependency) Visit(dependency);
            ordered.Add(file.Bytes);
        }
        foreach (var name in protos.Keys.Order(StringComparer.Ordinal)) Visit(name);

        var built = FileDescriptor.BuildFromByteStrings(ordered);
        _files.Clear();
        _symbols.Clear();
        foreach (var file in built) Index(file);
    }

    public ServiceDescriptor? FindService(string fullName) => Find<ServiceDescriptor>(fullName);

    public MessageDescriptor? FindMessage(string fullName) => Find<MessageDescriptor>(fullName);

    public EnumDescriptor? FindEnum(string fullName) => Find<EnumDescriptor>(fullName);

    /// <summary>A method by "pkg.Service/Method", "pkg.Service.Method" or "/pkg.Service/Method".</summary>
    public MethodDescriptor? FindMethod(string name)
    {
        var trimmed = name.TrimStart('/');
        var slash = trimmed.LastIndexOf('/');
        var dot = trimmed.LastIndexOf('.');
        var split = slash >= 0 ? slash : dot;
        if (split <= 0) return null;
        return FindService(trimmed[..split])?.FindMethodByName(trimmed[(split + 1)..]);
    }

    /// <summary>Any symbol: service, method, message, enum, field or enum value.</summary>
    public IDescriptor? FindSymbol(string fullName)
    {
        if (_symbols.TryGetValue(fullName.TrimStart('.'), out var symbol)) return symbol;
        return FindMethod(fullName);
    }

    private T? Find<T>(string fullName) where T : class, IDescriptor =>
        _symbols.TryGetValue(fullName.TrimStart('.'), out var symbol) ? symbol as T : null;

    private void Index(FileDescriptor file)
    {
        _files[file.Name] = file;
        foreach (var service in file.Services)
        {
            _symbols[service.FullName] = service;
            foreach (var method in service.Methods) _symbols[method.FullName] = method;
        }
        foreach (var message in file.MessageTypes) IndexMessage(message);
        foreach (var type in file.EnumTypes) IndexEnum(type);
    }

    private void IndexMessage(MessageDescriptor message)
    {
        _symbols[message.FullName] = message;
        foreach (var field in message.Fields.InDeclarationOrder()) _symbols[field.FullName] = field;
        foreach (var nested in message.NestedTypes) IndexMessage(nested);
        foreach (var type in message.EnumTypes) IndexEnum(type);
    }

    private void IndexEnum(EnumDescriptor type)
    {
        _symbols[type.FullName] = type;
        foreach (var value in type.Values) _symbols[value.FullName] = value;
    }
}
