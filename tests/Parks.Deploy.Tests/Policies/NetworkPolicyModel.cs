using System.Net;
using System.Text.Json.Nodes;
using Parks.Deploy.Tests.Manifests;

namespace Parks.Deploy.Tests.Policies;

/// <summary>One end of a connection: a pod (namespace and labels) or an address outside the cluster.</summary>
internal sealed record Peer(string Namespace, IReadOnlyDictionary<string, string> Labels, string? Address = null)
{
    public static Peer Pod(string @namespace, IReadOnlyDictionary<string, string> labels) => new(@namespace, labels);

    public static Peer Pod(string @namespace, params (string Key, string Value)[] labels) =>
        new(@namespace, labels.ToDictionary(l => l.Key, l => l.Value));

    public static Peer External(string address) => new("", new Dictionary<string, string>(), address);

    /// <summary>Namespaces carry kubernetes.io/metadata.name automatically (Kubernetes >= 1.22).</summary>
    public IReadOnlyDictionary<string, string> NamespaceLabels =>
        new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = Namespace };

    public override string ToString() => Address ?? $"{Namespace}/{string.Join(",", Labels.Select(l => $"{l.Key}={l.Value}"))}";
}

/// <summary>
/// Evaluates the NetworkPolicies of a manifest the way Kubernetes does: a pod selected by no policy of a
/// direction is open in that direction; a selected pod allows only what some rule of some policy allows; a
/// connection needs both the source's egress and the destination's ingress. Covers what Parks uses: pod
/// and namespace selectors (matchLabels, matchExpressions), ipBlock (IPv4), numeric ports and endPort.
/// </summary>
internal sealed class NetworkPolicyModel(Manifest manifest)
{
    private readonly JsonObject[] _policies = manifest.OfKind("NetworkPolicy").ToArray();

    public bool Allows(Peer from, Peer to, int port, string protocol = "TCP") =>
        Permits(from, to, port, protocol, "Egress") && Permits(to, from, port, protocol, "Ingress");

    /// <summary>Whether <paramref name="subject"/>'s policies of one direction admit <paramref name="other"/>.</summary>
    private bool Permits(Peer subject, Peer other, int port, string protocol, string direction)
    {
        if (subject.Address is not null)
        {
            return true; // Outside the cluster: no NetworkPolicy applies.
        }

        var applicable = _policies.Where(p => (p.Str("metadata", "namespace") ?? Conventions.Namespace) == subject.Namespace
            && Selects(p.Obj("spec", "podSelector"), subject.Labels)
            && Types(p).Contains(direction)).ToArray();
        if (applicable.Length == 0)
        {
            return true;
        }

        var rules = direction == "Egress" ? "egress" : "ingress";
        var peers = direction == "Egress" ? "to" : "from";
        return applicable.Any(policy => policy.Items("spec", rules).OfType<JsonObject>().Any(rule =>
            PortMatches(rule, port, protocol)
            && (!rule.Items(peers).Any()
                || rule.Items(peers).OfType<JsonObject>().Any(peer => PeerMatches(peer, other, policy.Str("metadata", "namespace") ?? Conventions.Namespace)))));
    }

    private static IReadOnlyCollection<string> Types(JsonObject policy)
    {
        var declared = policy.Items("spec", "policyTypes").Select(t => t?.GetValue<string>() ?? "").ToArray();
        if (declared.Length > 0)
        {
            return declared;
        }

        // Without policyTypes: Ingress always, Egress when there are egress rules.
        return policy.At("spec", "egress") is null ? ["Ingress"] : ["Ingress", "Egress"];
    }

    private static bool PortMatches(JsonObject rule, int port, string protocol)
    {
        var ports = rule.Items("ports").OfType<JsonObject>().ToArray();
        return ports.Length == 0 || ports.Any(p =>
            (p.Str("protocol") ?? "TCP") == protocol
            && (p.At("port") is null
                || (p.Long("port") is { } start && port >= start && port <= (p.Long("endPort") ?? start))));
    }

    private static bool PeerMatches(JsonObject peer, Peer other, string policyNamespace)
    {
        if (peer.Obj("ipBlock") is { } block)
        {
            return other.Address is not null && InBlock(block, other.Address);
        }

        if (other.Address is not null)
        {
            return false;
        }

        var namespaceSelector = peer.Obj("namespaceSelector");
        var namespaceOk = namespaceSelector is null ? other.Namespace == policyNamespace : Selects(namespaceSelector, other.NamespaceLabels);
        var podOk = peer.Obj("podSelector") is not { } podSelector || Selects(podSelector, other.Labels);
        return namespaceOk && podOk;
    }

    /// <summary>A label selector; an empty one selects everything.</summary>
    public static bool Selects(JsonObject? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is null)
        {
            return false;
        }

        var matchLabels = selector.Map("matchLabels");
        if (matchLabels.Any(pair => !labels.TryGetValue(pair.Key, out var value) || value != pair.Value))
        {
            return false;
        }

        return selector.Items("matchExpressions").OfType<JsonObject>().All(expression =>
        {
            var key = expression.Str("key") ?? "";
            var values = expression.Items("values").Select(v => v?.GetValue<string>()).ToHashSet();
            var has = labels.TryGetValue(key, out var value);
            return expression.Str("operator") switch
            {
                "In" => has && values.Contains(value),
                "NotIn" => !has || !values.Contains(value),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
        });
    }

    private static bool InBlock(JsonObject block, string address)
    {
        var ip = IPAddress.Parse(address);
        return Contains(block.Str("cidr") ?? "", ip) && !block.Items("except").Any(e => Contains(e?.GetValue<string>() ?? "", ip));
    }

    private static bool Contains(string cidr, IPAddress ip)
    {
        var parts = cidr.Split('/');
        var network = IPAddress.Parse(parts[0]);
        if (network.AddressFamily != ip.AddressFamily)
        {
            return false;
        }

        var prefix = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var a = network.GetAddressBytes();
        var b = ip.GetAddressBytes();
        for (var bit = 0; bit < prefix; bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            if ((a[bit / 8] & mask) != (b[bit / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
