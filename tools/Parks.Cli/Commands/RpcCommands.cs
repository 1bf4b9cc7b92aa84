using System.Text;
using Google.Protobuf.Reflection;
using Parks.Cli.Connection;
using Parks.Cli.Dynamic;
using Parks.Rpc;

namespace Parks.Cli.Commands;

/// <summary>
/// grpcurl-style discovery and calls through server reflection: <c>rpc list [service]</c>,
/// <c>rpc describe &lt;symbol&gt;</c>, <c>rpc call &lt;method&gt; --data '&lt;json&gt;'</c>. JSON in and out is the
/// proto3 JSON mapping, encoded to and from protobuf with the server's own descriptors.
/// </summary>
internal static class RpcCommands
{
    public static async Task<int> ListAsync(Endpoint endpoint, string? service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var channel = RpcChannel.ForAddress(endpoint.Address);
        var (services, descriptors) = await new ReflectionClient(channel, endpoint, timeout).LoadAsync(cancellationToken);
        if (string.IsNullOrEmpty(service))
        {
            foreach (var name in services) Console.Out.WriteLine(name);
            return 0;
        }
        var found = descriptors.FindService(service) ?? throw new CliException($"{endpoint.Name} has no service '{service}'. It has: {string.Join(", ", services)}.");
        foreach (var method in found.Methods) Console.Out.WriteLine($"{found.FullName}.{method.Name}");
        return 0;
    }

    public static async Task<int> DescribeAsync(Endpoint endpoint, string symbol, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var channel = RpcChannel.ForAddress(endpoint.Address);
        var (_, descriptors) = await new ReflectionClient(channel, endpoint, timeout).LoadAsync(cancellationToken);
        var found = descriptors.FindSymbol(symbol) ?? throw new CliException($"{endpoint.Name} describes no symbol '{symbol}'.");
        Console.Out.Write(ProtoPrinter.Describe(found));
        return 0;
    }

    /// <summary>Calls a unary or server-streaming method; prints each response message as JSON.</summary>
    public static async Task<int> CallAsync(Endpoint endpoint, string methodName, string? data, IReadOnlyList<string> headers, bool emitDefaults,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var channel = RpcChannel.ForAddress(endpoint.Address);
        var (_, descriptors) = await new ReflectionClient(channel, endpoint, timeout).LoadAsync(cancellationToken);
        var method = descriptors.FindMethod(methodName)
            ?? throw new CliException($"{endpoint.Name} has no method '{methodName}' (use 'parksctl rpc list' and 'parksctl rpc list <service>').");
        var codec = new ProtoJsonCodec(descriptors);
        var request = codec.Encode(method.InputType, ReadData(data));
        var metadata = WithHeaders(endpoint.Headers, headers);
        var options = new CallOptions(metadata, DateTime.UtcNow + timeout, cancellationToken);
        var invoker = channel.CreateCallInvoker();
        if (method.IsClientStreaming) throw new CliException($"{method.FullName} is client-streaming: parksctl calls unary and server-streaming methods.");
        if (method.IsServerStreaming)
        {
            using var stream = invoker.AsyncServerStreamingCall(RawMethod(method, MethodType.ServerStreaming), options, new RawMessage(request));
            await foreach (var message in stream.ResponseStream.ReadAllAsync(cancellationToken))
                Console.Out.WriteLine(codec.Decode(method.OutputType, message.ToBytes(), indented: true, emitDefaults));
            return 0;
        }
        var response = await invoker.AsyncUnaryCall(RawMethod(method, MethodType.Unary), options, new RawMessage(request));
        Console.Out.WriteLine(codec.Decode(method.OutputType, response.ToBytes(), indented: true, emitDefaults));
        return 0;
    }

    /// <summary>One dynamic unary call (for commands built on reflection: import, export).</summary>
    public static async Task<byte[]> CallUnaryAsync(RpcChannel channel, MethodDescriptor method, byte[] request, CallOptions options)
    {
        var response = await channel.CreateCallInvoker().AsyncUnaryCall(RawMethod(method, MethodType.Unary), options, new RawMessage(request));
        return response.ToBytes();
    }

    private static Method<RawMessage, RawMessage> RawMethod(MethodDescriptor method, MethodType type) =>
        new(type, method.Service.FullName, method.Name, RawMessage.Parser, RawMessage.Parser);

    /// <summary>The request JSON: inline, "@file", or "@-" for standard input; none means an empty message.</summary>
    private static string ReadData(string? data)
    {
        if (string.IsNullOrEmpty(data)) return "{}";
        if (data == "@-") return Console.In.ReadToEnd();
        if (data.StartsWith('@'))
        {
            var path = data[1..];
            if (!File.Exists(path)) throw new CliException($"--data {data}: no such file.");
            return File.ReadAllText(path, Encoding.UTF8);
        }
        return data;
    }

    /// <summary>"name: value" headers added to the endpoint's own metadata.</summary>
    private static Metadata WithHeaders(Metadata baseHeaders, IReadOnlyList<string> headers)
    {
        var metadata = new Metadata();
        foreach (var entry in baseHeaders) metadata.Add(entry);
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':');
            if (colon <= 0) throw new CliException($"-H '{header}': expected 'name: value'.");
            metadata.Add(header[..colon].Trim().ToLowerInvariant(), header[(colon + 1)..].Trim());
        }
        return metadata;
    }
}
