using System.Globalization;
using System.Text;
using System.Text.Json;
using Parks.Cli.Connection;
using Parks.Cli.Dynamic;
using Parks.Cli.Output;
using Parks.Domain;
using Parks.Rpc;

namespace Parks.Cli.Commands;

/// <summary>
/// <c>parksctl export enterprises|indicators|payouts</c>: every page of the List method, for every unit (or the
/// ones asked for), as CSV (chosen columns, one row per record) or JSON (the records in full, proto3 JSON).
/// </summary>
internal static class ExportCommand
{
    /// <summary>What can be exported: the list method, its items field, whether it is per unit, and the CSV columns.</summary>
    internal sealed record Kind(string Method, string Items, bool PerUnit, string[] Columns);

    public static readonly IReadOnlyDictionary<string, Kind> Kinds = new Dictionary<string, Kind>(StringComparer.Ordinal)
    {
        ["enterprises"] = new("parks.units.v1.EnterpriseService/ListEnterprises", "enterprises", PerUnit: true,
            ["name", "uscc", "displayName", "industry", "registrationDate", "address", "building", "status", "tier", "tierAsOf", "demo"]),
        ["indicators"] = new("parks.units.v1.IndicatorService/ListObservations", "observations", PerUnit: true,
            ["name", "indicator", "period", "kind", "breakdown", "amountFen", "quantity", "unitOfMeasure", "qualifier", "scope", "src", "demo"]),
        ["payouts"] = new("parks.finance.v1.PayoutService/ListPayouts", "payouts", PerUnit: false,
            ["name", "policy", "mode", "subjectUscc", "subjectUnit", "status", "amountFen", "requestedFen", "factDate", "trigger", "paymentReference", "createTime", "paidTime"]),
    };

    private const string ListBranchParks = "parks.branchparks.v1.BranchParkService/ListBranchParks";

    public static async Task<int> RunAsync(Target target, string what, IReadOnlyList<string> units, string format, string? outputPath, bool direct,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!Kinds.TryGetValue(what, out var kind)) throw new CliException($"Cannot export '{what}': choose {string.Join(", ", Kinds.Keys)}.");
        if (format is not ("csv" or "json")) throw new CliException($"--format must be csv or json, not '{format}'.");
        using var routing = new UnitRouting(target, direct, timeout);
        var records = new List<JsonElement>();
        if (kind.PerUnit)
        {
            foreach (var unit in units.Count > 0 ? units.Select(Resolve) : await AllUnitsAsync(routing, cancellationToken))
                records.AddRange(await ListAllAsync(routing.For(unit), kind, unit, cancellationToken));
        }
        else
        {
            records.AddRange(await ListAllAsync(routing.For(direct ? "parks-finance" : "gateway"), kind, null, cancellationToken));
        }

        await using var output = outputPath is null ? Console.Out : new StreamWriter(outputPath, append: false, new UTF8Encoding(false));
        if (format == "json")
        {
            await output.WriteAsync(JsonSerializer.Serialize(records, Json.Indented) + "\n");
        }
        else
        {
            Csv.WriteRow(output, kind.Columns);
            foreach (var record in records) Csv.WriteRow(output, kind.Columns.Select(c => Cell(record, c)));
        }
        await output.FlushAsync(cancellationToken);
        if (outputPath is not null) Console.Error.WriteLine($"parksctl: wrote {records.Count} {what} to {outputPath}");
        return 0;
    }

    private static string Resolve(string unit) =>
        EnterpriseRows.Unit(unit, null, out var reason) ?? throw new CliException($"--unit {unit}: {reason}");

    /// <summary>The six districts and the branch parks the Branch Parks service has (parks are data).</summary>
    private static async Task<IReadOnlyList<string>> AllUnitsAsync(UnitRouting routing, CancellationToken cancellationToken)
    {
        var units = Zone.Districts.Select(d => UnitRef.District(d.Id).ResourceName).ToList();
        DynamicClient parks;
        try
        {
            parks = routing.For("parks/any");
            if (!await parks.HasMethodAsync(ListBranchParks, cancellationToken)) return units;
        }
        catch (Exception e) when (e is CliException or RpcException)
        {
            Console.Error.WriteLine($"parksctl: the branch parks are left out: {e.Message}");
            return units;
        }
        var token = "";
        do
        {
            var page = await parks.CallAsync(ListBranchParks, new { pageSize = 1000, pageToken = token }, cancellationToken);
            if (page.TryGetProperty("branchParks", out var list))
                units.AddRange(list.EnumerateArray().Select(p => p.GetProperty("name").GetString()!));
            token = page.TryGetProperty("nextPageToken", out var next) ? next.GetString() ?? "" : "";
        }
        while (token.Length > 0);
        return units;
    }

    private static async Task<List<JsonElement>> ListAllAsync(DynamicClient client, Kind kind, string? parent, CancellationToken cancellationToken)
    {
        var records = new List<JsonElement>();
        var token = "";
        do
        {
            var request = new Dictionary<string, object> { ["pageSize"] = 1000, ["pageToken"] = token };
            if (parent is not null) request["parent"] = parent;
            var page = await client.CallAsync(kind.Method, request, cancellationToken);
            if (page.TryGetProperty(kind.Items, out var items)) records.AddRange(items.EnumerateArray().Select(i => i.Clone()));
            token = page.TryGetProperty("nextPageToken", out var next) ? next.GetString() ?? "" : "";
        }
        while (token.Length > 0);
        return records;
    }

    /// <summary>A column's text: dates as yyyy-MM-dd, objects and arrays as compact JSON.</summary>
    internal static string Cell(JsonElement record, string column)
    {
        if (!record.TryGetProperty(column, out var value)) return "";
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? "",
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            JsonValueKind.Object when value.TryGetProperty("year", out var year) =>
                string.Create(CultureInfo.InvariantCulture, $"{year.GetInt32():0000}-{Part(value, "month"):00}-{Part(value, "day"):00}"),
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => value.GetRawText(),
        };
    }

    private static int Part(JsonElement date, string name) => date.TryGetProperty(name, out var part) ? part.GetInt32() : 0;
}
