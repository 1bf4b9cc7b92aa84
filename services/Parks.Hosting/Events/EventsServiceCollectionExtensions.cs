using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Parks.Hosting.State;

namespace Parks.Hosting.Events;

/// <summary>Registers the handlers of the events an app consumes.</summary>
public interface IParksEventsBuilder
{
    IServiceCollection Services { get; }

    /// <summary>
    /// Subscribes this app to <typeparamref name="TEvent"/>'s topic and handles it with <typeparamref name="THandler"/>
    /// (scoped). <paramref name="name"/> keys the handler's inbox (default: the handler's class name); keep it
    /// stable, or already handled events look new to it.
    /// </summary>
    IParksEventsBuilder AddHandler<TEvent, THandler>(string? name = null)
        where TEvent : IMessage<TEvent>, new()
        where THandler : class, IEventHandler<TEvent>;
}

public static class EventsServiceCollectionExtensions
{
    /// <summary>
    /// The event bus as configured under <c>Parks:Events</c> (validated at start-up): <see cref="IEventOutbox"/> to
    /// publish with state changes, the outbox relay, the transport and consumer of the chosen provider, the inbox,
    /// and <see cref="IDeadLetters"/>. Needs <c>AddParksState</c>. With Dapr, call
    /// <see cref="DaprSubscriptionEndpoints.MapParksEvents"/> on the app.
    /// </summary>
    public static IParksEventsBuilder AddParksEvents(this IHostApplicationBuilder builder) =>
        builder.Services.AddParksEvents(builder.Configuration);

    /// <summary>
    /// The app id (outbox queue, consumer group, Dapr app-id) when neither <c>Parks:Events:AppId</c> nor Dapr's
    /// <c>APP_ID</c> sets one: the conventional name (docs/architecture.md, "Names") for local runs and tests.
    /// </summary>
    public static void SetDefaultEventsAppId(this IConfiguration configuration, string appId)
    {
        if (string.IsNullOrEmpty(configuration[$"{EventsOptions.SectionName}:AppId"]) && string.IsNullOrEmpty(configuration["APP_ID"]))
            configuration[$"{EventsOptions.SectionName}:AppId"] = appId;
    }

    public static IParksEventsBuilder AddParksEvents(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EventsOptions>()
            .Bind(configuration.GetSection(EventsOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<EventsOptions>>(new EventsOptionsSetup(configuration)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventsOptions>, EventsOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<EventsTelemetry>();
        services.TryAddSingleton<Operations.EventTap>();
        services.TryAddSingleton<EventHandlerRegistry>();
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStateCommitListener, OutboxSignal>(sp => sp.GetRequiredService<OutboxSignal>()));
        services.TryAddSingleton<EventOutbox>();
        services.TryAddSingleton<IEventOutbox>(sp => sp.GetRequiredService<EventOutbox>());
        services.TryAddSingleton<EventDispatcher>();
        services.TryAddSingleton<DeadLetterStore>();
        services.TryAddSingleton<IDeadLetters>(sp => sp.GetRequiredService<DeadLetterStore>());
        services.TryAddSingleton<EventDelivery>();

        services.TryAddSingleton(_ => InMemoryEventBroker.Shared);
        services.TryAddSingleton<RedisStreams>();
        services.AddHttpClient(DaprEventTransport.HttpClientName, (sp, client) =>
        {
            client.BaseAddress = new Uri(sp.GetRequiredService<IOptions<EventsOptions>>().Value.Dapr.HttpEndpoint);
            client.Timeout = TimeSpan.FromSeconds(30);
        });
        Embedded.EmbeddedRegistration.AddBackplaneClient(services, configuration);
        services.TryAddSingleton<IEventTransport>(sp =>
            sp.GetRequiredService<IOptions<EventsOptions>>().Value.Provider switch
            {
                EventsOptions.DaprProvider => ActivatorUtilities.CreateInstance<DaprEventTransport>(sp),
                EventsOptions.RedisProvider => ActivatorUtilities.CreateInstance<RedisStreamsTransport>(sp),
                EventsOptions.EmbeddedProvider => ActivatorUtilities.CreateInstance<Embedded.EmbeddedEventTransport>(sp),
                _ => ActivatorUtilities.CreateInstance<InMemoryEventTransport>(sp),
            });

        services.AddHostedService<OutboxRelay>();
        // The consumer of the configured provider; with Dapr the sidecar delivers through MapParksEvents' routes.
        services.AddHostedService<EventConsumerHost>();
        return new ParksEventsBuilder(services);
    }

    private sealed class ParksEventsBuilder(IServiceCollection services) : IParksEventsBuilder
    {
        public IServiceCollection Services { get; } = services;

        public IParksEventsBuilder AddHandler<TEvent, THandler>(string? name = null)
            where TEvent : IMessage<TEvent>, new()
            where THandler : class, IEventHandler<TEvent>
        {
            Services.TryAddScoped<THandler>();
            Services.AddSingleton(HandlerRegistration.Create<TEvent, THandler>(name ?? typeof(THandler).Name));
            return this;
        }
    }

    /// <summary>Runs the consumer of the configured provider (none for Dapr).</summary>
    private sealed class EventConsumerHost(IServiceProvider services, IOptions<EventsOptions> options) : IHostedService
    {
        private readonly IHostedService? _consumer = options.Value.Provider switch
        {
            EventsOptions.RedisProvider => ActivatorUtilities.CreateInstance<RedisStreamsConsumer>(services),
            EventsOptions.InMemoryProvider => ActivatorUtilities.CreateInstance<InMemoryEventConsumer>(services),
            EventsOptions.EmbeddedProvider => ActivatorUtilities.CreateInstance<Embedded.EmbeddedEventConsumer>(services),
            _ => null,
        };

        public Task StartAsync(CancellationToken cancellationToken) => _consumer?.StartAsync(cancellationToken) ?? Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => _consumer?.StopAsync(cancellationToken) ?? Task.CompletedTask;
    }
}
