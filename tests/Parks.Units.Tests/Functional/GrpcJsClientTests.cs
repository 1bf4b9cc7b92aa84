using System.Diagnostics;
using System.Text.Json;

namespace Parks.Units.Tests.Functional;

/// <summary>
/// An independent gRPC implementation (@grpc/grpc-js, tests/node/units/list.js) lists the enterprises of 七贤岭
/// and the projects referred to 金普 from the services as the local run starts them (demo data on).
/// </summary>
public sealed class GrpcJsClientTests
{
    [Fact]
    public async Task A_standard_grpc_client_lists_qixianling_enterprises_and_referrals_to_jinpu()
    {
        var zone = new Zone();
        await using var qixianling = await UnitsHost.DistrictAsync(zone, "qixianling", demo: true);
        await using var parks = await UnitsHost.BranchParksAsync(zone, demo: true);

        var (exit, output) = await RunNodeAsync("units/list.js", Path.Combine(Repo.Root, "protos"), Zone.InternalKey,
            qixianling.Channel.Address.Authority, parks.Channel.Address.Authority);

        Assert.True(exit == 0, output);
        using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var root = json.RootElement;
        Assert.Equal(20, root.GetProperty("enterprises").GetInt32());
        Assert.Equal(30, root.GetProperty("total").GetInt32());
        Assert.StartsWith("districts/qixianling/enterprises/", root.GetProperty("firstEnterprise").GetString());
        Assert.Equal(12, root.GetProperty("referrals").GetInt32());
        Assert.StartsWith("parks/jinpu/referrals/", root.GetProperty("firstReferral").GetProperty("name").GetString());
    }

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(params string[] args)
    {
        var nodeDir = Path.Combine(Repo.Root, "tests", "node");
        if (!Directory.Exists(Path.Combine(nodeDir, "node_modules", "@grpc", "grpc-js")))
            throw new InvalidOperationException("tests/node/node_modules is missing: run ./test.sh (it installs the npm packages in tests/node).");
        var start = new ProcessStartInfo("node") { WorkingDirectory = nodeDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, "node timed out: " + await stdout + await stderr);
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}

internal static class Repo
{
    /// <summary>The repository root (the folder holding Parks.sln).</summary>
    public static string Root => Parks.Testing.RepoRoot.Path;
}
