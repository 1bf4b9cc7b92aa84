using Google.Protobuf;
using Grpc.Reflection.V1;
using Parks.Cli.Connection;
using Parks.Rpc;

namespace Parks.Cli.Dynamic;

/// <summary>
/// gRPC server reflection (grpc.reflection.v1, falling back to v1alpha): the services a server has and the
/// descriptors of their files, all fetched over one stream.
/// </summary>
internal sealed class ReflectionClient(RpcChannel channel, Endpoint endpoint, TimeSpan timeout)
{
    private static readonly Method<ServerReflectionRequest, ServerReflectionResponse> V1Alpha = new(
        MethodType.DuplexStreaming, "grpc.reflection.v1alpha.ServerReflection", "ServerReflectionInfo",
        ServerReflectionRequest.Parser, ServerReflectionResponse.Parser);

    private bool _useAlpha;

    /// <summary>The server's services and the descriptors of all of them.</summary>
    public async Task<(IReadOnlyList<string> Services, DescriptorSet Descriptors)> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await LoadCoreAsync(cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented && !_useAlpha)
        {
            _useAlpha = true;
            return await LoadCoreAsync(cancellationToken);
        }
    }

    private async Task<(IReadOnlyList<string>, DescriptorSet)> LoadCoreAsync(CancellationToken cancellationToken)
    {
        var options = new CallOptions(endpoint.Headers, DateTime.UtcNow + timeout, cancellationToken);
        var invoker = channel.CreateCallInvoker();
        using var call = _useAlpha
            ? invoker.AsyncDuplexStreamingCall(V1Alpha, options)
            : invoker.AsyncDuplexStreamingCall(ServerReflection.ServerReflectionInfoMethod, options);

        async Task<ServerReflectionResponse> AskAsync(ServerReflectionRequest request)
        {
            await call.RequestStream.WriteAsync(request);
            if (!await call.ResponseStream.MoveNext(cancellationToken))
                throw new CliException($"{endpoint.Name} ended the reflection stream without answering.");
            var response = call.ResponseStream.Current;
            if (response.ErrorResponse is { } error)
                throw new RpcException(new Status((StatusCode)error.ErrorCode, error.ErrorMessage));
            return response;
        }

        var list = await AskAsync(new ServerReflectionRequest { ListServices = "*" });
        var services = list.ListServicesResponse.Service.Select(s => s.Name).Order(StringComparer.Ordinal).ToList();
        var files = new List<ByteString>();
        foreach (var service in services)
        {
            try
            {
                var response = await AskAsync(new ServerReflectionRequest { FileContainingSymbol = service });
                files.AddRange(response.FileDescriptorResponse.FileDescriptorProto);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // A service registered without a descriptor: listed, but it cannot be described or called by reflection.
            }
        }
        // Half-close and read to the end, so the server ends the call itself rather than seeing it reset.
        await call.RequestStream.CompleteAsync();
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
        }
        var descriptors = new DescriptorSet();
        descriptors.Add(files);
        return (services, descriptors);
    }
}
