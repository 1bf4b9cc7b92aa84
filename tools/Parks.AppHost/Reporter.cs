namespace Parks.AppHost;

/// <summary>
/// The AppHost's console: its own messages, and the services' output lines prefixed with their app id. Colours
/// only on a terminal; one lock so lines from many processes never interleave.
/// </summary>
internal sealed class Reporter(TextWriter output, bool color)
{
    private static readonly string[] Palette = ["\u001b[36m", "\u001b[32m", "\u001b[35m", "\u001b[34m", "\u001b[33m", "\u001b[96m", "\u001b[92m", "\u001b[95m", "\u001b[94m", "\u001b[93m", "\u001b[37m"];
    private const string Reset = "\u001b[0m";
    private readonly Lock _gate = new();

    public static Reporter ForConsole() => new(Console.Out, !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null);

    public int PrefixWidth { get; set; } = 24;

    public void Line(string text = "") => Write(text);

    public void Note(string text) => Write(Paint("\u001b[2m", text));

    public void Good(string text) => Write(Paint("\u001b[32m", text));

    public void Warn(string text) => Write(Paint("\u001b[33m", text));

    public void Error(string text) => Write(Paint("\u001b[31m", text));

    public void Bold(string text) => Write(Paint("\u001b[1m", text));

    /// <summary>A line a service wrote, under its name.</summary>
    public void ServiceOutput(string appId, int index, string line) =>
        Write(Paint(Palette[index % Palette.Length], appId.PadRight(PrefixWidth)) + " | " + line);

    private string Paint(string code, string text) => color ? code + text + Reset : text;

    private void Write(string text)
    {
        lock (_gate)
        {
            output.WriteLine(text);
            output.Flush();
        }
    }
}
