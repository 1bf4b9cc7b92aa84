using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Parks.Domain;
using Parks.Embedded.V1;
using Parks.Hosting.Events;
using Parks.Hosting.State;
using Parks.Rpc;

namespace Parks.Hosting.Embedded;

/// <summary>
/// The local run's shared state and event broker, served over gRPC (protos/parks/embedded/v1) to the service
/// processes the AppHost starts. One <see cref="InMemoryStateStore"/> and one <see cref="InMemoryEventBroker"/>
/// for the whole run: what one district commits, every service sees, as with one Redis.
/// </summary>
public sealed class EmbeddedBackplane
{
    public EmbeddedBackplane(string key)
    {
        if (key.Length < 32) throw new ArgumentException("The backplane key must be at least 32 characters.", nameof(key));
        Key = key;
    }

    public InMemoryStateStore Store { get; } = new();

    public InMemoryEventBroker Broker { get; } = new();

    internal string Key { get; }

    /// <summary>Serves the backplane on a Parks host (whose domain-error interceptor maps conflicts to ABORTED).</summary>
    public IRpcServerBuilder AddTo(IRpcServerBuilder rpc)
    {
        rpc.Services.Configure<RpcServerOptions>(o => o.Interceptors.Add(new KeyCheck(Key)));
        return rpc
            .AddService(_ => StateStoreService.BindService(new StateStoreImpl(Store)))
            .AddService(_ => EventBrokerService.BindService(new EventBrokerImpl(Broker)));
    }

    /// <summary>Only holders of the run's key may use the backplane (health and reflection stay open).</summary>
    private sealed class KeyCheck(string key) : Interceptor
    {
        private const string Prefix = "/parks.embedded.v1.";
        private readonly byte[] _key = Encoding.UTF8.GetBytes(key);

        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            Demand(context);
            return continuation(request, context);
        }

        public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
        {
            Demand(context);
            return continuation(request, responseStream, context);
        }

