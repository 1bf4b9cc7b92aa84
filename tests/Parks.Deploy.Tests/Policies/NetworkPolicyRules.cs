using System.Text.Json.Nodes;
using Parks.Deploy.Tests.Manifests;

namespace Parks.Deploy.Tests.Policies;

/// <summary>Static NetworkPolicy rules; who may reach whom is checked with <see cref="NetworkPolicyModel"/>.</summary>
internal static class NetworkPolicyRules
{
    /// <summary>A policy that selects every pod for ingress and egress and allows nothing.</summary>
    public static IReadOnlyList<string> DefaultDeny(Manifest manifest)
    {
        var found = manifest.OfKind("NetworkPolicy").Any(p =>
            p.Obj("spec", "podSelector") is { Count: 0 }
            && p.Items("spec", "policyTypes").Select(t => t?.GetValue<string>()).ToHashSet().SetEquals(["Ingress", "Egress"])
            && !p.Items("spec", "ingress").Any() && !p.Items("spec", "egress").Any());
        return found ? [] : ["no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)"];
    }

    /// <summary>No rule opens a port to or from the whole internet.</summary>
    public static IReadOnlyList<string> NoOpenAddressBlocks(Manifest manifest)
    {
        var violations = new List<string>();
        foreach (var policy in manifest.OfKind("NetworkPolicy"))
        {
            var peers = policy.Items("spec", "egress").Concat(policy.Items("spec", "ingress")).OfType<JsonObject>()
                .SelectMany(rule => rule.Items("to").Concat(rule.Items("from"))).OfType<JsonObject>();
            foreach (var cidr in peers.Select(p => p.Str("ipBlock", "cidr")).OfType<string>())
            {
                if (cidr.EndsWith("/0", StringComparison.Ordinal))
                {
                    violations.Add($"{policy.Id()}: ipBlock {cidr} opens everything");
                }
            }

            foreach (var rule in policy.Items("spec", "egress").OfType<JsonObject>().Where(r => !r.Items("to").Any()))
            {
                violations.Add($"{policy.Id()}: an egress rule without `to` allows every destination");
            }
        }

        return violations;
    }
}
