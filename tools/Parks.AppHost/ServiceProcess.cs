using System.Diagnostics;

namespace Parks.AppHost;

/// <summary>
/// A service as its own process: <c>dotnet &lt;assembly&gt;</c> from its project folder (its content root, as with
/// <c>dotnet run</c>), configured through environment variables. Its output goes to the console under its name
/// (warnings and errors only, unless verbose). It watches the AppHost's process id and stops by itself if the
/// AppHost disappears without stopping it.
/// </summary>
internal sealed class ServiceProcess : RunningService
{
    private readonly Process _process;
    private readonly OutputTail _tail = new(40);
    private readonly TaskCompletionSource<string> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(ServiceInstance instance, int index, int grpcPort, int httpPort, Process process)
        : base(instance, index, grpcPort, httpPort) => _process = process;

    public int ProcessId => _process.Id;

    public override Task<string> Exited => _exited.Task;

    public override string RecentOutput => _tail.ToString();

    public static ServiceProcess Start(ServiceInstance instance, int index, int grpcPort, int httpPort,
        IReadOnlyDictionary<string, string> settings, Reporter reporter, bool verbose)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = instance.Build.ProjectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(instance.Build.AssemblyPath);
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        foreach (var (key, value) in instance.ProcessEnvironment) start.Environment.TryAdd(key, value);

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(instance, index, grpcPort, httpPort, process);
        var filter = new LogFilter(verbose);
        void OnLine(string? line)
        {
            if (line is null) return;
            service._tail.Add(line);
            if (filter.Show(line)) reporter.ServiceOutput(instance.AppId, index, line);
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            // Exited can fire before the last output events; WaitForExit() drains them.
            process.WaitForExit();
            service._exited.TrySetResult($"exited with code {process.ExitCode}");
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    public override async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return;
        if (Native.Terminate(_process.Id))
        {
            var exited = await Task.WhenAny(_exited.Task, Task.Delay(timeout));
            if (exited == _exited.Task) return;
        }
        Kill();
        await Task.WhenAny(_exited.Task, Task.Delay(TimeSpan.FromSeconds(5)));
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public override ValueTask DisposeAsync()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The dotnet host that runs this AppHost (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }
}

/// <summary>
/// Which lines of a service's simple-format console log to show: warnings and worse (with the lines that
/// continue them, such as stack traces), or everything when verbose.
/// </summary>
internal sealed class LogFilter(bool verbose)
{
    private bool _showingEntry;

    public bool Show(string line)
    {
        if (verbose) return true;
        var level = Level(line);
        if (level is not null) _showingEntry = level is "warn" or "fail" or "crit";
        else if (line.Length > 0 && !char.IsWhiteSpace(line[0])) _showingEntry = true; // not a log line: a crash on stderr
        return _showingEntry;
    }

    /// <summary>"info", "warn", ... for a simple-format line ("HH:mm:ss warn: Category[id] message"), else null.</summary>
    private static string? Level(string line)
    {
        var space = line.IndexOf(' ');
        var start = space == 8 && line.Length > 14 ? 9 : 0;
        if (line.Length < start + 5 || line[start + 4] != ':') return null;
        var level = line.Substring(start, 4);
        return level is "trce" or "dbug" or "info" or "warn" or "fail" or "crit" ? level : null;
    }
}
