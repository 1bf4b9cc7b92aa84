using System.CommandLine;
using Parks.Cli.Commands;
using Parks.Cli.Connection;
using Parks.Cli.Dynamic;
using Parks.Cli.Output;
using Parks.Rpc;

namespace Parks.Cli;

/// <summary>The parksctl commands and their options.</summary>
internal static class CommandLine
{
    private static readonly Option<string?> AddressOption = new("--address", "-a") { Description = "The gateway's gRPC address (default: PARKS_ADDRESS, the config file, or the running local run).", Recursive = true };
    private static readonly Option<string?> ApiKeyOption = new("--api-key") { Description = "Operator API key for the gateway (default: PARKS_API_KEY, the config file, or the local run's demo operator key).", Recursive = true };
    private static readonly Option<string?> InternalKeyOption = new("--internal-key") { Description = "The internal key, to call services directly as an operator (default: PARKS_INTERNAL_KEY, the config file, or the local run's).", Recursive = true };
    private static readonly Option<string?> ConfigOption = new("--config") { Description = "Config file (default ~/.config/parks/config.json).", Recursive = true };
    private static readonly Option<string?> RunFileOption = new("--run-file") { Description = "The local run's file (default ~/.config/parks/local-run.json, or PARKS_RUN_FILE).", Recursive = true };
    private static readonly Option<double> TimeoutOption = new("--timeout") { Description = "Deadline of each call, in seconds.", DefaultValueFactory = _ => 30, Recursive = true };

    public static RootCommand Build()
    {
        var root = new RootCommand("parksctl: operate a Parks deployment or local run — health, calls by reflection, imports, events, exports.")
        {
            AddressOption, ApiKeyOption, InternalKeyOption, ConfigOption, RunFileOption, TimeoutOption,
            Health(), Rpc(), Events(), Import(), Export(),
        };
        return root;
    }

    private static GlobalOptions Globals(ParseResult parse) => new(
        parse.GetValue(AddressOption), parse.GetValue(ApiKeyOption), parse.GetValue(InternalKeyOption),
        parse.GetValue(ConfigOption), parse.GetValue(RunFileOption), TimeSpan.FromSeconds(parse.GetValue(TimeoutOption)));