        private void Demand(ServerCallContext context)
        {
            if (!context.Method.StartsWith(Prefix, StringComparison.Ordinal)) return;
            var given = context.RequestHeaders.GetValue(EmbeddedBackplaneClient.KeyHeader);
            if (given is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _key))
                throw new RpcException(new Status(StatusCode.PermissionDenied, "The embedded backplane needs the local run's key."));
        }
    }

    private sealed class StateStoreImpl(IStateStore store) : StateStoreService.StateStoreServiceBase
    {
        public override async Task<GetEntriesResponse> GetEntries(GetEntriesRequest request, ServerCallContext context)
        {
            var entries = await Guard(() => store.GetManyAsync(request.Keys, context.CancellationToken));
            var response = new GetEntriesResponse();
            for (var i = 0; i < entries.Count; i++)
            {
                response.Entries.Add(entries[i] is { } e
                    ? new Entry { Key = e.Key, Found = true, Value = Google.Protobuf.ByteString.CopyFrom(e.Value.Span), Version = e.Version }
                    : new Entry { Key = request.Keys[i] });
            }
            return response;
        }

        public override async Task<ScanIndexResponse> ScanIndex(ScanIndexRequest request, ServerCallContext context)
        {
            var members = await Guard(() => store.ScanIndexAsync(request.Index, request.HasAfter ? request.After : null, request.Limit, context.CancellationToken));
            return new ScanIndexResponse { Members = { members } };
        }

        public override async Task<CountIndexResponse> CountIndex(CountIndexRequest request, ServerCallContext context) =>
            new() { Count = await Guard(() => store.CountIndexAsync(request.Index, context.CancellationToken)) };

        public override async Task<RankResponse> Rank(RankRequest request, ServerCallContext context)
        {
            var members = await Guard(() => store.RankAsync(request.Ranking, request.Offset, request.Count, context.CancellationToken));
            return new RankResponse { Members = { members.Select(m => new Parks.Embedded.V1.RankedMember { Member = m.Member, Score = m.Score }) } };
        }

        public override async Task<CommitResponse> Commit(CommitRequest request, ServerCallContext context)
        {
            var result = await Guard(() => store.CommitAsync(EmbeddedStateMapping.ToTransaction(request.Operations), context.CancellationToken));
            var response = new CommitResponse();
            foreach (var (key, version) in result.Versions) response.Versions[key] = version;
            return response;
        }

        public override async Task<PeekQueueResponse> PeekQueue(PeekQueueRequest request, ServerCallContext context)
        {
            var messages = await Guard(() => store.PeekQueueAsync(request.Queue, request.Max, context.CancellationToken));
            return new PeekQueueResponse
            {
                Messages = { messages.Select(m => new Parks.Embedded.V1.QueuedMessage { Id = m.Id, Body = Google.Protobuf.ByteString.CopyFrom(m.Body.Span), Sequence = m.Sequence }) },
            };
        }

        public override async Task<RemoveFromQueueResponse> RemoveFromQueue(RemoveFromQueueRequest request, ServerCallContext context)
        {
            await Guard(async () =>
            {
                await store.RemoveFromQueueAsync(request.Queue, request.Ids, context.CancellationToken);
                return true;
            });
            return new RemoveFromQueueResponse();
        }

        public override async Task<CountQueueResponse> CountQueue(CountQueueRequest request, ServerCallContext context) =>
            new() { Count = await Guard(() => store.CountQueueAsync(request.Queue, context.CancellationToken)) };

        public override Task<PingResponse> Ping(PingRequest request, ServerCallContext context) => Task.FromResult(new PingResponse());

        /// <summary>The store's argument checks become INVALID_ARGUMENT; its conflicts reach the domain-error interceptor as they are.</summary>
        private static async Task<T> Guard<T>(Func<Task<T>> operation)
        {
            try
            {
                return await operation();
            }
            catch (ArgumentException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
            }
        }
    }

    /// <summary>
    /// Consumer groups of the broker, over streams: each subscription holds at most <see cref="MaxUnsettled"/>
    /// messages at a time; a retry goes back to the group after a pause; when a subscription ends, what it held
    /// unsettled goes back at once.
    /// </summary>
    private sealed class EventBrokerImpl(InMemoryEventBroker broker) : EventBrokerService.EventBrokerServiceBase
    {
        private const int MaxUnsettled = 32;
        private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

        private readonly ConcurrentDictionary<string, (InMemoryEventBroker.ConsumerGroup Group, InMemoryMessage Message, SemaphoreSlim Slots)> _unsettled = new(StringComparer.Ordinal);

        public override Task<PublishResponse> Publish(PublishRequest request, ServerCallContext context)
        {
            foreach (var message in request.Messages)
            {
                if (string.IsNullOrEmpty(message.Topic)) throw new ValidationException("messages.topic", "every message needs a topic");
            }
            foreach (var message in request.Messages) broker.Publish(message.Topic, message.CloudEvent.ToByteArray());
            return Task.FromResult(new PublishResponse());
        }

        public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<SubscribeResponse> responseStream, ServerCallContext context)
        {
            if (string.IsNullOrEmpty(request.AppId)) throw new ValidationException("app_id", "the subscriber's app id is required");
            var group = broker.Join(request.AppId, request.Topics);
            using var slots = new SemaphoreSlim(MaxUnsettled, MaxUnsettled);
            var mine = new List<string>();
            try
            {
                while (true)
                {
                    await slots.WaitAsync(context.CancellationToken);
                    var message = await group.Queue.Reader.ReadAsync(context.CancellationToken);
                    var id = Guid.NewGuid().ToString("N");
                    _unsettled[id] = (group, message, slots);
                    lock (mine) mine.Add(id);
                    await responseStream.WriteAsync(new SubscribeResponse
                    {
                        DeliveryId = id,
                        Topic = message.Topic,
                        CloudEvent = Google.Protobuf.ByteString.CopyFrom(message.CloudEvent),
                        Deliveries = message.Deliveries,
                    });
                }
            }
            finally
            {
                lock (mine)
                {
                    foreach (var id in mine)
                    {
                        if (_unsettled.TryRemove(id, out var held)) held.Group.Queue.Writer.TryWrite(held.Message);
                    }
                }
            }
        }

        public override Task<SettleResponse> Settle(SettleRequest request, ServerCallContext context)
        {
            if (request.Disposition == Disposition.Unspecified) throw new ValidationException("disposition", "must be DONE or RETRY");
            // Unknown ids were settled already or went back to the group with their subscription: nothing to do.
            if (_unsettled.TryRemove(request.DeliveryId, out var held))
            {
                try { held.Slots.Release(); } catch (ObjectDisposedException) { }
                if (request.Disposition == Disposition.Retry) _ = RedeliverLaterAsync(held.Group, held.Message with { Deliveries = held.Message.Deliveries + 1 });
            }
            return Task.FromResult(new SettleResponse());
        }

        private static async Task RedeliverLaterAsync(InMemoryEventBroker.ConsumerGroup group, InMemoryMessage message)
        {
            await Task.Delay(RetryDelay);
            group.Queue.Writer.TryWrite(message);
        }
    }
}

/// <summary>Hosts an <see cref="EmbeddedBackplane"/> as a Parks process of its own (the AppHost, tests).</summary>
public static class EmbeddedBackplaneHost
{
    /// <summary>
    /// A host serving the backplane on loopback: gRPC (backplane, health, reflection) on <paramref name="grpcPort"/>,
    /// <c>/metrics</c> and health routes on <paramref name="httpPort"/>.
    /// </summary>
    public static WebApplication Build(EmbeddedBackplane backplane, int grpcPort, int httpPort, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var settings = new Dictionary<string, string?>
        {
            ["Parks:Endpoints:GrpcPort"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Parks:Endpoints:HttpPort"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Parks:Endpoints:BindAddress"] = "127.0.0.1",
            ["Parks:Hosting:LogFormat"] = "simple",
            ["Parks:Security:InternalKey"] = backplane.Key,
            ["Parks:Service:AppId"] = "parks-apphost",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        builder.Configuration.AddInMemoryCollection(settings);
        configure?.Invoke(builder);
        backplane.AddTo(builder.AddParksDefaults("apphost"));
        var app = builder.Build();
        app.MapParksDefaults();
        return app;
    }
}
