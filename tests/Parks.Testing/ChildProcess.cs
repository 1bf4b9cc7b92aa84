using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Parks.Testing;

/// <summary>
/// A process the test starts and may kill (SIGKILL) to simulate a crash; its output is kept for failure messages,
/// and it is killed on dispose or when the test process exits.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private static readonly Lock LiveGate = new();
    private static readonly HashSet<Process> Live = [];

    private readonly Process _process;
    private readonly OutputTail _output = new(300);

    static ChildProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        lock (LiveGate)
        {
            foreach (var process in Live)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // already gone
                }
            }
        }
    };

    private ChildProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Runs <c>dotnet {assemblyPath}</c> with extra environment variables (configuration: <c>A__B=value</c>).</summary>
    public static ChildProcess StartDotnet(string assemblyPath, IReadOnlyDictionary<string, string?> environment)
    {
        if (!File.Exists(assemblyPath)) throw new FileNotFoundException($"cannot start {assemblyPath}: not built", assemblyPath);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
        };
        info.ArgumentList.Add(assemblyPath);
        // A Parks service exits by itself when this process is gone (Parks:Hosting:ParentProcessId), so a test run
        // killed on a timeout leaves no service behind holding its ports.
        info.Environment["Parks__Hosting__ParentProcessId"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {assemblyPath}");
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child._output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child._output.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (LiveGate) Live.Add(process);
        return child;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The process's resident set in KiB, from /proc/&lt;pid&gt;/status (Linux); 0 once the process is gone.</summary>
    public long ResidentKiB()
    {
        try
        {
            var line = File.ReadLines($"/proc/{Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public string Output => _output.Text;

    /// <summary>Waits for the process to end by itself (e.g. after it killed itself on purpose).</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {_process.Id} did not exit within {timeout}; output:\n{Output}");
        }
    }

    /// <summary>SIGTERM: the graceful stop Kubernetes sends (the host drains, then exits).</summary>
    public void Terminate()
    {
        if (_process.HasExited) return;
        if (Kill(_process.Id, 15) != 0) throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            lock (LiveGate) Live.Remove(_process);
            _process.Dispose();
        }
    }
}
