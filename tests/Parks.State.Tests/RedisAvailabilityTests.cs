using System.Text;
using Parks.Hosting.State;
using Parks.Testing;

namespace Parks.State.Tests;

/// <summary>
/// What the Redis store does when Redis goes away, stalls or restarts. Each test owns its redis-server because
/// it stops or freezes it.
/// </summary>
public sealed class RedisAvailabilityTests
{
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(500);

    // The first connect and the first commit of a process include JIT warm-up and loading the commit script, and can
    // exceed the short timeout these tests use on a busy machine: both are done (and retried, each commit on a fresh
    // key) before the test's own calls.
    private static async Task<RedisStateStore> ConnectedStoreAsync(RedisServer server, TimeSpan? timeout = null)
    {
        var store = new RedisStateStore(server.ConnectionString, timeout ?? ShortTimeout);
        await Eventually.WaitUntilAsync(() => store.PingAsync(), "the store to connect");
        await Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                await store.CommitAsync(new StateTransaction().Put(TestIds.New("warm-up"), "x"u8.ToArray(), 0));
                return true;
            }
            catch (StateStoreUnavailableException)
            {
                return false;
            }
        }, "a first commit");
        return store;
    }

    [Fact]
    public async Task A_stopped_server_is_unavailable_and_the_store_reconnects_when_it_returns()
    {
        await using var server = await RedisServer.StartNewAsync(new RedisServerOptions { AppendOnly = true, AppendFsync = "always" });
        // A stopped server refuses connections at once, so this test needs no short timeout; a longer one keeps a
        // busy machine's slow fsync from failing the writes made while the server is up.
        await using var store = await ConnectedStoreAsync(server, TimeSpan.FromSeconds(5));
        var key = TestIds.New("avail");
        await store.CommitAsync(new StateTransaction().Put(key, "before"u8.ToArray(), 0));

        await server.StopAsync();

        Assert.False(await store.PingAsync());
        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.GetAsync(key));
        await Assert.ThrowsAsync<StateStoreUnavailableException>(
            () => store.CommitAsync(new StateTransaction().Put(key, "during"u8.ToArray(), 1)));

        await server.StartAsync();
        await Eventually.WaitUntilAsync(() => store.PingAsync(), "the store to reconnect after the restart");

        // The restarted server has an empty script cache: commits must still work.
        var result = await store.CommitAsync(new StateTransaction().Put(key, "after"u8.ToArray(), 1));
        Assert.Equal(2, result.Versions[key]);
        Assert.Equal("after", Encoding.UTF8.GetString((await store.GetAsync(key))!.Value.Span));
    }

    [Fact]
    public async Task A_frozen_server_makes_calls_fail_as_unavailable_instead_of_hanging()
    {
        await using var server = await RedisServer.StartNewAsync();
        await using var store = await ConnectedStoreAsync(server);
        var key = TestIds.New("stall");
        await store.CommitAsync(new StateTransaction().Put(key, "x"u8.ToArray(), 0));

        server.Pause();
        try
        {
            await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.GetAsync(key));
            await Assert.ThrowsAsync<StateStoreUnavailableException>(
                () => store.CommitAsync(new StateTransaction().Put(key, "y"u8.ToArray(), 1)));
            Assert.False(await store.PingAsync());
        }
        finally
        {
            server.Resume();
        }

        await Eventually.WaitUntilAsync(() => store.PingAsync(), "the store to answer after the server resumes");
        Assert.NotNull(await store.GetAsync(key));
    }

    [Fact]
    public async Task A_store_created_while_redis_is_down_connects_once_it_is_up()
    {
        await using var server = await RedisServer.StartNewAsync();
        await server.StopAsync();
        await using var store = new RedisStateStore(server.ConnectionString, ShortTimeout);

        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.GetAsync("parks:test:nothing"));

        await server.StartAsync();
        await Eventually.WaitUntilAsync(() => store.PingAsync(), "the store to connect once Redis is up");
        Assert.Null(await store.GetAsync("parks:test:nothing"));
    }

    [Fact]
    public async Task Cancellation_is_honoured_even_though_the_client_takes_no_token()
    {
        await using var server = await RedisServer.StartNewAsync();
        await using var store = new RedisStateStore(server.ConnectionString, TimeSpan.FromSeconds(30));
        await store.PingAsync();
        server.Pause();
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetAsync("parks:test:any", cancel.Token));
        }
        finally
        {
            server.Resume();
        }
    }
}
