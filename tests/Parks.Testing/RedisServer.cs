using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Parks.Testing;

/// <summary>
/// A real <c>redis-server</c> child process (the Debian package; ./test.sh installs it) on a free port with its
/// own data directory. It can be stopped, killed and started again on the same port and directory (restart
/// tests), paused with SIGSTOP and resumed (stall tests), and it is killed on dispose or when the test process
/// exits.
/// </summary>
public sealed partial class RedisServer : IAsyncDisposable
{
    private static readonly Lock LiveGate = new();
    private static readonly HashSet<RedisServer> Live = [];

    private readonly RedisServerOptions _options;
    private readonly OutputTail _output = new(200);
    private Process? _process;
    private bool _paused;

    static RedisServer() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAllLive();

    public RedisServer(RedisServerOptions? options = null)
    {
        _options = options ?? new RedisServerOptions();
        DataDirectory = Directory.CreateTempSubdirectory("parks-redis-").FullName;
    }

    public int Port { get; private set; }

    public string DataDirectory { get; }

    /// <summary>StackExchange.Redis configuration string for this server.</summary>
    public string ConnectionString => _options.Password is { } password ? $"127.0.0.1:{Port},password={password}" : $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the server (first start: a free port) and waits until it answers PING.</summary>
    public static async Task<RedisServer> StartNewAsync(RedisServerOptions? options = null)
    {
        var server = new RedisServer(options);
        try
        {
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async Task StartAsync()
    {
        if (IsRunning) throw new InvalidOperationException("redis-server is already running");
        var firstStart = Port == 0;
        for (var attempt = 1; ; attempt++)
        {
            if (firstStart) Port = FreeTcpPort.Next();
            try
            {
                await LaunchAsync();
                return;
            }
            catch (RedisServerStartException) when (firstStart && attempt < 3 && _output.Text.Contains("Address already in use", StringComparison.Ordinal))
            {
                // Another process took the port between our probe and redis' bind: pick another.
            }
        }
    }

    /// <summary>Graceful stop (SIGTERM): redis flushes its append-only file if it has one.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process) return;
        if (_paused) Resume();
        if (!process.HasExited) Signal(process.Id, SigTerm);
        await WaitForExitAsync(process);
        Forget();
    }

    /// <summary>Crash (SIGKILL): whatever redis had not written is lost.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process) return;
        if (!process.HasExited) process.Kill();
        await WaitForExitAsync(process);
        _paused = false;
        Forget();
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open but nothing answers.</summary>
    public void Pause()
    {
        if (_process is not { HasExited: false } process) throw new InvalidOperationException("redis-server is not running");
        Signal(process.Id, SigStop);
        _paused = true;
    }

    public void Resume()
    {
        if (_process is not { HasExited: false } process) throw new InvalidOperationException("redis-server is not running");
        Signal(process.Id, SigCont);
        _paused = false;
    }

    /// <summary>What redis-server printed last (for failure messages).</summary>
    public string RecentOutput => _output.Text;

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open (the process was just killed); the temp directory is cleaned eventually.
        }
    }

    private async Task LaunchAsync()
    {
        var info = new ProcessStartInfo(_options.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = DataDirectory,
        };
        foreach (var arg in Arguments()) info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new RedisServerStartException("redis-server did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new RedisServerStartException(
                $"cannot run '{_options.Executable}' ({e.Message}); install the Debian package redis-server (./test.sh does)");
        }
        process.OutputDataReceived += (_, e) => _output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => _output.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        lock (LiveGate) Live.Add(this);

        var deadline = DateTime.UtcNow + _options.StartTimeout;
        while (true)
        {
            if (process.HasExited)
            {
                Forget();
                throw new RedisServerStartException($"redis-server exited with code {process.ExitCode}: {_output.Text}");
            }
            if (await AnswersPingAsync()) return;
            if (DateTime.UtcNow > deadline)
            {
                await KillAsync();
                throw new RedisServerStartException($"redis-server did not answer PING on port {Port} within {_options.StartTimeout}: {_output.Text}");
            }
            await Task.Delay(20);
        }
    }

    private IEnumerable<string> Arguments()
    {
        string[] args =
        [
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--dir", DataDirectory,
            "--save", "",
            "--appendonly", _options.AppendOnly ? "yes" : "no",
            "--appendfsync", _options.AppendFsync,
            "--daemonize", "no",
            "--protected-mode", "no",
            "--logfile", "",
            "--loglevel", "warning",
        ];
        var auth = _options.Password is { } password ? new[] { "--requirepass", password } : [];
        return args.Concat(auth).Concat(_options.ExtraArguments);
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
            var stream = client.GetStream();
            if (_options.Password is { } password)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"AUTH {password}\r\n"), timeout.Token);
                var ok = new byte[64];
                if (!Encoding.ASCII.GetString(ok, 0, await stream.ReadAsync(ok, timeout.Token)).StartsWith("+OK", StringComparison.Ordinal)) return false;
            }
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            // "-LOADING ..." while an append-only file is replayed: not ready yet.
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task WaitForExitAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
    }

    private void Forget()
    {
        _process?.Dispose();
        _process = null;
        lock (LiveGate) Live.Remove(this);
    }

    private static void KillAllLive()
    {
        lock (LiveGate)
        {
            foreach (var server in Live)
            {
                try
                {
                    if (server._process is { HasExited: false } p) p.Kill();
                }
                catch (InvalidOperationException)
                {
                    // already gone
                }
            }
        }
    }

    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;

    private static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

public sealed class RedisServerOptions
{
    public string Executable { get; init; } = "redis-server";

    /// <summary>Keep an append-only file in the data directory so data survives a restart.</summary>
    public bool AppendOnly { get; init; }

    /// <summary><c>always</c>, <c>everysec</c> or <c>no</c> (only with <see cref="AppendOnly"/>).</summary>
    public string AppendFsync { get; init; } = "everysec";

    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>Clients must AUTH with this (redis <c>requirepass</c>), as the deployed Redis requires.</summary>
    public string? Password { get; init; }

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);
}

public sealed class RedisServerStartException(string message) : Exception(message);

/// <summary>The last lines a child process printed, for failure messages.</summary>
public sealed class OutputTail(int capacity)
{
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    public void Add(string? line)
    {
        if (line is null) return;
        lock (_gate)
        {
            _lines.Enqueue(line);
            while (_lines.Count > capacity) _lines.Dequeue();
        }
    }

    public string Text
    {
        get
        {
            lock (_gate) return string.Join('\n', _lines);
        }
    }
}
