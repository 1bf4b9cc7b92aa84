using System.Collections.Frozen;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parks.Rpc;

namespace Parks.Gateway.Proxy;

/// <summary>One backend the gateway calls: its name (a key of <c>Parks:Services</c>), address and connection pool.</summary>
internal sealed class Backend(string name, Uri address, RpcChannel channel)
{
    public string Name { get; } = name;
    public Uri Address { get; } = address;

    /// <summary>Shared by every call to this backend (typed clients of the overview, raw pass-through).</summary>
    public RpcChannel Channel { get; } = channel;

    public RawCallInvoker Raw { get; } = channel.CreateRawCallInvoker();
}

/// <summary>
/// The backends of <c>Parks:Services:&lt;name&gt;</c> (e.g. <c>district-lingshui = http://parks-district-lingshui:8081</c>),
/// each with one h2c connection pool. Connecting is bounded by <c>BackendConnectTimeoutMilliseconds</c>, so a backend
/// that is down fails calls with UNAVAILABLE quickly instead of holding them.
/// </summary>
internal sealed class BackendRegistry : IDisposable
{
    public const string Section = "Parks:Services";

    private readonly FrozenDictionary<string, Backend> _backends;

    public BackendRegistry(IConfiguration configuration, IOptions<GatewayOptions> options)
    {
        var settings = options.Value;
        var backends = new Dictionary<string, Backend>(StringComparer.Ordinal);
        foreach (var entry in configuration.GetSection(Section).GetChildren())
        {
            if (string.IsNullOrWhiteSpace(entry.Value)) continue;
            if (!Uri.TryCreate(entry.Value, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
                throw new InvalidOperationException($"{Section}:{entry.Key} = '{entry.Value}' is not an http:// (h2c) or https:// address.");
            var channel = RpcChannel.ForAddress(address, new RpcChannelOptions
            {
                HttpHandler = CreateHandler(settings),
                MaxReceiveMessageSize = null,
                MaxSendMessageSize = settings.MaxRequestBytes,
            });
            backends[entry.Key] = new Backend(entry.Key, address, channel);
        }
        _backends = backends.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<Backend> All => _backends.Values;

    public Backend? Find(string name) => _backends.GetValueOrDefault(name);

    public void WarnAboutMissing(IEnumerable<string> referenced, ILogger logger)
    {
        foreach (var name in referenced.Distinct().Where(n => !_backends.ContainsKey(n)).Order(StringComparer.Ordinal))
            GatewayLog.BackendNotConfigured(logger, name);
    }

    public void Dispose()
    {
        foreach (var backend in _backends.Values) backend.Channel.Dispose();
    }

    private static SocketsHttpHandler CreateHandler(GatewayOptions settings) => new()
    {
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromMilliseconds(settings.BackendConnectTimeoutMilliseconds),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        // Replaced pods get new addresses: re-resolve the Service name from time to time.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    };
}
