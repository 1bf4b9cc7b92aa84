using System.Diagnostics;
using System.Text.Json;
using Parks.AppHost;
using Parks.Hosting.Embedded;
using Parks.Testing;
using Parks.Tools.Tests.Support;

namespace Parks.Tools.Tests;

/// <summary>
/// The AppHost's own machinery (ports, configuration, readiness, run file, stop, redis) with one process: the
/// observability test app, a minimal Parks host, standing in for the talent service in a build list written by
/// the test. This exercises the orchestration while the real services are not on the branch; the real suite is
/// covered by <see cref="AppHostEndToEndTests"/>.
/// </summary>
[Collection(SuiteCollection.Name)]
public sealed class LocalRunTests
{
    private static string StandInBuildList()
    {
        var directory = Directory.CreateTempSubdirectory("parks-apphost-test-").FullName;
        var testApp = Path.Combine(Repo.Root, "tests", "Parks.Observability.TestApp", "bin", Repo.Configuration, "net10.0", "Parks.Observability.TestApp.dll");
        Assert.True(File.Exists(testApp), "the observability test app is not built: " + testApp);
        // A project path ending like the talent service's, so the catalogue runs it as parks-talent.
        var project = Path.Combine(directory, "services", "Talent", "Parks.Talent", "Parks.Talent.csproj");
        Directory.CreateDirectory(Path.GetDirectoryName(project)!);
        File.WriteAllText(Path.Combine(directory, ServiceCatalog.BuildListFile), $"{project}|{testApp}\n");
        return directory;
    }

    private static async Task<(Task<int> Run, CancellationTokenSource Stop, LocalRunFile File, StringWriter Output)> StartAsync(bool redis = false)
    {
        var directory = StandInBuildList();
        var runFile = Path.Combine(directory, "local-run.json");
        var output = new StringWriter();
        var options = new AppHostOptions { GatewayHttpPort = 0, GatewayGrpcPort = 0, PortBase = 0, RunFile = runFile, Redis = redis, StopTimeout = TimeSpan.FromSeconds(10) };
        var stop = new CancellationTokenSource();
        var run = Task.Run(() => new LocalRun(options, new Reporter(TextWriter.Synchronized(output), color: false), directory).RunAsync(stop.Token));
        var file = await Eventually.ResultAsync(() => Task.FromResult(run.IsCompleted ? throw new InvalidOperationException(output.ToString()) : LocalRunFile.Load(runFile)), "the run file");
        return (run, stop, file, output);
    }

    [Fact]
    public async Task A_run_wires_a_service_reports_it_ready_answers_parksctl_and_stops_it()
    {
        var (run, stop, file, output) = await StartAsync();
        var service = Assert.Single(file.Services);
        Assert.Equal("parks-talent", service.AppId);
        Assert.Equal("embedded", file.Storage);
        Assert.NotNull(file.BackplaneAddress);
        Assert.True(file.InternalKey.Length >= 32);
        Assert.Contains("✓ parks-talent", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Parks is ready in", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Not part of this run", output.ToString(), StringComparison.Ordinal);
        var pid = Process.GetProcesses().Single(p => AppHostProcess.ParentOf(p.Id) == Environment.ProcessId && CommandLine(p.Id).Contains("Parks.Observability.TestApp", StringComparison.Ordinal)).Id;

        var health = await Parksctl.RunAsync(["health", "--json", "--run-file", FilePath(file, output)]);

        Assert.True(health.ExitCode == 0, health.ToString());
        var row = Assert.Single(JsonDocument.Parse(health.Output).RootElement.EnumerateArray());
        Assert.Equal("SERVING", row.GetProperty("readiness").GetString());

        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.False(AppHostProcess.IsAlive(pid), "the service outlived the run");
        Assert.Contains("Stopped: no service is left running.", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_redis_the_run_starts_its_own_redis_server_and_stops_it()
    {
        var (run, stop, file, _) = await StartAsync(redis: true);
        Assert.Equal("redis", file.Storage);
        var port = int.Parse(file.RedisAddress!.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await FreeTcpPort.IsAcceptingAsync(port));

        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.False(await FreeTcpPort.IsAcceptingAsync(port), "redis-server outlived the run");
    }

    [Fact]
    public async Task A_service_exits_when_the_process_that_started_it_dies()
    {
        var testApp = Path.Combine(Repo.Root, "tests", "Parks.Observability.TestApp", "bin", Repo.Configuration, "net10.0", "Parks.Observability.TestApp.dll");
        // sh stands in for the AppHost: it starts the service with its own pid as the parent to watch, then is killed.
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"Parks__Hosting__ParentProcessId=$$ Parks__Endpoints__GrpcPort={FreeTcpPort.Next()} Parks__Endpoints__HttpPort={FreeTcpPort.Next()} " +
            $"Parks__Endpoints__BindAddress=127.0.0.1 Parks__Security__InternalKey=tools-tests-internal-key-0123456789abcdef dotnet '{testApp}' >/dev/null 2>&1 & echo $!; wait");
        using var shell = Process.Start(start)!;
        var child = int.Parse((await shell.StandardOutput.ReadLineAsync())!, System.Globalization.CultureInfo.InvariantCulture);
        await Eventually.WaitUntilAsync(() => CommandLine(child).Contains("Parks.Observability.TestApp", StringComparison.Ordinal), "the service to start");

        shell.Kill(entireProcessTree: false);

        await Eventually.WaitUntilAsync(() => !AppHostProcess.IsAlive(child), "the orphaned service to exit", TimeSpan.FromSeconds(60));
    }

    private static string FilePath(LocalRunFile file, StringWriter output)
    {
        var match = System.Text.RegularExpressions.Regex.Match(output.ToString(), @"\(reads (?<path>[^)]+)\)");
        Assert.True(match.Success, output.ToString());
        Assert.Equal(file.ProcessId, Environment.ProcessId);
        return match.Groups["path"].Value;
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
