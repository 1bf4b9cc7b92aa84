using System.Diagnostics;

namespace Parks.Deploy.Tests.Infrastructure;

/// <summary>The result of running an external tool to completion.</summary>
internal sealed record ToolResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Throws with the tool's output when it did not exit with 0.</summary>
    public ToolResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`{Command}` exited with {ExitCode}.\nstderr:\n{StandardError}\nstdout:\n{StandardOutput}");
        }

        return this;
    }
}

/// <summary>Runs kubectl, node, yamllint and scripts the way an operator or CI would.</summary>
internal static class Tool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static ToolResult Run(string fileName, IEnumerable<string> arguments, string? standardInput = null,
        string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = standardInput is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repo.Root,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var command = $"{fileName} {string.Join(' ', startInfo.ArgumentList)}";
        using var process = StartOrExplain(startInfo, command);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }

        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{command}` did not finish within {Timeout.TotalSeconds} s.");
        }

        return new ToolResult(command, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static Process StartOrExplain(ProcessStartInfo startInfo, string command)
    {
        try
        {
            return Process.Start(startInfo) ?? throw new InvalidOperationException($"`{command}` did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"`{startInfo.FileName}` is not installed or not on PATH ({e.Message}); ./test.sh installs the test tools.", e);
        }
    }
}
