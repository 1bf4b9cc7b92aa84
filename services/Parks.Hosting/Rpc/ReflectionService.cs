using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;
using Parks.Rpc;

namespace Parks.Hosting.Rpc;

/// <summary>
/// gRPC server reflection (doc/server-reflection.md) over every service the server hosts, so grpcurl and
/// similar tools can list, describe and call them. One implementation serves both grpc.reflection.v1 and
/// v1alpha: the two are wire-identical, so v1alpha messages are translated through their bytes.
/// </summary>
public sealed class ReflectionCatalog(RpcServiceRegistry registry)
{
    private readonly Lazy<Index> _index = new(() => Index.Build(registry.Services));

    public IReadOnlyList<string> ServiceNames => _index.Value.ServiceNames;

    /// <summary>Answers one request; files already sent on the stream are left out.</summary>
    public ServerReflectionResponse Answer(ServerReflectionRequest request, HashSet<string> sentFiles)
    {
        var index = _index.Value;
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new ListServiceResponse();
                list.Service.AddRange(index.ServiceNames.Select(n => new ServiceResponse { Name = n }));
                response.ListServicesResponse = list;
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                if (index.Files.TryGetValue(request.FileByFilename, out var file)) response.FileDescriptorResponse = FilesWithDependencies(file, sentFiles);
                else response.ErrorResponse = NotFound($"File not found: {request.FileByFilename}");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                if (index.Symbols.TryGetValue(request.FileContainingSymbol, out var owner)) response.FileDescriptorResponse = FilesWithDependencies(owner, sentFiles);
                else response.ErrorResponse = NotFound($"Symbol not found: {request.FileContainingSymbol}");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                response.ErrorResponse = NotFound($"Extension not found: {request.FileContainingExtension.ContainingType}({request.FileContainingExtension.ExtensionNumber})");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                if (index.Symbols.ContainsKey(request.AllExtensionNumbersOfType))
                    response.AllExtensionNumbersResponse = new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType };
                else response.ErrorResponse = NotFound($"Type not found: {request.AllExtensionNumbersOfType}");
                break;
            default:
                response.ErrorResponse = new ErrorResponse { ErrorCode = (int)Parks.Rpc.StatusCode.InvalidArgument, ErrorMessage = "The reflection request names no query." };
                break;
        }
        return response;
    }

    private static ErrorResponse NotFound(string message) => new() { ErrorCode = (int)Parks.Rpc.StatusCode.NotFound, ErrorMessage = message };

    private static FileDescriptorResponse FilesWithDependencies(FileDescriptor file, HashSet<string> sentOnStream)
    {
        var response = new FileDescriptorResponse();
        var added = new HashSet<string>(StringComparer.Ordinal);
        Visit(file, requested: true);
        return response;

        // The requested file is always returned; its transitive dependencies once per stream.
        void Visit(FileDescriptor f, bool requested)
        {
            if (!added.Add(f.Name)) return;
            if (!requested && sentOnStream.Contains(f.Name)) return;
            sentOnStream.Add(f.Name);
            response.FileDescriptorProto.Add(f.SerializedData);
            foreach (var dependency in f.Dependencies) Visit(dependency, requested: false);
        }
    }

    private sealed record Index(IReadOnlyList<string> ServiceNames, IReadOnlyDictionary<string, FileDescriptor> Files, IReadOnlyDictionary<string, FileDescriptor> Symbols)
    {
        public static Index Build(IReadOnlyList<ServerServiceDefinition> services)
        {
            var files = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
            var symbols = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
            foreach (var service in services)
            {
                if (service.Descriptor is { } descriptor) AddFile(descriptor.File, files, symbols);
            }
            return new Index(services.Select(s => s.Name).Distinct().ToArray(), files, symbols);
        }

        private static void AddFile(FileDescriptor file, Dictionary<string, FileDescriptor> files, Dictionary<string, FileDescriptor> symbols)
        {
            if (!files.TryAdd(file.Name, file)) return;
            foreach (var service in file.Services)
            {
                symbols[service.FullName] = file;
                foreach (var method in service.Methods) symbols[method.FullName] = file;
            }
            foreach (var message in file.MessageTypes) AddMessage(message, file, symbols);
            foreach (var enumType in file.EnumTypes) symbols[enumType.FullName] = file;
            foreach (var dependency in file.Dependencies) AddFile(dependency, files, symbols);
        }

        private static void AddMessage(MessageDescriptor message, FileDescriptor file, Dictionary<string, FileDescriptor> symbols)
        {
            symbols[message.FullName] = file;
            foreach (var nested in message.NestedTypes) AddMessage(nested, file, symbols);
            foreach (var enumType in message.EnumTypes) symbols[enumType.FullName] = file;
        }
    }
}

/// <summary>grpc.reflection.v1.ServerReflection.</summary>
public sealed class ReflectionServiceV1(ReflectionCatalog catalog) : ServerReflection.ServerReflectionBase
{
    public override async Task ServerReflectionInfo(IAsyncStreamReader<ServerReflectionRequest> requestStream, IServerStreamWriter<ServerReflectionResponse> responseStream, ServerCallContext context)
    {
        var sent = new HashSet<string>(StringComparer.Ordinal);
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            await responseStream.WriteAsync(catalog.Answer(requestStream.Current, sent));
        }
    }
}

/// <summary>grpc.reflection.v1alpha.ServerReflection, answered by the v1 implementation through the shared wire format.</summary>
public sealed class ReflectionServiceV1Alpha(ReflectionCatalog catalog) : Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionBase
{
    public override async Task ServerReflectionInfo(IAsyncStreamReader<Grpc.Reflection.V1Alpha.ServerReflectionRequest> requestStream, IServerStreamWriter<Grpc.Reflection.V1Alpha.ServerReflectionResponse> responseStream, ServerCallContext context)
    {
        var sent = new HashSet<string>(StringComparer.Ordinal);
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var request = ServerReflectionRequest.Parser.ParseFrom(requestStream.Current.ToByteString());
            var answer = catalog.Answer(request, sent);
            await responseStream.WriteAsync(Grpc.Reflection.V1Alpha.ServerReflectionResponse.Parser.ParseFrom(answer.ToByteString()));
        }
    }
}
