using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Parks.AppHost;

// `dotnet run --project tools/Parks.AppHost [-- options]`: the whole suite on this machine. Settings come from
// Parks:AppHost:* (appsettings.json next to the AppHost, environment variables) and the flags below override them.
var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables()
    .Build();
var defaults = configuration.GetSection("Parks:AppHost").Get<AppHostOptions>() ?? new AppHostOptions();

var singleProcess = new Option<bool>("--single-process") { Description = "Host every service in this process (each on its own ports): the quickest start." };
var redis = new Option<bool>("--redis") { Description = "Start a redis-server (from PATH or Parks:AppHost:RedisServer) and use Redis state and events." };
var gatewayHttp = new Option<int>("--gateway-http-port") { Description = "The gateway's HTTP port (dashboard, REST); 0 for any free port.", DefaultValueFactory = _ => defaults.GatewayHttpPort };
var gatewayGrpc = new Option<int>("--gateway-grpc-port") { Description = "The gateway's gRPC port; 0 for any free port.", DefaultValueFactory = _ => defaults.GatewayGrpcPort };
var portBase = new Option<int>("--port-base") { Description = "First of the fixed local ports of the other services (n and n+100); 0 for free ports.", DefaultValueFactory = _ => defaults.PortBase };
var noDemo = new Option<bool>("--no-demo-data") { Description = "Load only the real seed data, not the labelled demo data set." };
var verbose = new Option<bool>("--verbose", "-v") { Description = "Show every log line of the services, not only warnings and errors." };
var runFile = new Option<string?>("--run-file") { Description = "Where to write the run file parksctl reads (default ~/.config/parks/local-run.json)." };

var root = new RootCommand("Runs the whole Parks suite locally: Science City, six districts, branch parks, talent, finance and the gateway.")
{
    singleProcess, redis, gatewayHttp, gatewayGrpc, portBase, noDemo, verbose, runFile,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var options = defaults with
    {
        SingleProcess = defaults.SingleProcess || parse.GetValue(singleProcess),
        Redis = defaults.Redis || parse.GetValue(redis),
        GatewayHttpPort = parse.GetValue(gatewayHttp),
        GatewayGrpcPort = parse.GetValue(gatewayGrpc),
        PortBase = parse.GetValue(portBase),
        DemoData = defaults.DemoData && !parse.GetValue(noDemo),
        Verbose = defaults.Verbose || parse.GetValue(verbose),
        RunFile = parse.GetValue(runFile) ?? defaults.RunFile,
    };
    return await new LocalRun(options, Reporter.ForConsole(), AppContext.BaseDirectory).RunAsync(cancellationToken);
});
// Ctrl-C / SIGTERM cancel the action's token; the run then stops every service (each may drain for
// StopTimeout) before the process ends, so give it that long and a little more.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = defaults.StopTimeout + TimeSpan.FromSeconds(15) });
