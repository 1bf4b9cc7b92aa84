using System.Net.Sockets;
using System.Text.Json;
using Parks.Testing;
using Parks.Tools.Tests.Support;

namespace Parks.Tools.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SuiteCollection
{
    public const string Name = "the whole suite";
}

/// <summary>
/// The quick start, as a user runs it: the built AppHost brings the suite up (each mode), parksctl works against
/// it, and Ctrl-C (SIGINT) or a crash of the AppHost leaves no process behind.
/// </summary>
[Collection(SuiteCollection.Name)]
public sealed class AppHostEndToEndTests
{
    /// <summary>Through the gateway, as a district system calls.</summary>
    private static string[] Route => [];

    private static string[] At(AppHostProcess host, params string[] args) => [.. args, "--run-file", host.RunFile];

    [Fact]
    public async Task Default_mode_serves_health_imports_calls_and_events_and_ctrl_c_leaves_no_process()
    {
        await using var host = AppHostProcess.Start();
        var run = await host.WaitReadyAsync();
        Assert.Equal("embedded", run.Storage);
        var children = host.Children();
        Assert.Equal(run.Services.Count, children.Count);

        var health = await Parksctl.RunAsync(At(host, "health", "--json"));
        Assert.True(health.ExitCode == 0, health.ToString());
        var rows = JsonDocument.Parse(health.Output).RootElement.EnumerateArray().ToList();
        Assert.All(run.Services, s => Assert.Contains(rows, r => r.GetProperty("service").GetString() == s.AppId && r.GetProperty("serving").GetBoolean()));

        // Reflection call: the district's enterprises (the demo data set is loaded in the local run).
        var call = await Parksctl.RunAsync(At(host, "rpc", "call", "parks.units.v1.EnterpriseService/ListEnterprises", "-s", "parks-district-lingshui",
            "-d", """{"parent": "districts/lingshui", "pageSize": 3}"""));
        Assert.True(call.ExitCode == 0, call.ToString());
        Assert.Equal(3, JsonDocument.Parse(call.Output).RootElement.GetProperty("enterprises").GetArrayLength());

        // Follow the registrations in lingshui while importing a list with deliberate bad rows.
        using var tail = Parksctl.Start(At(host, "events", "tail", "--json", "--count", "1", "--type", "parks.events.v1.EnterpriseRegistered", "--district", "lingshui"));
        var following = new TaskCompletionSource();
        tail.ErrorDataReceived += (_, e) => { if (e.Data?.Contains("following", StringComparison.Ordinal) == true) following.TrySetResult(); };
        tail.BeginErrorReadLine();
        var tailOutput = tail.StandardOutput.ReadToEndAsync();
        await following.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var file = ImportFiles.WithBadRows(out var good);
        var import = await Parksctl.RunAsync(At(host, ["import", "enterprises", file, "--json", .. Route]));

        Assert.True(import.ExitCode == 2, import.ToString());
        var report = JsonDocument.Parse(import.Output).RootElement;
        Assert.Equal(1, report.GetProperty("created").GetInt32());
        var reasons = report.GetProperty("rejected").EnumerateArray().ToDictionary(r => r.GetProperty("row").GetInt32(), r => r.GetProperty("reason").GetString()!);
        Assert.Contains("GB 32100-2015", reasons[2], StringComparison.Ordinal);
        Assert.Contains("unknown district 'nowhere'", reasons[3], StringComparison.Ordinal);
        Assert.Contains("rejected by the service", reasons[4], StringComparison.Ordinal);
        Assert.Contains("same credit code as row 1", reasons[5], StringComparison.Ordinal);
        Assert.True(Parksctl.WaitForExit(tail, TimeSpan.FromSeconds(60)), "the tail saw no registration");
        var registered = JsonDocument.Parse((await tailOutput).Trim()).RootElement;
        Assert.Equal($"districts/lingshui/enterprises/{good}", registered.GetProperty("subject").GetString());

        // The same file again: nothing is created twice.
        var again = await Parksctl.RunAsync(At(host, ["import", "enterprises", file, "--json", .. Route]));
        Assert.Equal(1, JsonDocument.Parse(again.Output).RootElement.GetProperty("alreadyPresent").GetInt32());

        host.Interrupt();
        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the AppHost did not stop after SIGINT:\n" + host.Output);
        Assert.Equal(0, host.ExitCode);
        Assert.All(children, pid => Assert.False(AppHostProcess.IsAlive(pid), $"process {pid} outlived the AppHost"));
        Assert.False(File.Exists(host.RunFile));
    }

