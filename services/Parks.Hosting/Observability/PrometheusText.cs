using System.Globalization;
using System.Text;

namespace Parks.Hosting.Observability;

/// <summary>
/// The Prometheus text exposition format, version 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats),
/// with OpenTelemetry's naming rules for Prometheus: dots and other invalid characters become '_', the unit is
/// appended as a word (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>, annotations like
/// <c>{event}</c> are dropped), and counters end in <c>_total</c>.
/// </summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes every instrument's series; instruments that map to the same name share one family.</summary>
    public static void Write(StringBuilder output, IEnumerable<InstrumentSnapshot> instruments)
    {
        foreach (var family in instruments.GroupBy(FamilyName, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var first = family.First();
            var type = first.Kind switch
            {
                InstrumentKind.Counter or InstrumentKind.ObservableCounter => "counter",
                InstrumentKind.Histogram => "histogram",
                _ => "gauge",
            };
            if (!string.IsNullOrEmpty(first.Instrument.Description))
                output.Append("# HELP ").Append(family.Key).Append(' ').Append(EscapeHelp(first.Instrument.Description)).Append('\n');
            output.Append("# TYPE ").Append(family.Key).Append(' ').Append(type).Append('\n');
            foreach (var instrument in family)
            {
                foreach (var series in instrument.Series)
                {
                    if (instrument.Kind == InstrumentKind.Histogram) WriteHistogram(output, family.Key, instrument.Buckets, series);
                    else WriteSample(output, family.Key, series.Labels, series.Value);
                }
            }
        }
    }

    /// <summary>Writes one gauge with a help text (the process metrics that are not instruments).</summary>
    public static void WriteGauge(StringBuilder output, string name, string help, double value, string type = "gauge")
    {
        output.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        output.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        WriteSample(output, name, string.Empty, value);
    }

    /// <summary>The family name of an instrument: sanitized name, unit word, and <c>_total</c> for counters.</summary>
    public static string FamilyName(InstrumentSnapshot instrument)
    {
        var name = SanitizeName(instrument.Instrument.Name);
        var unit = UnitSuffix(instrument.Instrument.Unit, instrument.Kind);
        if (unit.Length > 0 && !name.EndsWith("_" + unit, StringComparison.Ordinal)) name += "_" + unit;
        if (instrument.Kind is InstrumentKind.Counter or InstrumentKind.ObservableCounter && !name.EndsWith("_total", StringComparison.Ordinal)) name += "_total";
        return name;
    }

    /// <summary>A valid metric name: <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>, runs of other characters as one '_'.</summary>
    public static string SanitizeName(string name) => Sanitize(name, allowColon: true);

    /// <summary>A valid label name: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static string SanitizeLabel(string name) => Sanitize(name, allowColon: false);

    /// <summary>
    /// The label set in exposition form, sorted by name: <c>a="x",b="y"</c>. Tags whose names collide after
    /// sanitizing are joined with ';' (as the OpenTelemetry Prometheus exporter does).
    /// </summary>
    public static string RenderLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return string.Empty;
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            var key = SanitizeLabel(tag.Key);
            var value = FormatTagValue(tag.Value);
            labels[key] = labels.TryGetValue(key, out var existing) ? existing + ";" + value : value;
        }
        var text = new StringBuilder();
        foreach (var (key, value) in labels)
        {
            if (text.Length > 0) text.Append(',');
            text.Append(key).Append("=\"");
            AppendEscapedLabelValue(text, value);
            text.Append('"');
        }
        return text.ToString();
    }

    public static string FormatValue(double value)
    {
        if (double.IsPositiveInfinity(value)) return "+Inf";
        if (double.IsNegativeInfinity(value)) return "-Inf";
        if (double.IsNaN(value)) return "NaN";
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static void WriteHistogram(StringBuilder output, string name, double[] buckets, SeriesSnapshot series)
    {
        long cumulative = 0;
        for (var i = 0; i < series.BucketCounts.Length; i++)
        {
            cumulative += series.BucketCounts[i];
            var le = i < buckets.Length ? FormatValue(buckets[i]) : "+Inf";
            var labels = series.Labels.Length == 0 ? $"le=\"{le}\"" : $"{series.Labels},le=\"{le}\"";
            WriteSample(output, name + "_bucket", labels, cumulative);
        }
        WriteSample(output, name + "_sum", series.Labels, series.Value);
        // The count is the +Inf bucket, so the two always agree even while observations arrive.
        WriteSample(output, name + "_count", series.Labels, cumulative);
    }

    private static void WriteSample(StringBuilder output, string name, string labels, double value)
    {
        output.Append(name);
        if (labels.Length > 0) output.Append('{').Append(labels).Append('}');
        output.Append(' ').Append(FormatValue(value)).Append('\n');
    }

    private static string UnitSuffix(string? unit, InstrumentKind kind)
    {
        if (string.IsNullOrEmpty(unit)) return string.Empty;
        var known = unit switch
        {
            "s" => "seconds",
            "ms" => "milliseconds",
            "us" => "microseconds",
            "ns" => "nanoseconds",
            "min" => "minutes",
            "h" => "hours",
            "d" => "days",
            "By" => "bytes",
            "KiBy" => "kibibytes",
            "MiBy" => "mebibytes",
            "%" => "percent",
            "1" => kind == InstrumentKind.Gauge ? "ratio" : string.Empty,
            _ => null,
        };
        if (known is not null) return known;
        // Annotations in braces ({event}, {request}) name what is counted, not a unit.
        var stripped = System.Text.RegularExpressions.Regex.Replace(unit, @"\{[^}]*\}", string.Empty);
        if (stripped.Length == 0) return string.Empty;
        return Sanitize(stripped.Replace("/", "_per_", StringComparison.Ordinal), allowColon: false).Trim('_');
    }

    private static string Sanitize(string name, bool allowColon)
    {
        var text = new StringBuilder(name.Length + 1);
        var lastUnderscore = false;
        foreach (var c in name)
        {
            var valid = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' || (allowColon && c == ':');
            if (valid)
            {
                text.Append(c);
                lastUnderscore = c == '_';
            }
            else if (!lastUnderscore)
            {
                text.Append('_');
                lastUnderscore = true;
            }
        }
        if (text.Length == 0 || char.IsAsciiDigit(text[0])) text.Insert(0, '_');
        return text.ToString();
    }

    private static string FormatTagValue(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        double d => FormatValue(d),
        float f => FormatValue(f),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static void AppendEscapedLabelValue(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': text.Append("\\\\"); break;
                case '"': text.Append("\\\""); break;
                case '\n': text.Append("\\n"); break;
                default: text.Append(c); break;
            }
        }
    }

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
