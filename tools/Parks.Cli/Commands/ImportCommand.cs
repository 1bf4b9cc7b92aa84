using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Google.Rpc;
using Parks.Cli.Connection;
using Parks.Cli.Dynamic;
using Parks.Cli.Output;
using Parks.Hosting.Rpc;
using Parks.Rpc;
using Spectre.Console;

namespace Parks.Cli.Commands;

/// <summary>What an import did.</summary>
internal sealed record ImportReport(int Rows, int Created, int AlreadyPresent, IReadOnlyList<Rejection> Rejected);

/// <summary>
/// <c>parksctl import enterprises &lt;file&gt;</c>: registers the enterprises of a CSV or JSON list through
/// parks.units.v1.EnterpriseService/CreateEnterprise (the gateway routes each to its district or branch park).
/// Idempotent: each row's request id is derived from its content, so running the same file again creates
/// nothing twice, and an enterprise already registered in that unit counts as present. Rows that fail the local
/// checks or that the service rejects are reported with the reason; the others are loaded regardless.
/// </summary>
internal static class ImportCommand
{
    public const string CreateMethod = "parks.units.v1.EnterpriseService/CreateEnterprise";
    public const string GetMethod = "parks.units.v1.EnterpriseService/GetEnterprise";
    private const int Parallelism = 4;

    public static async Task<int> RunAsync(Target target, string file, string? defaultUnit, bool direct, bool dryRun, string? reportPath, bool json,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var rows = EnterpriseRows.Read(file);
        var report = await ImportAsync(target, rows, defaultUnit, direct, dryRun, timeout, cancellationToken);
        Print(report, json, dryRun);
        if (reportPath is not null) WriteReport(reportPath, report);
        return report.Rejected.Count == 0 ? 0 : 2;
    }

    public static async Task<ImportReport> ImportAsync(Target target, IReadOnlyList<EnterpriseRow> rows, string? defaultUnit, bool direct, bool dryRun,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var rejected = new List<Rejection>();
        var valid = new List<(EnterpriseRow Row, string Unit, Dictionary<string, object?> Enterprise)>();
        var firstRowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var (enterprise, unit, rejection) = EnterpriseRows.Validate(row, defaultUnit);
            if (rejection is not null)
            {
                rejected.Add(rejection);
                continue;
            }
            var uscc = (string)enterprise!["uscc"]!;
            if (firstRowOf.TryGetValue(uscc, out var first))
            {
                rejected.Add(new Rejection(row.Row, uscc, "uscc", $"the same credit code as row {first}: one enterprise is registered in one place"));
                continue;
            }
            firstRowOf[uscc] = row.Row;
            valid.Add((row, unit!, enterprise));
        }
        if (dryRun) return new ImportReport(rows.Count, 0, 0, Sorted(rejected));

