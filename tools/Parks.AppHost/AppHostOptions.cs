namespace Parks.AppHost;

/// <summary>How the local run is set up: flags, or <c>Parks:AppHost:*</c> in the AppHost's appsettings.json or environment.</summary>
internal sealed record AppHostOptions
{
    /// <summary>Every service in the AppHost process (each still on its own ports) instead of one process each.</summary>
    public bool SingleProcess { get; init; }

    /// <summary>Run a redis-server and use Redis state and events. Implied when <see cref="RedisServer"/> is set.</summary>
    public bool Redis { get; init; }

    /// <summary>The redis-server executable; default: the one on PATH.</summary>
    public string? RedisServer { get; init; }

    public int GatewayHttpPort { get; init; } = 8080;

    public int GatewayGrpcPort { get; init; } = 8081;

    /// <summary>
    /// Fixed local ports: the backplane gets base (gRPC) and base+100 (HTTP), service n base+n and base+100+n.
    /// 0: free ports chosen by the system.
    /// </summary>
    public int PortBase { get; init; } = 7100;

    public bool DemoData { get; init; } = true;

    /// <summary>Show every log line of the services, not only their warnings and errors.</summary>
    public bool Verbose { get; init; }

    /// <summary>Where to write the run file parksctl reads (addresses, credentials); default ~/.config/parks/local-run.json.</summary>
    public string? RunFile { get; init; }

    /// <summary>How long to wait for every service to be ready before reporting the ones that are not.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long a service may take to stop after SIGTERM before it is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