    [Fact]
    public async Task Single_process_mode_serves_health_and_reflection_calls_and_stops_on_ctrl_c()
    {
        await using var host = AppHostProcess.Start("--single-process");
        var run = await host.WaitReadyAsync();
        Assert.Equal("single-process", run.Mode);
        Assert.Empty(host.Children());

        var health = await Parksctl.RunAsync(At(host, "health"));
        Assert.True(health.ExitCode == 0, health.ToString());
        var call = await Parksctl.RunAsync(At(host, "rpc", "call", "parks.units.v1.EnterpriseService/ListEnterprises", "-s", "parks-district-longtou",
            "-d", """{"parent": "districts/longtou", "pageSize": 1}"""));
        Assert.True(call.ExitCode == 0, call.ToString());

        host.Interrupt();
        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the AppHost did not stop after SIGINT:\n" + host.Output);
        Assert.Equal(0, host.ExitCode);
    }

    [Fact]
    public async Task Redis_mode_stores_in_redis_and_a_crashed_AppHost_takes_its_services_and_redis_down()
    {
        await using var host = AppHostProcess.Start("--redis");
        var run = await host.WaitReadyAsync();
        Assert.Equal("redis", run.Storage);
        Assert.NotNull(run.RedisAddress);
        var health = await Parksctl.RunAsync(At(host, "health"));
        Assert.True(health.ExitCode == 0, health.ToString());
        var file = ImportFiles.WithBadRows(out _);
        var import = await Parksctl.RunAsync(At(host, ["import", "enterprises", file, "--json", .. Route]));
        Assert.Equal(1, JsonDocument.Parse(import.Output).RootElement.GetProperty("created").GetInt32());
        var children = host.Children();

        host.Crash();

        await Eventually.WaitUntilAsync(() => children.All(pid => !AppHostProcess.IsAlive(pid)), "every child of the crashed AppHost to exit", TimeSpan.FromSeconds(60));
        var port = int.Parse(run.RedisAddress!.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        await Eventually.WaitUntilAsync(async () => !await FreeTcpPort.IsAcceptingAsync(port), "redis-server to stop", TimeSpan.FromSeconds(30));
    }
}

internal static class ImportFiles
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    /// <summary>
    /// A CSV of five rows: one good lingshui enterprise (its code in <paramref name="good"/>), then a bad check
    /// character, an unknown district, an industry the service rejects, and the first code again.
    /// </summary>
    public static string WithBadRows(out string good)
    {
        var stem = new string([.. Guid.NewGuid().ToString("N").ToUpperInvariant().Select(c => Alphabet.Contains(c, StringComparison.Ordinal) ? c : 'A')])[..6];
        good = Parks.Domain.UnifiedSocialCreditCode.FromBody("91210200" + stem + "001").Value;
        var badCheck = Parks.Domain.UnifiedSocialCreditCode.FromBody("91210200" + stem + "002").Value;
        badCheck = badCheck[..^1] + (badCheck[^1] == '0' ? '1' : '0');
        var unknownDistrict = Parks.Domain.UnifiedSocialCreditCode.FromBody("91210200" + stem + "003").Value;
        var badIndustry = Parks.Domain.UnifiedSocialCreditCode.FromBody("91210200" + stem + "004").Value;
        var path = Path.Combine(Path.GetTempPath(), $"parks-import-{stem}.csv");
        File.WriteAllText(path, string.Join("\n",
            "district,uscc,name,industry,registration_date",
            $"lingshui,{good},测试科技有限公司 {stem},software-it,2021-03-01",
            $"lingshui,{badCheck},坏码公司,software-it,2021-03-01",
            $"nowhere,{unknownDistrict},无区公司,software-it,2021-03-01",
            $"longtou,{badIndustry},丙公司,not-an-industry,2021-03-01",
            $"qixianling,{good},重复公司,software-it,2021-03-01") + "\n");
        return path;
    }
}
