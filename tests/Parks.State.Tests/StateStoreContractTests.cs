using Parks.Hosting.State;
using Parks.Testing;

namespace Parks.State.Tests;

[CollectionDefinition(RedisServerFixture.Collection)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>;

public sealed class InMemoryStateStoreTests : StateStoreContract
{
    private static readonly InMemoryStateStore Shared = new();

    protected override IStateStore Store => Shared;

    protected override IStateStore CreateWithListener(IStateCommitListener listener) => Shared.WithListeners([listener]);
}

[Collection(RedisServerFixture.Collection)]
public sealed class RedisStateStoreTests(RedisServerFixture redis) : StateStoreContract, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly RedisStateStore _store = new(redis.ConnectionString, Timeout);
    private RedisStateStore? _listened;

    protected override IStateStore Store => _store;

    protected override IStateStore CreateWithListener(IStateCommitListener listener) =>
        _listened = new RedisStateStore(redis.ConnectionString, Timeout, listeners: [listener]);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        if (_listened is not null) await _listened.DisposeAsync();
    }
}
