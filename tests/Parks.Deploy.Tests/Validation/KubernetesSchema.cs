using System.Text.Json;
using System.Text.Json.Nodes;
using Parks.Deploy.Tests.Infrastructure;
using Parks.Deploy.Tests.Manifests;

namespace Parks.Deploy.Tests.Validation;

/// <summary>The schema check of one object; <see cref="Validated"/> is false when no schema knows its kind.</summary>
internal sealed record SchemaResult(string Object, bool Validated, IReadOnlyList<string> Errors);

/// <summary>
/// Validates objects against the Kubernetes OpenAPI schemas shipped in the npm package kubernetes-models,
/// through tests/node/validate-k8s.js (which also rejects fields the schema does not define).
/// </summary>
internal static class KubernetesSchema
{
    public static IReadOnlyList<SchemaResult> Validate(IReadOnlyList<JsonObject> objects)
    {
        var script = Repo.Combine("tests", "node", "validate-k8s.js");
        if (!Directory.Exists(Repo.Combine("tests", "node", "node_modules", "kubernetes-models")))
        {
            throw new InvalidOperationException("tests/node/node_modules is missing: run ./test.sh (it installs the npm packages).");
        }

        var input = new JsonArray(objects.Select(o => (JsonNode)o.DeepClone()).ToArray()).ToJsonString();
        var output = Tool.Run("node", [script], standardInput: input).EnsureSuccess().StandardOutput;
        using var results = JsonDocument.Parse(output);
        return results.RootElement.EnumerateArray().Select(r => new SchemaResult(
            $"{r.GetProperty("kind")}/{r.GetProperty("name")}",
            r.GetProperty("validated").GetBoolean(),
            r.GetProperty("errors").EnumerateArray().Select(e => e.GetString() ?? "").ToArray())).ToArray();
    }
}
