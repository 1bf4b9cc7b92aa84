using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;

namespace Parks.Contracts.Tests;

/// <summary>protos/ is the single source of truth: lint-clean, consistently named, compiled once.</summary>
public sealed partial class ContractsTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public async Task Buf_lint_STANDARD_passes_over_protos()
    {
        var buf = Path.Combine(Root, "tests", "node", "node_modules", ".bin", "buf");
        Assert.True(File.Exists(buf), "buf is missing: run ./test.sh (npm ci in tests/node)");
        var start = new ProcessStartInfo(buf, "lint protos") { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "buf lint failed:\n" + output);
    }

    [Fact]
    public void Every_Parks_proto_uses_the_package_and_namespace_conventions()
    {
        var files = Directory.GetFiles(Path.Combine(Root, "protos", "parks"), "*.proto", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var package = PackageRegex().Match(text);
            Assert.True(package.Success, $"{file}: no package parks.<area>.v<n>");
            var area = package.Groups[1].Value;
            var version = package.Groups[2].Value;
            var expectedNamespace = $"Parks.{string.Concat(area.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..]))}.V{version}";
            // Case-insensitive: areas written as one word in the package keep their C# casing (parks.sciencecity.v1 →
            // Parks.ScienceCity.V1, parks.branchparks.v1 → Parks.BranchParks.V1, as docs/architecture.md names them).
            Assert.Contains($"option csharp_namespace = \"{expectedNamespace}\";", text, StringComparison.OrdinalIgnoreCase);
            var relative = Path.GetRelativePath(Path.Combine(Root, "protos"), file).Replace('\\', '/');
            Assert.StartsWith($"parks/{area}/v{version}/", relative);
        }
    }

    [Fact]
    public void Every_proto_file_is_compiled_into_the_contracts_assembly()
    {
        var compiled = typeof(Grpc.Health.V1.HealthReflection).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null))
            .OfType<FileDescriptor>()
            .Select(d => d.Name)
            .ToHashSet();
        var onDisk = Directory.GetFiles(Path.Combine(Root, "protos"), "*.proto", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(Root, "protos"), f).Replace('\\', '/'));
        foreach (var file in onDisk) Assert.Contains(file, compiled);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Parks.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Parks.sln not found");
    }

    [GeneratedRegex(@"^package parks\.([a-z_]+)\.v(\d+);", RegexOptions.Multiline)]
    private static partial Regex PackageRegex();
}
