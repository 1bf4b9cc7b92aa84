using System.Globalization;
using System.Text.Json;
using Parks.Cli.Output;
using Parks.Domain;

namespace Parks.Cli.Commands;

/// <summary>One enterprise of an import file, as read (before validation); <c>Row</c> counts data rows from 1.</summary>
internal sealed record EnterpriseRow(int Row, string? Unit, string? Uscc, string? Name, string? Industry, string? RegistrationDate, string? Address, string? Building);

/// <summary>A row that was not loaded, and why.</summary>
internal sealed record Rejection(int Row, string? Uscc, string Field, string Reason);

/// <summary>
/// Enterprise lists from CSV (a header row naming the columns) or JSON (an array of objects, or
/// {"enterprises": [...]}), with the column names an operator is likely to use, and their checks before
/// anything is sent: a valid unified social credit code (GB 32100-2015 check character), a known district
/// (or a well-formed branch park id: the service knows which parks exist), a name, an industry and a date.
/// </summary>
internal static class EnterpriseRows
{
    private static readonly Dictionary<string, string> Columns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["unit"] = "unit", ["district"] = "unit", ["park"] = "unit", ["parent"] = "unit",
        ["uscc"] = "uscc", ["credit_code"] = "uscc", ["creditCode"] = "uscc", ["统一社会信用代码"] = "uscc",
        ["name"] = "name", ["display_name"] = "name", ["displayName"] = "name", ["企业名称"] = "name",
        ["industry"] = "industry", ["产业"] = "industry",
        ["registration_date"] = "date", ["registrationDate"] = "date", ["registered"] = "date", ["成立日期"] = "date",
        ["address"] = "address", ["地址"] = "address",
        ["building"] = "building", ["楼宇"] = "building",
    };

    public static IReadOnlyList<EnterpriseRow> Read(string path)
    {
        if (!File.Exists(path)) throw new Connection.CliException($"{path}: no such file.");
        var text = File.ReadAllText(path);
        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? FromJson(text, path) : FromCsv(text, path);
    }

    private static List<EnterpriseRow> FromCsv(string text, string path)
    {
        List<(int Line, string[] Fields)> records;
        try
        {
            records = [.. Csv.Read(text)];
        }
        catch (FormatException e)
        {
            throw new Connection.CliException($"{path}: {e.Message}");
        }
        if (records.Count == 0) return [];
        var header = records[0].Fields.Select(h => Columns.TryGetValue(h.Trim(), out var c) ? c : null).ToArray();
        if (!header.Contains("uscc")) throw new Connection.CliException($"{path}: the header row names no credit code column (uscc).");
        string? Get(string[] fields, string column)
        {
            var index = Array.IndexOf(header, column);
            return index >= 0 && index < fields.Length && fields[index].Trim().Length > 0 ? fields[index].Trim() : null;
        }
        // Rows are numbered from 1 after the header, as a spreadsheet user counts them.
        return [.. records.Skip(1).Select((r, i) => new EnterpriseRow(i + 1, Get(r.Fields, "unit"), Get(r.Fields, "uscc"), Get(r.Fields, "name"),
            Get(r.Fields, "industry"), Get(r.Fields, "date"), Get(r.Fields, "address"), Get(r.Fields, "building")))];
    }

    private static List<EnterpriseRow> FromJson(string text, string path)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(text).RootElement;
        }
        catch (JsonException e)
        {
            throw new Connection.CliException($"{path}: not valid JSON: {e.Message}");
        }
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("enterprises", out var list)) root = list;
        if (root.ValueKind != JsonValueKind.Array) throw new Connection.CliException($"{path}: expected an array of enterprises (or {{\"enterprises\": [...]}}).");
        var rows = new List<EnterpriseRow>();
        var index = 0;
        foreach (var item in root.EnumerateArray())
        {
            index++;
            string? Get(string column)
            {
                if (item.ValueKind != JsonValueKind.Object) return null;
                foreach (var property in item.EnumerateObject())
                {
                    if (Columns.TryGetValue(property.Name, out var c) && c == column)
                        return property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()?.Trim() : property.Value.ToString();
                }
                return null;
            }
            rows.Add(new EnterpriseRow(index, Get("unit"), Get("uscc"), Get("name"), Get("industry"), Get("date"), Get("address"), Get("building")));
        }
        return rows;
    }

    /// <summary>The unit resource name for "lingshui", "districts/lingshui", "parks/jinpu"; null with a reason when unknown.</summary>
    public static string? Unit(string? text, string? defaultUnit, out string reason)
    {
        reason = "";
        var value = string.IsNullOrEmpty(text) ? defaultUnit : text;
        if (string.IsNullOrEmpty(value))
        {
            reason = "no unit: give a unit column or --unit";
            return null;
        }
        if (!value.Contains('/', StringComparison.Ordinal)) value = "districts/" + value;
        if (!UnitRef.TryParse(value, out var unit) || unit.Kind == UnitKind.ScienceCity)
        {
            reason = $"'{text ?? defaultUnit}' is not a district or branch park (districts/{{id}} or parks/{{id}})";
            return null;
        }
        if (unit.Kind == UnitKind.District && !Zone.IsDistrict(unit.Id))
        {
            reason = $"unknown district '{unit.Id}' (the six are {string.Join(", ", Zone.Districts.Select(d => d.Id))})";
            return null;
        }
        return unit.ResourceName;
    }

    /// <summary>Local checks; the request JSON of a valid row.</summary>
    public static (Dictionary<string, object?>? Enterprise, string? Unit, Rejection? Rejection) Validate(EnterpriseRow row, string? defaultUnit)
    {
        if (!UnifiedSocialCreditCode.TryParse(row.Uscc, out var code, out var why)) return (null, null, new Rejection(row.Row, row.Uscc, "uscc", why));
        var unit = Unit(row.Unit, defaultUnit, out var unitReason);
        if (unit is null) return (null, null, new Rejection(row.Row, row.Uscc, "unit", unitReason));
        if (string.IsNullOrWhiteSpace(row.Name)) return (null, null, new Rejection(row.Row, row.Uscc, "name", "the enterprise name is required"));
        if (string.IsNullOrWhiteSpace(row.Industry)) return (null, null, new Rejection(row.Row, row.Uscc, "industry", "the industry is required"));
        if (!DateOnly.TryParseExact(row.RegistrationDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return (null, null, new Rejection(row.Row, row.Uscc, "registration_date", $"'{row.RegistrationDate}' is not a date (yyyy-MM-dd)"));
        var enterprise = new Dictionary<string, object?>
        {
            ["uscc"] = code.Value.Value,
            ["displayName"] = row.Name,
            ["industry"] = row.Industry,
            ["registrationDate"] = new { year = date.Year, month = date.Month, day = date.Day },
        };
        if (!string.IsNullOrEmpty(row.Address)) enterprise["address"] = row.Address;
        if (!string.IsNullOrEmpty(row.Building)) enterprise["building"] = row.Building;
        return (enterprise, unit, null);
    }
}
