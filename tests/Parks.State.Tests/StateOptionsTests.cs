using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Parks.Hosting.State;
using Parks.Testing;

namespace Parks.State.Tests;

[Collection(RedisServerFixture.Collection)]
public sealed class StateOptionsTests(RedisServerFixture redis)
{
    private static ServiceProvider Build(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return new ServiceCollection().AddLogging().AddParksState(configuration).BuildServiceProvider();
    }

    private static string ValidationMessage(params (string Key, string? Value)[] settings)
    {
        using var services = Build(settings);
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<StateOptions>>().Value);
        return error.Message;
    }

    [Fact]
    public void Without_configuration_the_store_is_in_memory()
    {
        using var services = Build();
        Assert.IsType<InMemoryStateStore>(services.GetRequiredService<IStateStore>());
    }

    [Fact]
    public async Task The_in_memory_provider_is_one_store_per_process()
    {
        using var first = Build(("Parks:State:Provider", "InMemory"));
        using var second = Build();
        var key = TestIds.New("shared");

        await first.GetRequiredService<IStateStore>().CommitAsync(new StateTransaction().Put(key, "x"u8.ToArray(), 0));

        Assert.NotNull(await second.GetRequiredService<IStateStore>().GetAsync(key));
    }

    [Fact]
    public async Task The_redis_provider_uses_the_configured_server()
    {
        await using var services = Build(("Parks:State:Provider", "Redis"), ("Parks:State:Redis", redis.ConnectionString));
        var store = Assert.IsType<RedisStateStore>(services.GetRequiredService<IStateStore>());
        Assert.True(await store.PingAsync());
    }

    [Fact]
    public void An_unknown_provider_is_named_with_its_key()
    {
        var message = ValidationMessage(("Parks:State:Provider", "Memcached"));
        Assert.Contains("Parks:State:Provider must be 'InMemory', 'Redis' or 'Embedded' (got 'Memcached')", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_without_a_connection_string_is_refused()
    {
        var message = ValidationMessage(("Parks:State:Provider", "Redis"));
        Assert.Contains("Parks:State:Redis is required when Parks:State:Provider is 'Redis'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_connection_string_is_refused()
    {
        var message = ValidationMessage(("Parks:State:Provider", "Redis"), ("Parks:State:Redis", "localhost:6379,bogusOption=1"));
        Assert.Contains("Parks:State:Redis is not a valid StackExchange.Redis configuration string", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_positive_timeout_is_refused()
    {
        var message = ValidationMessage(("Parks:State:OperationTimeout", "00:00:00"));
        Assert.Contains("Parks:State:OperationTimeout must be between", message, StringComparison.Ordinal);
    }
}
