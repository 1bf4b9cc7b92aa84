using Google.Protobuf;
using Parks.Domain;
using Parks.Embedded.V1;
using Parks.Hosting.Rpc;
using Parks.Hosting.State;
using Parks.Rpc;

namespace Parks.Hosting.Embedded;

/// <summary>
/// <see cref="IStateStore"/> of a service in the local run: every operation, commits included, is done by the
/// AppHost's one in-memory store, so separate service processes share state as they would share Redis. A
/// stale commit comes back as the same <see cref="ConcurrencyException"/> the store threw; an unreachable
/// backplane as <see cref="StateStoreUnavailableException"/>.
/// </summary>
internal sealed class RemoteStateStore(EmbeddedBackplaneClient backplane, IEnumerable<IStateCommitListener> listeners) : IStateStore
{
    private readonly StateStoreService.StateStoreServiceClient _client = new(backplane.Channel);
    private readonly IReadOnlyList<IStateCommitListener> _listeners = [.. listeners];

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return (await GetManyAsync([key], cancellationToken))[0];
    }

    public async Task<IReadOnlyList<StateEntry?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0) return [];
        var request = new GetEntriesRequest();
        request.Keys.AddRange(keys);
        var response = await CallAsync(() => _client.GetEntriesAsync(request, backplane.Options(cancellationToken)), cancellationToken);
        return [.. response.Entries.Select(e => e.Found ? new StateEntry(e.Key, e.Value.Memory, e.Version) : null)];
    }

    public async Task<IReadOnlyList<string>> ScanIndexAsync(string index, string? after, int limit, CancellationToken cancellationToken = default)
    {
        var request = new ScanIndexRequest { Index = index, Limit = limit };
        if (after is not null) request.After = after;
        var response = await CallAsync(() => _client.ScanIndexAsync(request, backplane.Options(cancellationToken)), cancellationToken);
        return [.. response.Members];
    }

    public async Task<long> CountIndexAsync(string index, CancellationToken cancellationToken = default) =>
        (await CallAsync(() => _client.CountIndexAsync(new CountIndexRequest { Index = index }, backplane.Options(cancellationToken)), cancellationToken)).Count;

    public async Task<IReadOnlyList<State.RankedMember>> RankAsync(string ranking, int offset, int count, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync(() => _client.RankAsync(new RankRequest { Ranking = ranking, Offset = offset, Count = count }, backplane.Options(cancellationToken)), cancellationToken);
        return [.. response.Members.Select(m => new State.RankedMember(m.Member, m.Score))];
    }

    public async Task<CommitResult> CommitAsync(StateTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (transaction.IsEmpty) return new CommitResult(new Dictionary<string, long>());
        var request = new CommitRequest();
        request.Operations.AddRange(transaction.Operations.Select(EmbeddedStateMapping.ToProto));
        CommitResponse response;
        try
        {
            response = await CallAsync(() => _client.CommitAsync(request, backplane.Options(cancellationToken)), cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == Parks.Rpc.StatusCode.Aborted)
        {
            var resource = e.GetRpcStatus()?.Details
                .Where(d => d.Is(Google.Rpc.ErrorInfo.Descriptor))
                .Select(d => d.Unpack<Google.Rpc.ErrorInfo>())
                .Select(i => i.Metadata.TryGetValue("resource", out var r) ? r : null)
                .FirstOrDefault(r => r is not null) ?? string.Empty;
            throw new ConcurrencyException(resource, e.Status.Detail);
        }
        foreach (var listener in _listeners) listener.Committed(transaction);
        return new CommitResult(new Dictionary<string, long>(response.Versions, StringComparer.Ordinal));
    }

    public async Task<IReadOnlyList<State.QueuedMessage>> PeekQueueAsync(string queue, int max, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync(() => _client.PeekQueueAsync(new PeekQueueRequest { Queue = queue, Max = max }, backplane.Options(cancellationToken)), cancellationToken);
        return [.. response.Messages.Select(m => new State.QueuedMessage(m.Id, m.Body.Memory, m.Sequence))];
    }

    public async Task RemoveFromQueueAsync(string queue, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0) return;
        var request = new RemoveFromQueueRequest { Queue = queue };
        request.Ids.AddRange(ids);
        await CallAsync(() => _client.RemoveFromQueueAsync(request, backplane.Options(cancellationToken)), cancellationToken);
    }

    public async Task<long> CountQueueAsync(string queue, CancellationToken cancellationToken = default) =>
        (await CallAsync(() => _client.CountQueueAsync(new CountQueueRequest { Queue = queue }, backplane.Options(cancellationToken)), cancellationToken)).Count;

    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await CallAsync(() => _client.PingAsync(new PingRequest(), backplane.Options(cancellationToken)), cancellationToken);
            return true;
        }
        catch (StateStoreUnavailableException)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs a call, turning "cannot reach the backplane" into the store's unavailable exception, and a call the
    /// caller cancelled into the OperationCanceledException every store throws then.
    /// </summary>
    private static async Task<T> CallAsync<T>(Func<AsyncUnaryCall<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (RpcException e) when (e.StatusCode == Parks.Rpc.StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            // A host stopping cancels its background loops' calls: that is their stop signal, not a store failure.
            throw new OperationCanceledException(e.Status.Detail, e, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is Parks.Rpc.StatusCode.Unavailable or Parks.Rpc.StatusCode.DeadlineExceeded)
        {
            throw new StateStoreUnavailableException($"The local run's embedded state store is unavailable: {e.Status.Detail}", e);
        }
        catch (RpcException e) when (e.StatusCode == Parks.Rpc.StatusCode.InvalidArgument)
        {
            // The store rejected an argument (an empty key): the same exception the store itself throws.
            throw new ArgumentException(e.Status.Detail, e);
        }
    }
}

