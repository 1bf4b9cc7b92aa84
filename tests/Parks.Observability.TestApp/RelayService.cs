using Grpc.Health.V1;
using Microsoft.Extensions.Options;
using Parks.Rpc;

namespace Parks.Observability.TestApp;

internal sealed class RelayOptions
{
    public const string Section = "Relay";

    /// <summary>The gRPC address whose health check the relay calls; empty to answer itself.</summary>
    public string? Downstream { get; set; }
}

/// <summary>
/// <c>parks.testing.Relay/Check</c>: answers a health check by asking the downstream server (or itself when there
/// is none), logging one line on the way so the tests can read the trace id from the JSON log.
/// </summary>
internal sealed partial class RelayService(IOptions<RelayOptions> options, ILogger<RelayService> logger) : IRpcService, IDisposable
{
    public const string ServiceName = "parks.testing.Relay";

    public static readonly Method<HealthCheckRequest, HealthCheckResponse> CheckMethod =
        new(MethodType.Unary, ServiceName, "Check", HealthCheckRequest.Parser, HealthCheckResponse.Parser);

    private readonly RpcChannel? _downstream = string.IsNullOrEmpty(options.Value.Downstream) ? null : RpcChannel.ForAddress(options.Value.Downstream);

    public ServerServiceDefinition BindService() =>
        ServerServiceDefinition.CreateBuilder(ServiceName).AddMethod(CheckMethod, CheckAsync).Build();

    private async Task<HealthCheckResponse> CheckAsync(HealthCheckRequest request, ServerCallContext context)
    {
        if (_downstream is null) return new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving };
        Relaying(logger, _downstream.Address.ToString());
        var client = new Health.HealthClient(_downstream);
        return await client.CheckAsync(request, new CallOptions().PropagateFrom(context));
    }

    public void Dispose() => _downstream?.Dispose();

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Relaying the health check to {Downstream}.")]
    private static partial void Relaying(ILogger logger, string downstream);
}
