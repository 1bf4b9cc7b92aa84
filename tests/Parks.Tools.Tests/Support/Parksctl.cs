using System.Diagnostics;
using System.Text;

namespace Parks.Tools.Tests.Support;

/// <summary>The built parksctl, run as a process the way an operator runs it.</summary>
internal static class Parksctl
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    /// <summary>Runs parksctl to completion (killing it after <paramref name="timeout"/>).</summary>
    public static async Task<Result> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null, string? input = null)
    {
        using var process = Start(args, environment, input is not null);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"parksctl {string.Join(' ', args)} did not finish: {await output}{await error}");
        }
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a started process to exit and, when it has, for its asynchronous output
    /// handlers to see the last line (Process.WaitForExit with a timeout returns before they have).
    /// </summary>
    public static bool WaitForExit(Process process, TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout)) return false;
        process.WaitForExit();
        return true;
    }

    /// <summary>Starts parksctl and leaves it running (for tails); output is read by the caller.</summary>
    public static Process Start(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, bool redirectInput = false)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Repo.ParksctlDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Never pick up the developer's own config or local run by accident.
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "parks-tests-no-config");
        start.Environment.Remove("PARKS_ADDRESS");
        start.Environment.Remove("PARKS_API_KEY");
        start.Environment.Remove("PARKS_INTERNAL_KEY");
        start.Environment.Remove("PARKS_RUN_FILE");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return Process.Start(start) ?? throw new InvalidOperationException("parksctl did not start");
    }
}
