using System.Text.RegularExpressions;
using Parks.Deploy.Tests.Infrastructure;
using Parks.Deploy.Tests.Manifests;
using Parks.Deploy.Tests.Policies;

namespace Parks.Deploy.Tests;

/// <summary>The deployment files in the repository: YAML style, no committed secrets, the secrets script, Dockerfiles.</summary>
public sealed partial class RepositoryTests
{
    private static readonly Lazy<Dictionary<string, Dictionary<string, string>>> ExampleSecrets = new(SecretsFromExampleScript);

    /// <summary>The deployables, their project directory and image (docs/architecture.md, "Layout").</summary>
    public static TheoryData<string, string> Images => new()
    {
        { "parks-sciencecity", "services/ScienceCity/Parks.ScienceCity" },
        { "parks-district", "services/District/Parks.District" },
        { "parks-branchparks", "services/BranchParks/Parks.BranchParks" },
        { "parks-talent", "services/Talent/Parks.Talent" },
        { "parks-finance", "services/Finance/Parks.Finance" },
        { "parks-gateway", "gateway/Parks.Gateway" },
    };

    [Fact]
    public void Yamllint_is_clean_on_every_kubernetes_file()
    {
        var result = Tool.Run("yamllint", ["--strict", "--config-file", "k8s/.yamllint.yaml", "k8s"]);

        Assert.True(result.ExitCode == 0, $"yamllint:\n{result.StandardOutput}{result.StandardError}");
    }

    [Fact]
    public void No_secret_object_or_secret_value_is_committed_under_k8s()
    {
        var offenders = Directory.EnumerateFiles(Repo.K8s, "*", SearchOption.AllDirectories)
            .Where(file => File.ReadAllLines(file).Any(line => SecretKind().IsMatch(line) || LiteralSecretValue().IsMatch(line)))
            .Select(file => Path.GetRelativePath(Repo.Root, file));

        Assert.Empty(offenders);
    }

    [Fact]
    public void Secrets_example_creates_every_secret_the_manifests_read_with_fresh_values()
    {
        var first = ExampleSecrets.Value;
        var second = SecretsFromExampleScript();

        foreach (var overlay in Repo.Overlays())
        {
            foreach (var reference in SecretPolicies.References(Manifest.Render(overlay)))
            {
                if (reference.Name == "parks-gateway-tls")
                {
                    continue; // The certificate comes from cert-manager or the operator's CA (docs/operations.md).
                }

                Assert.True(first.TryGetValue(reference.Name, out var keys), $"{overlay}: {reference.UsedBy} reads Secret {reference.Name}, which the script does not create");
                Assert.True(reference.Key == "*" ? keys.Count > 0 : keys.ContainsKey(reference.Key),
                    $"{overlay}: {reference.UsedBy} reads key '{reference.Key}' of Secret {reference.Name}, which the script does not set");
            }
        }

        var values = first.SelectMany(s => s.Value.Select(k => (Secret: s.Key, k.Key, Value: k.Value))).ToArray();
        Assert.All(values, v => Assert.Matches("^[0-9a-f]{64}$", v.Value));
        Assert.All(values, v => Assert.NotEqual(v.Value, second[v.Secret][v.Key]));
    }

    [Fact]
    public void Gateway_credential_keys_in_the_secrets_example_are_documented_configuration_keys()
    {
        var keys = ExampleSecrets.Value["parks-gateway-credentials"].Keys.ToArray();
        var architecture = File.ReadAllText(Repo.Combine("docs", "architecture.md"));

        Assert.NotEmpty(keys);
        Assert.Empty(ConfigurationPolicies.KeysAreDocumented(new Manifest("none", []), architecture, keys));
    }

    [Theory]
    [MemberData(nameof(RenderingTests.Overlays), MemberType = typeof(RenderingTests))]
    public void Settings_in_the_manifests_are_documented_configuration_keys(string overlay)
    {
        var architecture = File.ReadAllText(Repo.Combine("docs", "architecture.md"));

        Assert.Empty(ConfigurationPolicies.KeysAreDocumented(Manifest.Render(overlay), architecture));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Every_image_has_a_conventional_dockerfile(string image, string projectDirectory)
    {
        var project = Path.GetFileName(projectDirectory);
        var dockerfile = File.ReadAllText(Repo.Combine(projectDirectory, "Dockerfile"));

        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/sdk:10\.0 AS build$", dockerfile);
        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/aspnet:10\.0 AS final$", dockerfile);
        Assert.Contains($"dotnet publish {projectDirectory}/{project}.csproj", dockerfile, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^USER \$APP_UID$", dockerfile);
        Assert.Matches(@"(?m)^ENV DOTNET_EnableDiagnostics=0$", dockerfile);
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{project}.dll\"]", dockerfile, StringComparison.Ordinal);
        Assert.Contains($"registry.example.com/parks/{image}:", dockerfile, StringComparison.Ordinal);
        Assert.Contains(Manifest.Render("production").AppDeployments,
            d => d.Container(Workloads.AppContainer)?.Str("image")?.Contains($"/{image}:", StringComparison.Ordinal) == true);
    }

    /// <summary>Runs k8s/secrets.example.sh --dry-run (no cluster) and reads back the Secrets it would create.</summary>
    internal static Dictionary<string, Dictionary<string, string>> SecretsFromExampleScript()
    {
        var output = Tool.Run("bash", [Repo.Combine("k8s", "secrets.example.sh"), "--dry-run"]).EnsureSuccess().StandardOutput;
        return YamlJson.ParseDocuments(output)
            .Where(o => o.Str("kind") == "Secret")
            .ToDictionary(
                s => s.Str("metadata", "name")!,
                s => s.Map("data").ToDictionary(d => d.Key, d => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(d.Value))));
    }

    [GeneratedRegex(@"^\s*kind:\s*Secret\s*$")]
    private static partial Regex SecretKind();

    [GeneratedRegex(@"(password|token|apikey)\s*[:=]\s*[""']?[A-Za-z0-9+/]{16,}", RegexOptions.IgnoreCase)]
    private static partial Regex LiteralSecretValue();
}
