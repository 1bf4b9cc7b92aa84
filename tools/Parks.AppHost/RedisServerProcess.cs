using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Parks.AppHost;

/// <summary>
/// A redis-server for the run: its own port on loopback and its own temporary directory (deleted on stop), no
/// persistence. It runs under a small shell watchdog that stops it when the AppHost's process is gone, since
/// redis-server cannot watch its parent itself.
/// </summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly OutputTail _tail = new(40);

    private RedisServerProcess(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>The redis-server to use: the configured one, or the one on PATH; null when there is none.</summary>
    public static string? Find(string? configured)
    {
        if (!string.IsNullOrEmpty(configured)) return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static async Task<RedisServerProcess> StartAsync(string executable, int port, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("parks-redis-").FullName;
        var arguments = string.Join(' ', new[]
        {
            Quote(executable), "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", Quote(directory), "--save", "''", "--appendonly", "no", "--protected-mode", "yes",
        });
        // The watchdog: start redis, then poll the AppHost's pid; whichever ends first, take redis down with it.
        var script = $"{arguments} & r=$!; trap 'kill $r 2>/dev/null' TERM INT; " +
            $"while kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 $r 2>/dev/null; do sleep 1; done; kill $r 2>/dev/null; wait $r";
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        var server = new RedisServerProcess(process, directory, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) server._tail.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) server._tail.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (!await PingAsync(port, timeout.Token))
        {
            if (process.HasExited || timeout.IsCancellationRequested)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"redis-server did not start on port {port}:{Environment.NewLine}{server._tail}");
            }
            await Task.Delay(50, CancellationToken.None);
        }
        return server;
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>True when the server answers PING with PONG (RESP, no client library needed).</summary>
    private static async Task<bool> PingAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return read >= 5 && System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Native.Terminate(_process.Id);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // redis may still be writing as it exits; the directory is under the system temp folder
        }
    }
}
