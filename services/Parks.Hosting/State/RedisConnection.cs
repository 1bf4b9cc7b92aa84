using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Parks.Hosting.State;

/// <summary>
/// One StackExchange.Redis 1.2.6 multiplexer, connected lazily and kept reconnecting by the library
/// (AbortOnConnectFail=false), plus the translation of its failures into <see cref="StateStoreUnavailableException"/>.
/// 1.2.6 takes no cancellation tokens and its async calls can wait indefinitely on a stalled server, so every
/// call goes through <see cref="RunAsync{T}"/>, which bounds it by the operation timeout and the caller's token.
/// </summary>
internal sealed partial class RedisConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions _configuration;
    private readonly TimeSpan _operationTimeout;
    private readonly ILogger _logger;
    private readonly Lock _connectGate = new();
    private Task<ConnectionMultiplexer>? _connecting;
    private bool _disposed;

    public RedisConnection(string connectionString, TimeSpan operationTimeout, string clientName, ILogger logger)
    {
        _configuration = Configure(connectionString, operationTimeout, clientName);
        _operationTimeout = operationTimeout;
        _logger = logger;
        // Connect in the background right away; calls wait for it at most their operation timeout.
        StartConnecting();
    }

    public string Endpoints => string.Join(",", _configuration.EndPoints);

    /// <summary>Parses a StackExchange.Redis configuration string and applies Parks' connection defaults.</summary>
    public static ConfigurationOptions Configure(string connectionString, TimeSpan operationTimeout, string clientName)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        if (options.EndPoints.Count == 0) throw new ArgumentException("names no host:port endpoint", nameof(connectionString));
        // Start even when Redis is not up yet, and keep reconnecting: readiness reports it, calls fail fast.
        options.AbortOnConnectFail = false;
        var timeoutMs = (int)Math.Clamp(operationTimeout.TotalMilliseconds, 100, int.MaxValue);
        if (!Mentions(connectionString, "connectTimeout")) options.ConnectTimeout = 5000;
        if (!Mentions(connectionString, "syncTimeout")) options.SyncTimeout = timeoutMs;
        if (!Mentions(connectionString, "responseTimeout")) options.ResponseTimeout = timeoutMs;
        if (!Mentions(connectionString, "keepAlive")) options.KeepAlive = 5;
        if (!Mentions(connectionString, "connectRetry")) options.ConnectRetry = 3;
        if (string.IsNullOrEmpty(options.ClientName)) options.ClientName = clientName;
        return options;
    }

    public async Task<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken)
    {
        var multiplexer = await GetMultiplexerAsync(cancellationToken);
        return multiplexer.GetDatabase();
    }

    public async Task<ConnectionMultiplexer> GetMultiplexerAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            // The first connect may take longer than one call may wait; it goes on in the background.
            return await StartConnecting().WaitAsync(_operationTimeout, cancellationToken);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(e);
        }
    }

    private Task<ConnectionMultiplexer> StartConnecting()
    {
        lock (_connectGate)
        {
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled) _connecting = ConnectAsync();
            return _connecting;
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        // With AbortOnConnectFail=false this completes after the first attempt even if Redis is down, and the
        // multiplexer keeps reconnecting on its own from then on.
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(_configuration.Clone());
        multiplexer.ConnectionFailed += (_, e) => LogConnectionFailed(_logger, e.EndPoint?.ToString(), e.FailureType.ToString(), e.Exception);
        multiplexer.ConnectionRestored += (_, e) => LogConnectionRestored(_logger, e.EndPoint?.ToString());
        return multiplexer;
    }

    /// <summary>Runs one Redis call bounded by the operation timeout, mapping transport failures.</summary>
    public async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> call, CancellationToken cancellationToken)
    {
        var database = await GetDatabaseAsync(cancellationToken);
        try
        {
            return await call(database).WaitAsync(_operationTimeout, cancellationToken);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(e);
        }
    }

    public async Task RunAsync(Func<IDatabase, Task> call, CancellationToken cancellationToken) =>
        await RunAsync(async database => { await call(database); return true; }, cancellationToken);

    private StateStoreUnavailableException Unavailable(Exception e) => e is TimeoutException
        ? new StateStoreUnavailableException($"Redis at {Endpoints} did not answer within {_operationTimeout.TotalMilliseconds:0} ms", e)
        : new StateStoreUnavailableException($"Redis at {Endpoints} is unavailable: {e.Message}", e);

    private static bool IsUnavailable(Exception e) => e switch
    {
        RedisConnectionException or RedisTimeoutException or TimeoutException or SocketException or IOException => true,
        // Transient server states: still loading the dataset, a replica that cannot serve, a busy script.
        RedisServerException server => server.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || server.Message.StartsWith("BUSY", StringComparison.Ordinal)
            || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("READONLY", StringComparison.Ordinal)
            || server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal),
        _ => false,
    };

    private static bool Mentions(string connectionString, string option) =>
        connectionString.Contains(option + "=", StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        Task<ConnectionMultiplexer>? connecting;
        lock (_connectGate)
        {
            if (_disposed) return;
            _disposed = true;
            connecting = _connecting;
        }
        if (connecting is null) return;
        try
        {
            var multiplexer = await connecting;
            await multiplexer.CloseAsync(allowCommandsToComplete: false);
            multiplexer.Dispose();
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            // Never connected: nothing to close.
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Redis connection to {Endpoint} failed ({FailureType})")]
    private static partial void LogConnectionFailed(ILogger logger, string? endpoint, string failureType, Exception? exception);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Redis connection to {Endpoint} restored")]
    private static partial void LogConnectionRestored(ILogger logger, string? endpoint);
}
