using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Parks.Hosting.Embedded;

namespace Parks.Tools.Tests.Support;

/// <summary>
/// The built AppHost as a process, on free ports with its own run file, started directly (not through a shell,
/// so SIGINT reaches it as Ctrl-C does). Remembers the processes it started, to check that none outlives it.
/// </summary>
internal sealed partial class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppHostProcess(Process process, string runFile)
    {
        _process = process;
        RunFile = runFile;
    }

    public string RunFile { get; }

    public int ProcessId => _process.Id;

    public string Output => string.Join("\n", _output);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static AppHostProcess Start(params string[] flags)
    {
        RestoreSigIntIfIgnored();
        var runFile = Path.Combine(Path.GetTempPath(), $"parks-apphost-test-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Repo.AppHostDll);
        foreach (var flag in (string[])["--gateway-http-port", "0", "--gateway-grpc-port", "0", "--port-base", "0", "--run-file", runFile, .. flags])
            start.ArgumentList.Add(flag);
        start.Environment["NO_COLOR"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("the AppHost did not start");
        var host = new AppHostProcess(process, runFile);
        void OnLine(string? line)
        {
            if (line is null) return;
            host._output.Enqueue(line);
            if (line.StartsWith("Parks is ready", StringComparison.Ordinal) || line.StartsWith("Parks is running", StringComparison.Ordinal)) host._ready.TrySetResult();
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits for the banner; fails with the output if the AppHost ends or takes too long.</summary>
    public async Task<LocalRunFile> WaitReadyAsync()
    {
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(_ready.Task, exited, Task.Delay(TimeSpan.FromMinutes(3)));
        if (done != _ready.Task) throw new InvalidOperationException("The AppHost did not get ready:\n" + Output);
        Assert.DoesNotContain("not ready", Output, StringComparison.Ordinal);
        return LocalRunFile.Load(RunFile) ?? throw new InvalidOperationException("The AppHost wrote no run file:\n" + Output);
    }

    /// <summary>The processes whose parent is the AppHost (the services, a redis watchdog).</summary>
    public IReadOnlyList<int> Children() => [.. Directory.EnumerateDirectories("/proc")
        .Select(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
        .Where(pid => pid > 0 && ParentOf(pid) == _process.Id)];

    public static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    public static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    /// <summary>SIGINT, what Ctrl-C sends.</summary>
    public void Interrupt() => Kill(_process.Id, SigInt);

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL: the AppHost crashes without stopping anything.</summary>
    public void Crash() => _process.Kill(entireProcessTree: false);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Interrupt();
            if (!await WaitForExitAsync(TimeSpan.FromSeconds(40))) _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
        File.Delete(RunFile);
    }

    /// <summary>
    /// A test run started in the background by a non-interactive shell (<c>nohup ./test.sh &amp;</c>) inherits SIGINT
    /// ignored, and so would the AppHost: the .NET runtime keeps an inherited SIG_IGN, so Ctrl-C could not reach it.
    /// This process then has no SIGINT handler of its own (the runtime kept the disposition), so the default
    /// disposition is restored for the AppHost to inherit.
    /// </summary>
    private static void RestoreSigIntIfIgnored()
    {
        var ignored = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        if (ignored is null || (Convert.ToUInt64(ignored["SigIgn:".Length..].Trim(), 16) & (1UL << (SigInt - 1))) == 0) return;
        Signal(SigInt, 0);  // SIG_DFL
    }

    private const int SigInt = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);
}
