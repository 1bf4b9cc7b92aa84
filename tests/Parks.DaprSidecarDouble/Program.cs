using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Parks.DaprSidecarDouble;

// Runs the double as a process next to an app: configuration from the command line or environment, e.g.
//   dotnet Parks.DaprSidecarDouble.dll --AppId parks-finance --AppPort 8081 --HttpPort 3500 --Redis 127.0.0.1:6379
// (environment: DAPRDOUBLE_AppId=..., with DAPR_API_TOKEN / APP_API_TOKEN as daprd reads them).
var configuration = new ConfigurationBuilder()
    .AddEnvironmentVariables("DAPRDOUBLE_")
    .AddCommandLine(args)
    .Build();
var options = new DaprSidecarDoubleOptions
{
    DaprApiToken = Environment.GetEnvironmentVariable("DAPR_API_TOKEN"),
    AppApiToken = Environment.GetEnvironmentVariable("APP_API_TOKEN"),
};
configuration.Bind(options);
using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole());
await using var sidecar = await SidecarDouble.StartNewAsync(options, loggerFactory);
Console.WriteLine($"dapr sidecar double for {options.AppId} listening on {sidecar.HttpEndpoint}");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;
