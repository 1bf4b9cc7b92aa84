using System.Diagnostics;
using System.Text.Json;
using Grpc.Health.V1;
using Parks.Cli.Connection;
using Parks.Cli.Output;
using Parks.Rpc;
using Spectre.Console;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Parks.Cli.Commands;

/// <summary>One row of <c>parksctl health</c>.</summary>
internal sealed record HealthRow(string Service, string Address, string Readiness, string Liveness, double LatencyMs, string? Error)
{
    public bool Serving => Readiness == "SERVING" && Liveness == "SERVING";
}

/// <summary>
/// grpc.health.v1 of every service: each one directly when parksctl knows them (the local run, or the config
/// file's "services"), plus the gateway; through the gateway's Health/List otherwise. Readiness is the
/// "readiness" service, liveness the overall "" service. Exit code 1 when anything is not serving.
/// </summary>
internal static class HealthCommand
{
    public static async Task<int> RunAsync(Target target, TimeSpan timeout, bool json, bool viaGateway, CancellationToken cancellationToken)
    {
        var endpoints = new List<Endpoint>();
        if (!viaGateway) endpoints.AddRange(target.AllServices());
        if (target.GatewayAddress is not null) endpoints.Add(target.Gateway());
        if (endpoints.Count == 0)
            throw new CliException("Nothing to check: no local run is running and no address is configured (--address, PARKS_ADDRESS, ~/.config/parks/config.json).");

        List<HealthRow> rows;
        if (viaGateway || !target.Services.Any())
        {
            rows = [await CheckAsync(target.Gateway(), timeout, cancellationToken), .. await ListThroughAsync(target.Gateway(), timeout, cancellationToken)];
        }
        else
        {
            rows = [.. await Task.WhenAll(endpoints.Select(e => CheckAsync(e, timeout, cancellationToken)))];
        }

        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(rows.Select(r => new
            {
                service = r.Service, address = r.Address, readiness = r.Readiness, liveness = r.Liveness,
                latencyMs = Math.Round(r.LatencyMs, 1), serving = r.Serving, error = r.Error,
            }), Json.Indented));
        }
        else
        {
            string[] columns = ["SERVICE", "ADDRESS", "READINESS", "LIVENESS", "LATENCY"];
            var cells = rows.Select(r => new[] { r.Service, r.Address, r.Readiness, r.Liveness, r.Error is null ? $"{r.LatencyMs:0.0} ms" : r.Error }).ToList();
            if (Terminal.IsInteractive)
            {
                var table = new Table().AddColumns(columns);
                foreach (var row in cells) table.AddRow(Markup.Escape(row[0]), Markup.Escape(row[1]), Status(row[2]), Status(row[3]), Markup.Escape(row[4]));
                Terminal.Out.Write(table);
            }
            else
            {
                PlainTable.Write(Console.Out, columns, cells);
            }
            var bad = rows.Count(r => !r.Serving);
            Terminal.Out.MarkupLine(bad == 0 ? $"[green]All {rows.Count} serving.[/]" : $"[red]{bad} of {rows.Count} not serving.[/]");
        }
        return rows.All(r => r.Serving) ? 0 : 1;
    }

    private static string Status(string status) => status switch
    {
        "SERVING" => "[green]SERVING[/]",
        _ => $"[red]{Markup.Escape(status)}[/]",
    };

    private static async Task<HealthRow> CheckAsync(Endpoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var channel = RpcChannel.ForAddress(endpoint.Address);
        var health = new Health.HealthClient(channel);
        var watch = Stopwatch.StartNew();
        try
        {
            var options = new CallOptions(endpoint.Headers, DateTime.UtcNow + timeout, cancellationToken);
            var readiness = health.CheckAsync(new HealthCheckRequest { Service = "readiness" }, options);
            var liveness = health.CheckAsync(new HealthCheckRequest(), options);
            var (ready, live) = (await Outcome(readiness), await Outcome(liveness));
            return new HealthRow(endpoint.Name, endpoint.Address, ready, live, watch.Elapsed.TotalMilliseconds, null);
        }
        catch (RpcException e)
        {
            return new HealthRow(endpoint.Name, endpoint.Address, "UNREACHABLE", "UNREACHABLE", watch.Elapsed.TotalMilliseconds, $"{e.StatusCode}: {e.Status.Detail}");
        }
    }

    /// <summary>A status name, or NOT_FOUND when the server does not know the health-check service.</summary>
    private static async Task<string> Outcome(AsyncUnaryCall<HealthCheckResponse> call)
    {
        try
        {
            return Name((await call).Status);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return "NOT_FOUND";
        }
    }

    private static string Name(ServingStatus status) => status switch
    {
        ServingStatus.Serving => "SERVING",
        ServingStatus.NotServing => "NOT_SERVING",
        ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
        _ => "UNKNOWN",
    };

    /// <summary>What the gateway reports of the services behind it (Health/List entries other than its own).</summary>
    private static async Task<IEnumerable<HealthRow>> ListThroughAsync(Endpoint gateway, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var channel = RpcChannel.ForAddress(gateway.Address);
        var health = new Health.HealthClient(channel);
        try
        {
            var list = await health.ListAsync(new HealthListRequest(), new CallOptions(gateway.Headers, DateTime.UtcNow + timeout, cancellationToken));
            return list.Statuses
                // Entries named like gRPC services ("pkg.Service") are the gateway's own; backends would be route names.
                .Where(s => s.Key.Length > 0 && s.Key != "readiness" && !s.Key.Contains('.', StringComparison.Ordinal))
                .OrderBy(s => s.Key, StringComparer.Ordinal)
                .Select(s => new HealthRow(s.Key, "(through the gateway)", Name(s.Value.Status), Name(s.Value.Status), 0, null));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            return [];
        }
    }
}
