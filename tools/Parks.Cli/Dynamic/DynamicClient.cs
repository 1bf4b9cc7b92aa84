using System.Text.Json;
using Parks.Cli.Connection;
using Parks.Rpc;

namespace Parks.Cli.Dynamic;

/// <summary>
/// Calls methods of one endpoint by name with JSON requests and responses, using the descriptors its reflection
/// service returns (loaded once). What import and export use, so they need no compiled-in contracts of the
/// services they drive.
/// </summary>
internal sealed class DynamicClient(Endpoint endpoint, TimeSpan timeout) : IDisposable
{
    private readonly RpcChannel _channel = RpcChannel.ForAddress(endpoint.Address);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private DescriptorSet? _descriptors;

    public Endpoint Endpoint => endpoint;

    public async Task<bool> HasMethodAsync(string method, CancellationToken cancellationToken) =>
        (await DescriptorsAsync(cancellationToken)).FindMethod(method) is not null;

    public async Task<JsonElement> CallAsync(string methodName, object request, CancellationToken cancellationToken)
    {
        var descriptors = await DescriptorsAsync(cancellationToken);
        var method = descriptors.FindMethod(methodName)
            ?? throw new CliException($"{endpoint.Name} does not offer {methodName} (is the service it belongs to running, and does the gateway route it?).");
        var codec = new ProtoJsonCodec(descriptors);
        var json = request as string ?? JsonSerializer.Serialize(request);
        var wire = codec.Encode(method.InputType, json);
        var response = await Commands.RpcCommands.CallUnaryAsync(_channel, method, wire, new CallOptions(endpoint.Headers, DateTime.UtcNow + timeout, cancellationToken));
        return codec.DecodeElement(method.OutputType, response);
    }

    private async Task<DescriptorSet> DescriptorsAsync(CancellationToken cancellationToken)
    {
        if (_descriptors is not null) return _descriptors;
        await _loading.WaitAsync(cancellationToken);
        try
        {
            return _descriptors ??= (await new ReflectionClient(_channel, endpoint, timeout).LoadAsync(cancellationToken)).Descriptors;
        }
        finally
        {
            _loading.Release();
        }
    }

    public void Dispose()
    {
        _channel.Dispose();
        _loading.Dispose();
    }
}

/// <summary>
/// Which endpoint serves a unit's data: the gateway (which routes by the unit in the request), or with
/// <c>--direct</c> the unit's own service as an operator.
/// </summary>
internal sealed class UnitRouting(Target target, bool direct, TimeSpan timeout) : IDisposable
{
    private readonly Dictionary<string, DynamicClient> _clients = new(StringComparer.Ordinal);

    /// <summary>"districts/{id}" → parks-district-{id}; "parks/{id}" → parks-branchparks; anything else by app id.</summary>
    public DynamicClient For(string unit)
    {
        var appId = !direct ? "gateway"
            : unit.StartsWith("districts/", StringComparison.Ordinal) ? "parks-district-" + unit["districts/".Length..]
            : unit.StartsWith("parks/", StringComparison.Ordinal) ? "parks-branchparks"
            : unit;
        lock (_clients)
        {
            if (!_clients.TryGetValue(appId, out var client))
                _clients[appId] = client = new DynamicClient(direct ? target.Service(appId) : target.Gateway(), timeout);
            return client;
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
    }
}
