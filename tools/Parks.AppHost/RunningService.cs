namespace Parks.AppHost;

/// <summary>A started service: where it listens, how it ends, and how to stop it.</summary>
internal abstract class RunningService(ServiceInstance instance, int index, int grpcPort, int httpPort) : IAsyncDisposable
{
    public ServiceInstance Instance { get; } = instance;

    /// <summary>Position in the catalogue (colours the output prefix).</summary>
    public int Index { get; } = index;

    public int GrpcPort { get; } = grpcPort;

    public int HttpPort { get; } = httpPort;

    public string GrpcAddress => $"http://127.0.0.1:{GrpcPort}";

    public string HttpAddress => $"http://127.0.0.1:{HttpPort}";

    /// <summary>Completes when the service has ended, with a description of how.</summary>
    public abstract Task<string> Exited { get; }

    /// <summary>The last lines it wrote (for failure reports).</summary>
    public abstract string RecentOutput { get; }

    /// <summary>Stops gracefully, and forcibly once <paramref name="timeout"/> has passed.</summary>
    public abstract Task StopAsync(TimeSpan timeout);

    public abstract ValueTask DisposeAsync();
}

/// <summary>The last lines of a process's output.</summary>
internal sealed class OutputTail(int capacity)
{
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    public void Add(string line)
    {
        lock (_gate)
        {
            _lines.Enqueue(line);
            while (_lines.Count > capacity) _lines.Dequeue();
        }
    }

    public override string ToString()
    {
        lock (_gate) return string.Join(Environment.NewLine, _lines);
    }
}
