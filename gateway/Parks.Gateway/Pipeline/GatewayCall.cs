using System.Diagnostics;
using Parks.Domain;
using Parks.Gateway.Api;
using Parks.Gateway.Security;
using Parks.Rpc;

namespace Parks.Gateway.Pipeline;

/// <summary>What the gateway knows about one admitted call: the method, the caller, and (once read) the resource.</summary>
internal sealed class GatewayCall
{
    private static readonly object Key = new();

    public GatewayCall(ExposedMethod method, KnownCaller caller, string transport, string peer)
    {
        Method = method;
        Caller = caller;
        Transport = transport;
        Peer = peer;
    }

    public ExposedMethod Method { get; }
    public KnownCaller Caller { get; }

    /// <summary>"grpc" or "rest".</summary>
    public string Transport { get; }

    public string Peer { get; }

    public long StartTimestamp { get; } = Stopwatch.GetTimestamp();

    /// <summary>The resource name the request addressed (set when the request was read).</summary>
    public string? Resource { get; set; }

    public UnitRef? ResourceUnit { get; set; }

    public void AttachTo(ServerCallContext context) => context.UserState[Key] = this;

    public static GatewayCall? Of(ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var call) ? (GatewayCall)call : null;

    /// <summary>The admitted call of a handler the gateway's interceptor ran before.</summary>
    public static GatewayCall Require(ServerCallContext context) =>
        Of(context) ?? throw new InvalidOperationException($"Call {context.Method} was not admitted by the gateway interceptor.");
}