        using var routing = new UnitRouting(target, direct, timeout);
        var created = 0;
        var present = 0;
        var done = 0;
        var progress = new ImportProgress(valid.Count);
        await progress.RunAsync(async report =>
        {
            await Parallel.ForEachAsync(valid, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (item, ct) =>
            {
                var outcome = await CreateAsync(routing.For(item.Unit), item.Unit, item.Enterprise, ct);
                lock (rejected)
                {
                    if (outcome is Outcome.Rejected r) rejected.Add(r.Rejection with { Row = item.Row.Row });
                    else if (ReferenceEquals(outcome, Outcome.Created)) created++;
                    else present++;
                    report(++done);
                }
            });
        });
        return new ImportReport(rows.Count, created, present, Sorted(rejected));
    }

    private static List<Rejection> Sorted(List<Rejection> rejected) => [.. rejected.OrderBy(r => r.Row)];

    private abstract record Outcome
    {
        public static readonly Outcome Created = new CreatedOutcome();
        public static readonly Outcome Present = new PresentOutcome();

        private sealed record CreatedOutcome : Outcome;

        private sealed record PresentOutcome : Outcome;

        public sealed record Rejected(Rejection Rejection) : Outcome;
    }

    private static async Task<Outcome> CreateAsync(DynamicClient client, string unit, Dictionary<string, object?> enterprise, CancellationToken cancellationToken)
    {
        var uscc = (string)enterprise["uscc"]!;
        var request = new Dictionary<string, object?> { ["parent"] = unit, ["enterprise"] = enterprise };
        request["requestId"] = RequestId(JsonSerializer.Serialize(request));
        try
        {
            // Present already (an earlier run of this file, the seed): reported as such, not created again.
            if (await ExistsAsync(client, unit, uscc, cancellationToken)) return Outcome.Present;
            await client.CallAsync(CreateMethod, request, cancellationToken);
            return Outcome.Created;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            // Registered meanwhile here (a concurrent run) is fine; elsewhere in the zone is a conflict.
            if (await ExistsAsync(client, unit, uscc, cancellationToken)) return Outcome.Present;
            return new Outcome.Rejected(new Rejection(0, uscc, "uscc", "already registered in another unit: " + e.Status.Detail));
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.PermissionDenied or StatusCode.OutOfRange)
        {
            return new Outcome.Rejected(Describe(uscc, e));
        }
    }

    private static async Task<bool> ExistsAsync(DynamicClient client, string unit, string uscc, CancellationToken cancellationToken)
    {
        try
        {
            await client.CallAsync(GetMethod, new { name = $"{unit}/enterprises/{uscc}" }, cancellationToken);
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>The service's reason, with its field violations (google.rpc.BadRequest) when it gave them.</summary>
    private static Rejection Describe(string uscc, RpcException e)
    {
        var violations = e.GetRpcStatus()?.Details.Where(d => d.Is(BadRequest.Descriptor)).SelectMany(d => d.Unpack<BadRequest>().FieldViolations).ToList() ?? [];
        if (violations.Count > 0)
            return new Rejection(0, uscc, string.Join(", ", violations.Select(v => v.Field)), $"rejected by the service ({e.StatusCode}): {string.Join("; ", violations.Select(v => v.Description))}");
        return new Rejection(0, uscc, "", $"rejected by the service ({e.StatusCode}): {e.Status.Detail}");
    }

    /// <summary>The same row content gives the same id, so a re-run is recognised as a retry by the service.</summary>
    private static string RequestId(string content) =>
        "import-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..32];

    private static void Print(ImportReport report, bool json, bool dryRun)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new
            {
                rows = report.Rows, created = report.Created, alreadyPresent = report.AlreadyPresent, dryRun,
                rejected = report.Rejected.Select(r => new { row = r.Row, uscc = r.Uscc, field = r.Field, reason = r.Reason }),
            }, Json.Indented));
            return;
        }
        Console.Out.WriteLine(dryRun
            ? $"Checked {report.Rows} rows: {report.Rows - report.Rejected.Count} would be sent, {report.Rejected.Count} rejected."
            : $"{report.Rows} rows: {report.Created} created, {report.AlreadyPresent} already present, {report.Rejected.Count} rejected.");
        if (report.Rejected.Count > 0)
            PlainTable.Write(Console.Out, ["ROW", "USCC", "FIELD", "REASON"], [.. report.Rejected.Select(r => new[] { r.Row.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Uscc ?? "", r.Field, r.Reason })]);
    }

    private static void WriteReport(string path, ImportReport report)
    {
        using var output = new StreamWriter(path, append: false, new UTF8Encoding(false));
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            output.Write(JsonSerializer.Serialize(report.Rejected, Json.Indented));
            return;
        }
        Csv.WriteRow(output, ["row", "uscc", "field", "reason"]);
        foreach (var r in report.Rejected) Csv.WriteRow(output, [r.Row.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Uscc ?? "", r.Field, r.Reason]);
    }
}

/// <summary>A progress bar on a terminal; plain "n/total" lines (about every tenth) when not, as in CI logs.</summary>
internal sealed class ImportProgress(int total)
{
    public async Task RunAsync(Func<Action<int>, Task> work)
    {
        if (total == 0)
        {
            await work(_ => { });
            return;
        }
        if (Terminal.IsInteractive)
        {
            await Terminal.Out.Progress().AutoClear(true).StartAsync(async context =>
            {
                var task = context.AddTask("importing", maxValue: total);
                await work(done => task.Value = done);
            });
            return;
        }
        var step = Math.Max(1, total / 10);
        await work(done =>
        {
            if (done % step == 0 || done == total) Console.Error.WriteLine($"parksctl: imported {done}/{total}");
        });
    }
}
