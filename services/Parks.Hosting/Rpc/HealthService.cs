using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Health.V1;
using Parks.Rpc;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Parks.Hosting.Rpc;

/// <summary>
/// Serving status per health-check service name. "" is the whole server, <see cref="Readiness"/> is whether
/// the process should receive traffic (its dependencies answer), and every hosted gRPC service has its own
/// entry. Kubernetes probes read these through grpc.health.v1.Health.
/// </summary>
public sealed class HealthRegistry
{
    /// <summary>The health-check service name for readiness (Kubernetes readinessProbe grpc.service).</summary>
    public const string Readiness = "readiness";

    private readonly ConcurrentDictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<ServingStatus>, string> _watchers = new();

    public HealthRegistry()
    {
        _statuses[string.Empty] = ServingStatus.Serving;
        _statuses[Readiness] = ServingStatus.NotServing;
    }

    public IReadOnlyDictionary<string, ServingStatus> Statuses => _statuses;

    public bool TryGet(string service, out ServingStatus status) => _statuses.TryGetValue(service, out status);

    public void SetStatus(string service, ServingStatus status)
    {
        var previous = _statuses.TryGetValue(service, out var p) ? p : (ServingStatus?)null;
        _statuses[service] = status;
        if (previous == status) return;
        foreach (var (channel, name) in _watchers)
        {
            if (name == service) channel.Writer.TryWrite(status);
        }
    }

    /// <summary>
    /// The server is draining: readiness and every service turn NOT_SERVING so no new calls are routed here,
    /// while "" (liveness) stays SERVING so the kubelet does not restart a pod that is shutting down cleanly.
    /// </summary>
    public void SetDraining()
    {
        foreach (var service in _statuses.Keys)
        {
            if (service.Length > 0) SetStatus(service, ServingStatus.NotServing);
        }
    }

    internal Channel<ServingStatus> Watch(string service)
    {
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.DropOldest });
        _watchers[channel] = service;
        return channel;
    }

    internal void Unwatch(Channel<ServingStatus> channel) => _watchers.TryRemove(channel, out _);
}

/// <summary>The standard grpc.health.v1.Health service (doc/health-checking.md).</summary>
public sealed class HealthService(HealthRegistry registry) : Health.HealthBase
{
    private const int MaxListedServices = 100;

    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        if (!registry.TryGet(request.Service, out var status))
            throw new RpcException(new Parks.Rpc.Status(Parks.Rpc.StatusCode.NotFound, $"Unknown service '{request.Service}'."));
        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    public override Task<HealthListResponse> List(HealthListRequest request, ServerCallContext context)
    {
        var statuses = registry.Statuses;
        if (statuses.Count > MaxListedServices)
            throw new RpcException(new Parks.Rpc.Status(Parks.Rpc.StatusCode.ResourceExhausted, $"More than {MaxListedServices} services."));
        var response = new HealthListResponse();
        foreach (var (name, status) in statuses) response.Statuses[name] = new HealthCheckResponse { Status = status };
        return Task.FromResult(response);
    }

    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        var channel = registry.Watch(request.Service);
        try
        {
            var current = registry.TryGet(request.Service, out var s) ? s : ServingStatus.ServiceUnknown;
            await responseStream.WriteAsync(new HealthCheckResponse { Status = current });
            var last = current;
            while (await channel.Reader.WaitToReadAsync(context.CancellationToken))
            {
                while (channel.Reader.TryRead(out var next))
                {
                    if (next == last) continue;
                    last = next;
                    await responseStream.WriteAsync(new HealthCheckResponse { Status = next });
                }
            }
        }
        finally
        {
            registry.Unwatch(channel);
        }
    }
}
