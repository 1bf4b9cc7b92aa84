using Xunit;

namespace Parks.Testing;

/// <summary>
/// One redis-server shared by the test classes of a collection; each test isolates itself with unique key
/// prefixes (<see cref="TestIds"/>). xunit only finds collection definitions in the test assembly, so a test
/// project declares:
/// <code>
/// [CollectionDefinition(RedisServerFixture.Collection)]
/// public sealed class RedisCollection : ICollectionFixture&lt;RedisServerFixture&gt;;
/// </code>
/// and marks its classes <c>[Collection(RedisServerFixture.Collection)]</c>.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public const string Collection = "redis-server";

    private RedisServer? _server;

    public RedisServer Server => _server ?? throw new InvalidOperationException("the fixture is not initialized");

    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() => _server = await RedisServer.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