/// <summary>State operations to and from their protobuf form.</summary>
internal static class EmbeddedStateMapping
{
    public static Operation ToProto(StateOperation operation) => operation switch
    {
        StateOperation.Put p => new Operation { Put = Put(p) },
        StateOperation.Delete d => new Operation { Delete = d.ExpectedVersion is { } v ? new Delete { Key = d.Key, ExpectedVersion = v } : new Delete { Key = d.Key } },
        StateOperation.Require r => new Operation { Require = new Require { Key = r.Key, ExpectedVersion = r.ExpectedVersion } },
        StateOperation.IndexAdd a => new Operation { IndexAdd = new IndexAdd { Index = a.Index, Member = a.Member } },
        StateOperation.IndexRemove r => new Operation { IndexRemove = new IndexRemove { Index = r.Index, Member = r.Member } },
        StateOperation.ScoreSet s => new Operation { ScoreSet = new ScoreSet { Ranking = s.Ranking, Member = s.Member, Score = s.Score } },
        StateOperation.ScoreRemove s => new Operation { ScoreRemove = new ScoreRemove { Ranking = s.Ranking, Member = s.Member } },
        StateOperation.QueueAppend q => new Operation { QueueAppend = new QueueAppend { Queue = q.Queue, Id = q.Id, Body = ByteString.CopyFrom(q.Body.Span) } },
        _ => throw new ArgumentException($"Unknown state operation {operation.GetType().Name}.", nameof(operation)),
    };

    /// <summary>Rebuilds the transaction; the transaction's own checks reject bad operations as the store would.</summary>
    public static StateTransaction ToTransaction(IEnumerable<Operation> operations)
    {
        var transaction = new StateTransaction();
        foreach (var operation in operations)
        {
            switch (operation.KindCase)
            {
                case Operation.KindOneofCase.Put:
                    var p = operation.Put;
                    long? expected = p.HasExpectedVersion ? p.ExpectedVersion : null;
                    if (p.HasTimeToLiveMs) transaction.Put(p.Key, p.Value.Memory, expected, TimeSpan.FromMilliseconds(p.TimeToLiveMs));
                    else transaction.Put(p.Key, p.Value.Memory, expected);
                    break;
                case Operation.KindOneofCase.Delete:
                    transaction.Delete(operation.Delete.Key, operation.Delete.HasExpectedVersion ? operation.Delete.ExpectedVersion : null);
                    break;
                case Operation.KindOneofCase.Require:
                    transaction.Require(operation.Require.Key, operation.Require.ExpectedVersion);
                    break;
                case Operation.KindOneofCase.IndexAdd:
                    transaction.AddToIndex(operation.IndexAdd.Index, operation.IndexAdd.Member);
                    break;
                case Operation.KindOneofCase.IndexRemove:
                    transaction.RemoveFromIndex(operation.IndexRemove.Index, operation.IndexRemove.Member);
                    break;
                case Operation.KindOneofCase.ScoreSet:
                    transaction.SetScore(operation.ScoreSet.Ranking, operation.ScoreSet.Member, operation.ScoreSet.Score);
                    break;
                case Operation.KindOneofCase.ScoreRemove:
                    transaction.RemoveScore(operation.ScoreRemove.Ranking, operation.ScoreRemove.Member);
                    break;
                case Operation.KindOneofCase.QueueAppend:
                    transaction.Enqueue(operation.QueueAppend.Queue, operation.QueueAppend.Id, operation.QueueAppend.Body.Memory);
                    break;
                default:
                    throw new ArgumentException("A commit operation names no kind.");
            }
        }
        return transaction;
    }

    private static Put Put(StateOperation.Put p)
    {
        var put = new Put { Key = p.Key, Value = ByteString.CopyFrom(p.Value.Span) };
        if (p.ExpectedVersion is { } v) put.ExpectedVersion = v;
        if (p.TimeToLive is { } ttl) put.TimeToLiveMs = Math.Max(1, (long)ttl.TotalMilliseconds);
        return put;
    }
}
