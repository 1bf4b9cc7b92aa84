using Microsoft.Extensions.Options;
using Parks.Hosting.Security;
using Parks.Rpc;

namespace Parks.Hosting.Embedded;

/// <summary>One channel to the backplane, shared by the state store and the event bus of a process.</summary>
internal sealed class EmbeddedBackplaneClient : IDisposable
{
    public const string KeyHeader = "x-parks-embedded-key";

    private readonly string _key;
    private readonly TimeSpan _timeout;

    public EmbeddedBackplaneClient(IOptions<EmbeddedOptions> options, IOptions<SecurityOptions> security)
    {
        var address = options.Value.Address;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme != "http")
            throw new OptionsValidationException(EmbeddedOptions.Section, typeof(EmbeddedOptions),
                [$"{EmbeddedOptions.Section}:Address must be the backplane's http:// address (set by the AppHost), got '{address}'."]);
        Channel = RpcChannel.ForAddress(uri);
        _key = security.Value.InternalKey;
        _timeout = options.Value.OperationTimeout;
    }

    public RpcChannel Channel { get; }

    /// <summary>Call options for one operation: the key, a deadline, the caller's cancellation.</summary>
    public CallOptions Options(CancellationToken cancellationToken, bool streaming = false)
    {
        var options = new CallOptions(new Metadata { { KeyHeader, _key } }, cancellationToken: cancellationToken);
        return streaming ? options : options.WithTimeout(_timeout);
    }

    public void Dispose() => Channel.Dispose();
}
