using Parks.Hosting.State;

// Linked into the Science City, Talent and Finance test projects.
namespace Parks.Testing.Shared;

/// <summary>xunit finds collection definitions only in the test assembly itself, so each project links this one.</summary>
[CollectionDefinition(RedisServerFixture.Collection)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>;

/// <summary>
/// The store a store-test class runs against: a fresh in-memory store per test, or the collection's real
/// redis-server (tests there run one after another and own their data through unique ids).
/// </summary>
public abstract class StoreTestBase : IDisposable
{
    protected StoreTestBase(IStateStore store) => Store = store;

    protected IStateStore Store { get; }

    public void Dispose()
    {
        (Store as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static IStateStore Redis(RedisServerFixture redis) => new RedisStateStore(redis.ConnectionString, TimeSpan.FromSeconds(10));
}

/// <summary>A clock tests set: domain rules compare dates with "now" (windows, due times, budget years).</summary>
internal sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
