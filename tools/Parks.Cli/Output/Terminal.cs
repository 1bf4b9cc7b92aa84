using System.Text.Json;
using Spectre.Console;

namespace Parks.Cli.Output;

/// <summary>
/// The console: Spectre.Console with colours and live progress on a terminal, plain text when output is
/// redirected (CI, pipes), so logs stay readable.
/// </summary>
internal static class Terminal
{
    public static bool IsInteractive { get; } = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null;

    public static IAnsiConsole Out { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = IsInteractive && Environment.GetEnvironmentVariable("NO_COLOR") is null ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = IsInteractive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = IsInteractive ? InteractionSupport.Detect : InteractionSupport.No,
        Out = new AnsiConsoleOutput(Console.Out),
    });

    public static void Error(string message) => Console.Error.WriteLine("parksctl: " + message);
}

internal static class Json
{
    public static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

/// <summary>Columns aligned with spaces: tables for logs and pipes, where box drawing only gets in the way.</summary>
internal static class PlainTable
{
    public static void Write(TextWriter output, IReadOnlyList<string> columns, IReadOnlyList<string[]> rows)
    {
        var widths = columns.Select((c, i) => Math.Max(c.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        foreach (var row in rows) output.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
    }
}