    /// <summary>Runs a command body, turning expected failures into a message and an exit code.</summary>
    private static void Run(Command command, Func<ParseResult, Target, TimeSpan, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var globals = Globals(parse);
                return await body(parse, Target.Resolve(globals), globals.Timeout, cancellationToken);
            }
            catch (CliException e)
            {
                Terminal.Error(e.Message);
                return e.ExitCode;
            }
            catch (ProtoJsonException e)
            {
                Terminal.Error("bad request JSON: " + e.Message);
                return 1;
            }
            catch (RpcException e)
            {
                Terminal.Error($"{e.StatusCode}: {e.Status.Detail}");
                return 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 130;
            }
        });

    private static Command Health()
    {
        var json = new Option<bool>("--json") { Description = "Print the results as JSON." };
        var gateway = new Option<bool>("--via-gateway") { Description = "Ask only the gateway (its own health and Health/List), not each service directly." };
        var command = new Command("health", "grpc.health.v1 of every service (readiness and liveness); exit code 1 when anything is not serving.") { json, gateway };
        Run(command, (parse, target, timeout, ct) => HealthCommand.RunAsync(target, timeout, parse.GetValue(json), parse.GetValue(gateway), ct));
        return command;
    }

    private static readonly Option<bool> DirectOption = new("--direct") { Description = "Call each unit's own service directly as an operator (the local run, or the config file's services) instead of the gateway." };

    private static Command Import()
    {
        var file = new Argument<string>("file") { Description = "A CSV file with a header row, or a JSON array (columns: unit, uscc, name, industry, registration_date, address, building)." };
        var unit = new Option<string?>("--unit") { Description = "The unit of rows that name none: a district id (lingshui), districts/{id} or parks/{id}." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only check the rows; send nothing." };
        var report = new Option<string?>("--report") { Description = "Also write the rejected rows to this file (.csv or .json)." };
        var json = new Option<bool>("--json") { Description = "Print the outcome as JSON." };
        var enterprises = new Command("enterprises", "Registers the enterprises of a list (idempotent); reports rejected rows and why, loading the rest. Exit code 2 when rows were rejected.")
        {
            file, unit, dryRun, report, json, DirectOption,
        };
        Run(enterprises, (parse, target, timeout, ct) => ImportCommand.RunAsync(target, parse.GetRequiredValue(file), parse.GetValue(unit),
            parse.GetValue(DirectOption), parse.GetValue(dryRun), parse.GetValue(report), parse.GetValue(json), timeout, ct));
        return new Command("import", "Loads data from files through the services' RPCs.") { enterprises };
    }

    private static Command Export()
    {
        var what = new Argument<string>("what") { Description = "enterprises, indicators or payouts." };
        what.AcceptOnlyFromAmong([.. ExportCommand.Kinds.Keys]);
        var unit = new Option<string[]>("--unit") { Description = "Only these units (lingshui, districts/{id}, parks/{id}; repeatable). Default: all." };
        var format = new Option<string>("--format", "-f") { Description = "csv or json.", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "json");
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output." };
        var command = new Command("export", "Exports enterprises, indicators or payouts to CSV or JSON.") { what, unit, format, output, DirectOption };
        Run(command, (parse, target, timeout, ct) => ExportCommand.RunAsync(target, parse.GetRequiredValue(what), parse.GetValue(unit) ?? [],
            parse.GetRequiredValue(format), parse.GetValue(output), parse.GetValue(DirectOption), timeout, ct));
        return command;
    }

    private static Command Events()
    {
        var services = new Option<string[]>("--service", "-s") { Description = "Only these services (app ids; repeatable). Default: every service." };
        var type = new Option<string[]>("--type", "-t") { Description = "Only events of this type, e.g. parks.events.v1.EnterpriseRegistered (repeatable)." };
        var district = new Option<string?>("--district") { Description = "Only events about this district (lingshui, …) or unit (parks/jinpu)." };
        var json = new Option<bool>("--json") { Description = "One JSON object per event (or per dead letter)." };
        var count = new Option<int?>("--count", "-n") { Description = "Stop after this many events." };
        var tail = new Command("tail", "Follow the events the services publish and receive, live, until Ctrl-C, --count events, or every followed service stops (exit 1).") { services, type, district, json, count };
        Run(tail, (parse, target, timeout, ct) => EventsCommands.TailAsync(target, parse.GetValue(services) ?? [], parse.GetValue(type) ?? [],
            parse.GetValue(district), parse.GetValue(json), parse.GetValue(count), ct));

        var list = new Command("dead-letters", "The dead letters of every service (or --service); 'replay' or 'discard' one.") { services, json };
        Run(list, (parse, target, timeout, ct) => EventsCommands.ListDeadLettersAsync(target, parse.GetValue(services) ?? [], parse.GetValue(json), timeout, ct));
        var one = new Option<string?>("--service", "-s") { Description = "The service that has it (default: search them all)." };
        var replay = new Command("replay", "Deliver a dead-lettered event to its service's handlers again.") { new Argument<string>("event-id"), one };
        Run(replay, (parse, target, timeout, ct) => EventsCommands.SettleDeadLetterAsync(target, parse.GetRequiredValue<string>("event-id"), parse.GetValue(one), discard: false, timeout, ct));
        var discard = new Command("discard", "Remove a dead letter without handling it.") { new Argument<string>("event-id"), one };
        Run(discard, (parse, target, timeout, ct) => EventsCommands.SettleDeadLetterAsync(target, parse.GetRequiredValue<string>("event-id"), parse.GetValue(one), discard: true, timeout, ct));
        list.Add(replay);
        list.Add(discard);

        return new Command("events", "The event bus: follow events, inspect and replay dead letters (operator identity, services called directly).") { tail, list };
    }

    private static readonly Option<string?> ServiceOption = new("--service", "-s") { Description = "Call this service directly (app id, e.g. parks-district-lingshui) as an operator instead of the gateway.", Recursive = true };

    private static Command Rpc()
    {
        var list = new Command("list", "The services a server has, or the methods of one.") { new Argument<string?>("service") { Arity = ArgumentArity.ZeroOrOne } };
        Run(list, (parse, target, timeout, ct) =>
            RpcCommands.ListAsync(target.For(parse.GetValue(ServiceOption)), parse.GetValue<string?>("service"), timeout, ct));

        var describe = new Command("describe", "A service, method, message, enum or field, as .proto text with comments.") { new Argument<string>("symbol") };
        Run(describe, (parse, target, timeout, ct) =>
            RpcCommands.DescribeAsync(target.For(parse.GetValue(ServiceOption)), parse.GetRequiredValue<string>("symbol"), timeout, ct));

        var data = new Option<string?>("--data", "-d") { Description = "The request as JSON; @file reads a file, @- standard input. Default: {}." };
        var header = new Option<string[]>("--header", "-H") { Description = "Extra metadata 'name: value' (repeatable).", AllowMultipleArgumentsPerToken = false };
        var emitDefaults = new Option<bool>("--emit-defaults") { Description = "Print fields that have their default value." };
        var call = new Command("call", "Calls a method (pkg.Service/Method) with a JSON request and prints the JSON response(s).")
        {
            new Argument<string>("method"), data, header, emitDefaults,
        };
        Run(call, (parse, target, timeout, ct) => RpcCommands.CallAsync(target.For(parse.GetValue(ServiceOption)),
            parse.GetRequiredValue<string>("method"), parse.GetValue(data), parse.GetValue(header) ?? [], parse.GetValue(emitDefaults), timeout, ct));

        return new Command("rpc", "Discover and call any service by reflection, grpcurl-style, JSON in and out.") { ServiceOption, list, describe, call };
    }
}
