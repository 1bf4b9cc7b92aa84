using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Parks.Reliability.Tests.Support;
using Parks.Testing;

namespace Parks.Reliability.Tests;

/// <summary>
/// Case 7, the NuGet audit proven rather than assumed: the package source of this build environment serves no
/// vulnerability data, so <see cref="No_package_has_a_known_vulnerability"/> can only record "not checked". This test
/// gives NuGet the data itself, from a local double of NuGet's <c>VulnerabilityInfo/6.7.0</c> resource, and builds a
/// tiny project that imports the repository's real <c>Directory.Build.props</c>: the build must fail when the double
/// knows a vulnerability of a restored package, and the restore (where NuGet audits) must pass when it knows none.
/// Changing the audit settings (or warnings as errors) in that file therefore makes this test fail.
/// </summary>
public sealed partial class SupplyChainTests
{
    /// <summary>
    /// The probe's two references: one without dependencies, and one that brings in a dependency of its own (the
    /// transitive package). All three are packages this test assembly itself restores.
    /// </summary>
    private const string DirectPackage = "Newtonsoft.Json";
    private const string PackageWithDependency = "xunit.extensibility.core";
    private const string TransitivePackage = "xunit.abstractions";

    [Fact]
    public async Task The_repository_audit_settings_fail_the_build_on_a_known_vulnerability()
    {
        var clock = Stopwatch.StartNew();
        await using var feed = await VulnerabilityInfoDouble.StartAsync();
        using var probe = AuditProbe.Create();

        // Controls first: the same probe, the same sources, the page read but naming no restored version. Without
        // them the failing cases below could pass on a build that fails for some other reason. They run restore only,
        // which is where NuGet audits (a build starts with the same restore); compiling the empty probe adds nothing
        // to the proof and costs seconds.
        var clean = await probe.RunAsync("restore", feed, "no-advisory", "{}");
        Assert.True(clean.Exit == 0, $"the probe should restore when the audit source knows no vulnerability ({clean.Exit}):\n{clean.Output}");
        Assert.DoesNotContain("NU190", clean.Output, StringComparison.Ordinal);
        Figures.Record("nuget audit proof: restore, audit source lists no advisory", $"succeeded (exit {clean.Exit}, {clean.Seconds:0.0} s)");

        // An advisory whose range leaves out the restored version: NuGet compares versions, not just package ids.
        var direct = probe.Versions[DirectPackage];
        var otherVersion = await probe.RunAsync("restore", feed, "other-version", Page(DirectPackage, severity: 3, range: $"(, {direct})"));
        Assert.True(otherVersion.Exit == 0, $"an advisory for versions below {direct} should not fail the restore ({otherVersion.Exit}):\n{otherVersion.Output}");
        Assert.DoesNotContain("NU190", otherVersion.Output, StringComparison.Ordinal);
        Figures.Record($"nuget audit proof: restore, advisory for {DirectPackage} versions (, {direct}) only", $"succeeded (exit {otherVersion.Exit}, {otherVersion.Seconds:0.0} s)");

        // A high-severity advisory for the direct reference: NU1903, an error because of warnings as errors, so
        // `dotnet build` stops at its restore.
        var high = await probe.RunAsync("build", feed, "direct-high", Page(DirectPackage, severity: 2, range: $"(, {direct}]"));
        var highError = AssertFailedWith(high, "NU1903", DirectPackage, direct, "high");
        Figures.Record($"nuget audit proof: build, high-severity advisory for the direct reference {DirectPackage} {direct}", $"failed with NU1903 (exit {high.Exit}, {high.Seconds:0.0} s): {highError}");

        // A low-severity advisory for a transitive package: fails only with NuGetAuditMode all and NuGetAuditLevel low.
        var transitive = probe.Versions[TransitivePackage];
        var low = await probe.RunAsync("build", feed, "transitive-low", Page(TransitivePackage, severity: 0, range: $"[{transitive}]"));
        var lowError = AssertFailedWith(low, "NU1901", TransitivePackage, transitive, "low");
        Figures.Record($"nuget audit proof: build, low-severity advisory for the transitive package {TransitivePackage} {transitive}", $"failed with NU1901 (exit {low.Exit}, {low.Seconds:0.0} s): {lowError}");

        Figures.Record("nuget audit proof: time for the two restores and two builds, double and probe included", $"{clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Asserts the run failed with the audit error for the package; returns that error (from the code on).</summary>
    private static string AssertFailedWith(AuditProbe.Result result, string code, string package, string version, string severity)
    {
        Assert.True(result.Exit != 0, $"the build should fail on a {severity}-severity advisory for {package} {version}:\n{result.Output}");
        var error = result.Output.Split('\n').FirstOrDefault(l => l.Contains($"error {code}", StringComparison.Ordinal));
        Assert.True(error is not null, $"no 'error {code}' in the output:\n{result.Output}");
        Assert.Contains($"Package '{package}' {version} has a known {severity} severity vulnerability", error, StringComparison.Ordinal);
        Assert.Contains(VulnerabilityInfoDouble.AdvisoryUrl, error, StringComparison.Ordinal);
        return error[error.IndexOf(code, StringComparison.Ordinal)..].Trim();
    }

    /// <summary>A vulnerability page (lower-case package id → advisories) with one advisory.</summary>
    private static string Page(string package, int severity, string range) => new JsonObject
    {
        [package.ToLowerInvariant()] = new JsonArray(new JsonObject
        {
            ["url"] = VulnerabilityInfoDouble.AdvisoryUrl,
            ["severity"] = severity,
            ["versions"] = range,
        }),
    }.ToJsonString();

    /// <summary>
    /// A tiny project in a temporary directory: its Directory.Build.props imports the repository's, its nuget.config
    /// clears every source and adds a folder with copies of the packages it needs (no network) and the double as the
    /// only audit source. Each run gets its own project directory and its own NuGet http cache, because NuGet
    /// caches the vulnerability index and pages there (for 30 minutes by default) and would otherwise answer a later
    /// run from an earlier run's page without asking the source.
    /// </summary>
    private sealed class AuditProbe : IDisposable
    {
        private readonly string _root;

        private AuditProbe(string root, IReadOnlyDictionary<string, string> versions)
        {
            _root = root;
            Versions = versions;
        }

        /// <summary>The version of each package the probe restores.</summary>
        public IReadOnlyDictionary<string, string> Versions { get; }

        public sealed record Result(int Exit, string Output, double Seconds);

        public static AuditProbe Create()
        {
            var root = Path.Combine(Path.GetTempPath(), "parks-audit-proof-" + Guid.NewGuid().ToString("N")[..12]);
            var feed = Directory.CreateDirectory(Path.Combine(root, "feed")).FullName;
            // The versions this test assembly was itself built against: their packages are certainly in the global
            // packages folder, so the probe's restore needs nothing from the network.
            var versions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var id in new[] { DirectPackage, PackageWithDependency, TransitivePackage })
            {
                versions[id] = RestoredVersion(id);
                var name = $"{id.ToLowerInvariant()}.{versions[id]}.nupkg";
                var nupkg = Path.Combine(GlobalPackagesFolder(), id.ToLowerInvariant(), versions[id], name);
                Assert.True(File.Exists(nupkg), $"{nupkg} not found: restore the solution first");
                File.Copy(nupkg, Path.Combine(feed, name));
            }
            return new AuditProbe(root, versions);
        }

        /// <summary>Runs <c>dotnet restore</c> or <c>dotnet build</c> on a fresh copy of the probe, with the double serving the page.</summary>
        public async Task<Result> RunAsync(string command, VulnerabilityInfoDouble auditSource, string name, string page)
        {
            var project = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
            var props = Path.Combine(RepoRoot.Path, "Directory.Build.props");
            File.WriteAllText(Path.Combine(project, "Directory.Build.props"), $"""
                <Project>
                  <!-- The repository's own settings: audit, level, mode, warnings as errors, central package versions. -->
                  <Import Project="{props}" />
                </Project>
                """);
            File.WriteAllText(Path.Combine(project, "Directory.Packages.props"), $"""
                <Project>
                  <ItemGroup>
                    <PackageVersion Include="{DirectPackage}" Version="{Versions[DirectPackage]}" />
                    <PackageVersion Include="{PackageWithDependency}" Version="{Versions[PackageWithDependency]}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(project, "Probe.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <ItemGroup>
                    <PackageReference Include="{DirectPackage}" />
                    <PackageReference Include="{PackageWithDependency}" />
                  </ItemGroup>
                </Project>
                """);
            // The double is plain HTTP on loopback; NuGet refuses HTTP sources (NU1302) unless allowed per source.
            File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="probe-feed" value="{Path.Combine(_root, "feed")}" />
                  </packageSources>
                  <auditSources>
                    <clear />
                    <add key="vulnerability-double" value="{auditSource.ServiceIndexUrl}" allowInsecureConnections="true" />
                  </auditSources>
                </configuration>
                """);

            auditSource.Page = page;
            var pageReads = auditSource.PageReads;
            var environment = new Dictionary<string, string>
            {
                ["NUGET_PACKAGES"] = Path.Combine(_root, "packages"),
                ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(project, "http-cache"),
            };
            var clock = Stopwatch.StartNew();
            var (exit, output) = await RunProcessAsync(project, environment, "dotnet", command, "Probe.csproj", "--disable-build-servers");
            var seconds = clock.Elapsed.TotalSeconds;
            // Proof that NuGet read this run's page from the double, not from a cache or nowhere.
            Assert.True(auditSource.PageReads > pageReads, $"dotnet {command} '{name}' did not read the vulnerability page (requests: {string.Join(", ", auditSource.Requests)}):\n{output}");
            return new Result(exit, output, seconds);
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // Left in the temp folder; nothing else reads it.
            }
        }

        private static string GlobalPackagesFolder() =>
            Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
                ? configured
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

        /// <summary>The package's version in this test assembly's deps.json.</summary>
        private static string RestoredVersion(string id)
        {
            var deps = Path.Combine(AppContext.BaseDirectory, typeof(SupplyChainTests).Assembly.GetName().Name + ".deps.json");
            using var document = JsonDocument.Parse(File.ReadAllText(deps));
            foreach (var library in document.RootElement.GetProperty("libraries").EnumerateObject())
            {
                var slash = library.Name.IndexOf('/', StringComparison.Ordinal);
                if (library.Value.GetProperty("type").GetString() == "package" && library.Name[..slash].Equals(id, StringComparison.OrdinalIgnoreCase))
                    return library.Name[(slash + 1)..];
            }
            throw new InvalidOperationException($"{id} is not in {deps}");
        }

        private static async Task<(int Exit, string Output)> RunProcessAsync(string directory, IReadOnlyDictionary<string, string> environment, string file, params string[] args)
        {
            var info = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) info.ArgumentList.Add(a);
            foreach (var (key, value) in environment) info.Environment[key] = value;
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} {string.Join(' ', args)} in {directory} did not finish in 3 minutes");
            }
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}

/// <summary>
/// A local double of NuGet's vulnerability resource (https://learn.microsoft.com/nuget/api/vulnerability-info): a
/// service index listing only <c>VulnerabilityInfo/6.7.0</c>, the vulnerability index (an array of pages with
/// <c>@name</c>, <c>@id</c>, <c>@updated</c>) and one page, whose content the test sets. It counts the page reads.
/// </summary>
internal sealed class VulnerabilityInfoDouble : IAsyncDisposable
{
    /// <summary>The advisory link of every advisory served (a reserved, never-resolving domain).</summary>
    public const string AdvisoryUrl = "https://advisories.example.invalid/parks-audit-proof";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _requests = new();
    private int _pageReads;
    private string _baseUrl = string.Empty;

    private VulnerabilityInfoDouble(WebApplication app)
    {
        _app = app;
    }

    public string ServiceIndexUrl => _baseUrl + "/v3/index.json";

    /// <summary>The vulnerability page's JSON (lower-case package id → advisories).</summary>
    public string Page { get; set; } = "{}";

    public int PageReads => Volatile.Read(ref _pageReads);

    public IReadOnlyCollection<string> Requests => _requests;

    public static async Task<VulnerabilityInfoDouble> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Port 0: the OS picks a free port at bind time, so no other process can take it in between.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var feed = new VulnerabilityInfoDouble(app);
        app.Run(feed.HandleAsync);
        await Parks.Testing.FreeTcpPort.StartOrDisposeAsync(app);
        feed._baseUrl = app.Urls.Single();
        return feed;
    }

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        _requests.Enqueue(context.Request.Method + " " + path);
        JsonNode? body = path switch
        {
            "/v3/index.json" => new JsonObject
            {
                ["version"] = "3.0.0",
                ["resources"] = new JsonArray(new JsonObject
                {
                    ["@id"] = _baseUrl + "/vulnerabilities/index.json",
                    ["@type"] = "VulnerabilityInfo/6.7.0",
                }),
            },
            "/vulnerabilities/index.json" => new JsonArray(new JsonObject
            {
                ["@name"] = "base",
                ["@id"] = _baseUrl + "/vulnerabilities/base.json",
                ["@updated"] = "2025-01-01T00:00:00Z",
            }),
            "/vulnerabilities/base.json" => JsonNode.Parse(Page),
            _ => null,
        };
        if (body is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        if (path == "/vulnerabilities/base.json") Interlocked.Increment(ref _pageReads);
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
