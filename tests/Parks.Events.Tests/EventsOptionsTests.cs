using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Parks.Hosting.Events;
using Parks.Hosting.State;

namespace Parks.Events.Tests;

public sealed class EventsOptionsTests
{
    private static EventsOptions Resolve(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.GroupBy(s => s.Key).Select(g => new KeyValuePair<string, string?>(g.Key, g.Last().Value)))
            .Build();
        var services = new ServiceCollection().AddLogging().AddParksState(configuration);
        services.AddParksEvents(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<EventsOptions>>().Value;
    }

    private static string Failure(params (string Key, string? Value)[] settings) =>
        Assert.Throws<OptionsValidationException>(() => Resolve(settings)).Message;

    [Fact]
    public void Dapr_defaults_come_from_the_variables_the_sidecar_injects()
    {
        var options = Resolve(("APP_ID", "parks-finance"), ("DAPR_HTTP_PORT", "3600"), ("DAPR_API_TOKEN", "t1"), ("APP_API_TOKEN", "t2"),
            ("Parks:Events:Provider", "Dapr"));

        Assert.Equal("parks-finance", options.AppId);
        Assert.Equal("http://127.0.0.1:3600", options.Dapr.HttpEndpoint);
        Assert.Equal("t1", options.Dapr.ApiToken);
        Assert.Equal("t2", options.Dapr.AppApiToken);
        Assert.Equal("pubsub", options.Dapr.PubSubName);
    }

    [Fact]
    public void The_redis_transport_defaults_to_the_state_stores_redis()
    {
        var options = Resolve(("Parks:Events:AppId", "parks-talent"), ("Parks:Events:Provider", "Redis"), ("Parks:State:Redis", "redis:6379"));
        Assert.Equal("redis:6379", options.Redis.ConnectionString);
    }

    [Theory]
    [InlineData("Parks:Events:Provider", "Kafka", "Parks:Events:Provider must be 'InMemory', 'Redis', 'Dapr' or 'Embedded' (got 'Kafka')")]
    [InlineData("Parks:Events:AppId", "Parks_Finance", "Parks:Events:AppId must be lower-case letters, digits and '-'")]
    [InlineData("Parks:Events:MaxAttempts", "0", "Parks:Events:MaxAttempts must be between 1 and 100 (got 0)")]
    [InlineData("Parks:Events:ProcessingTimeout", "-00:00:01", "Parks:Events:ProcessingTimeout must be positive")]
    public void Bad_values_are_refused_with_their_key(string key, string value, string message)
    {
        var failure = Failure(("Parks:Events:AppId", "parks-test"), (key, value));
        Assert.Contains(message, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void An_app_id_is_required()
    {
        Assert.Contains("Parks:Events:AppId is required (or APP_ID)", Failure(), StringComparison.Ordinal);
    }

    [Fact]
    public void Provider_specific_settings_are_checked()
    {
        Assert.Contains("Parks:Events:Redis:ConnectionString (or Parks:State:Redis) is required",
            Failure(("Parks:Events:AppId", "a"), ("Parks:Events:Provider", "Redis")), StringComparison.Ordinal);
        Assert.Contains("Parks:Events:Dapr:HttpEndpoint must be an absolute http(s) URL (got 'localhost:3500')",
            Failure(("Parks:Events:AppId", "a"), ("Parks:Events:Provider", "Dapr"), ("Parks:Events:Dapr:HttpEndpoint", "localhost:3500")),
            StringComparison.Ordinal);
    }
}
