using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Parks.Domain;
using Parks.Hosting.Embedded;
using Parks.Hosting.State;
using Parks.Rpc;
using Parks.Testing;

namespace Parks.State.Tests;

/// <summary>The local run's backplane (one in-memory store in the AppHost) served over gRPC.</summary>
public sealed class EmbeddedBackplaneFixture : IAsyncLifetime
{
    public const string Key = "state-tests-backplane-key-0123456789abcdef";

    private WebApplication? _host;

    public string Address { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var grpcPort = FreeTcpPort.Next();
        _host = EmbeddedBackplaneHost.Build(new EmbeddedBackplane(Key), grpcPort, FreeTcpPort.Next());
        await _host.StartAsync();
        Address = $"http://127.0.0.1:{grpcPort}";
    }

    /// <summary>A client store as a service process builds it from its configuration.</summary>
    public IStateStore Connect(string? address = null, string key = Key, IStateCommitListener? listener = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Parks:State:Provider"] = "Embedded",
            ["Parks:Embedded:Address"] = address ?? Address,
            ["Parks:Embedded:OperationTimeout"] = "00:00:05",
            ["Parks:Security:InternalKey"] = key,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        if (listener is not null) services.AddSingleton(listener);
        services.AddParksState(configuration);
        return services.BuildServiceProvider().GetRequiredService<IStateStore>();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}

public sealed class EmbeddedStateStoreTests(EmbeddedBackplaneFixture backplane) : StateStoreContract, IClassFixture<EmbeddedBackplaneFixture>
{
    private readonly IStateStore _store = backplane.Connect();

    protected override IStateStore Store => _store;

    protected override IStateStore CreateWithListener(IStateCommitListener listener) => backplane.Connect(listener: listener);

    [Fact]
    public async Task Two_clients_share_one_store_and_a_stale_commit_from_either_is_a_conflict_naming_the_key()
    {
        var key = TestIds.New("shared") + ":registry";
        var first = backplane.Connect();
        var second = backplane.Connect();
        await first.CommitAsync(new StateTransaction().Put(key, Encoding.UTF8.GetBytes("lingshui"), expectedVersion: 0));

        var conflict = await Assert.ThrowsAsync<ConcurrencyException>(() =>
            second.CommitAsync(new StateTransaction().Put(key, Encoding.UTF8.GetBytes("longtou"), expectedVersion: 0)));

        Assert.Equal(key, conflict.ResourceName);
        Assert.Contains("already exists", conflict.Message, StringComparison.Ordinal);
        Assert.Equal("lingshui", Encoding.UTF8.GetString((await second.GetAsync(key))!.Value.Span));
    }

    [Fact]
    public async Task A_call_the_caller_cancelled_ends_in_OperationCanceledException_as_with_every_store()
    {
        // Background loops (the outbox relay) stop on this exception when their host stops, without logging a failure.
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.PeekQueueAsync(TestIds.New("queue"), 10, cancelled.Token));

        Assert.Equal(cancelled.Token, e.CancellationToken);
    }

    [Fact]
    public async Task An_unreachable_backplane_is_unavailable_and_a_ping_says_so()
    {
        var store = backplane.Connect(address: $"http://127.0.0.1:{FreeTcpPort.Next()}");

        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.GetAsync("parks:test:any"));
        Assert.False(await store.PingAsync());
    }

    [Fact]
    public async Task A_client_without_the_runs_key_is_refused()
    {
        var store = backplane.Connect(key: "not-the-key-of-this-run-0123456789abcdef");

        var refused = await Assert.ThrowsAsync<RpcException>(() => store.GetAsync("parks:test:any"));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }
}
