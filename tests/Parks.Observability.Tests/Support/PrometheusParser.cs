using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Parks.Observability.Tests.Support;

/// <summary>One sample line of a Prometheus text page.</summary>
public sealed record PromSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// A strict parser of the Prometheus text format 0.0.4: it throws on anything a Prometheus server would reject
/// (bad names, bad label syntax or escapes, unparsable values, TYPE after samples, duplicate TYPE or samples) and
/// checks histogram invariants (cumulative buckets, +Inf present and equal to _count).
/// </summary>
public sealed partial class PromPage
{
    private PromPage(IReadOnlyList<PromSample> samples, IReadOnlyDictionary<string, string> types)
    {
        Samples = samples;
        Types = types;
    }

    public IReadOnlyList<PromSample> Samples { get; }

    /// <summary>Family name → type.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public IEnumerable<PromSample> Named(string name) => Samples.Where(s => s.Name == name);

    public static PromPage Parse(string text)
    {
        var samples = new List<PromSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var sampledFamilies = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        if (text.Length > 0 && !text.EndsWith('\n')) throw new FormatException("The page must end with a line feed.");
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var m = CommentLine().Match(line);
                if (!m.Success) continue; // other comments are allowed
                var family = m.Groups["name"].Value;
                if (m.Groups["kind"].Value == "TYPE")
                {
                    var type = m.Groups["rest"].Value;
                    if (type is not ("counter" or "gauge" or "histogram" or "summary" or "untyped")) throw new FormatException($"line {lineNumber}: unknown type '{type}'");
                    if (!types.TryAdd(family, type)) throw new FormatException($"line {lineNumber}: second TYPE for {family}");
                    if (sampledFamilies.Contains(family)) throw new FormatException($"line {lineNumber}: TYPE for {family} after its samples");
                }
                continue;
            }
            var sample = ParseSample(line, lineNumber);
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
            if (!seen.Add(key)) throw new FormatException($"line {lineNumber}: duplicate sample {key}");
            sampledFamilies.Add(FamilyOf(sample.Name, types));
            samples.Add(sample);
        }
        var page = new PromPage(samples, types);
        page.CheckHistograms();
        return page;
    }

    private static string FamilyOf(string name, Dictionary<string, string> types)
    {
        if (types.ContainsKey(name)) return name;
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(name[..^suffix.Length], out var t) && t == "histogram")
                return name[..^suffix.Length];
        }
        return name;
    }

    private void CheckHistograms()
    {
        foreach (var (family, type) in Types)
        {
            if (type != "histogram") continue;
            var buckets = Named(family + "_bucket").GroupBy(s => LabelsWithout(s, "le"));
            foreach (var series in buckets)
            {
                var ordered = series.Select(s => (Le: ParseValue(s.Label("le") ?? throw new FormatException($"{family}_bucket without le")), s.Value)).OrderBy(b => b.Le).ToList();
                if (!double.IsPositiveInfinity(ordered[^1].Le)) throw new FormatException($"{family}: no +Inf bucket for {series.Key}");
                for (var i = 1; i < ordered.Count; i++)
                {
                    if (ordered[i].Value < ordered[i - 1].Value) throw new FormatException($"{family}: buckets not cumulative for {series.Key}");
                }
                var count = Named(family + "_count").SingleOrDefault(s => LabelsWithout(s, "le") == series.Key)
                    ?? throw new FormatException($"{family}: no _count for {series.Key}");
                if (count.Value != ordered[^1].Value) throw new FormatException($"{family}: _count {count.Value} differs from the +Inf bucket {ordered[^1].Value}");
                if (!Named(family + "_sum").Any(s => LabelsWithout(s, "le") == series.Key)) throw new FormatException($"{family}: no _sum for {series.Key}");
            }
        }
    }

    private static string LabelsWithout(PromSample sample, string label) =>
        string.Join(",", sample.Labels.Where(l => l.Key != label).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));

    private static PromSample ParseSample(string line, int lineNumber)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':')) i++;
        var name = line[..i];
        if (!MetricName().IsMatch(name)) throw new FormatException($"line {lineNumber}: bad metric name '{name}'");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}') { i++; break; }
                var start = i;
                while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_')) i++;
                var labelName = line[start..i];
                if (!LabelName().IsMatch(labelName)) throw new FormatException($"line {lineNumber}: bad label name '{labelName}'");
                if (i + 1 >= line.Length || line[i] != '=' || line[i + 1] != '"') throw new FormatException($"line {lineNumber}: expected =\" after {labelName}");
                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw new FormatException($"line {lineNumber}: unterminated label value");
                    var c = line[i++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (i >= line.Length) throw new FormatException($"line {lineNumber}: bad escape");
                        var e = line[i++];
                        value.Append(e switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"line {lineNumber}: bad escape \\{e}"),
                        });
                    }
                    else value.Append(c);
                }
                if (!labels.TryAdd(labelName, value.ToString())) throw new FormatException($"line {lineNumber}: label {labelName} twice");
                if (i < line.Length && line[i] == ',') i++;
                else if (i < line.Length && line[i] == '}') { i++; break; }
                else throw new FormatException($"line {lineNumber}: expected , or }} after a label");
            }
        }
        if (i >= line.Length || line[i] != ' ') throw new FormatException($"line {lineNumber}: expected a space before the value");
        var parts = line[(i + 1)..].Split(' ');
        if (parts.Length is < 1 or > 2) throw new FormatException($"line {lineNumber}: expected a value and an optional timestamp");
        return new PromSample(name, labels, ParseValue(parts[0]));
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex("^# (?<kind>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<rest>.*)$")]
    private static partial Regex CommentLine();

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();
}
