using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parks.Hosting.Embedded;

/// <summary>One process of a local run, as parksctl needs it.</summary>
public sealed record LocalRunService(string AppId, string GrpcAddress, string HttpAddress);

/// <summary>
/// What a running local run tells operator tools (parksctl): where everything listens and the run's
/// credentials. The AppHost writes it when the suite is ready (readable by the user only) and deletes it when it
/// stops; parksctl uses it when no address is given.
/// </summary>
public sealed record LocalRunFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The AppHost's process id (the run is over when it is gone).</summary>
    public required int ProcessId { get; init; }

    /// <summary><c>processes</c> or <c>single-process</c>.</summary>
    public required string Mode { get; init; }

    /// <summary><c>embedded</c>, <c>in-memory</c> or <c>redis</c>.</summary>
    public required string Storage { get; init; }

    public string? GatewayGrpcAddress { get; init; }

    public string? GatewayHttpAddress { get; init; }

    /// <summary>The run's <c>Parks:Security:InternalKey</c>, for calling services directly as an operator.</summary>
    public required string InternalKey { get; init; }

    /// <summary>The gateway's demo credentials by caller (<c>operator</c>, <c>dashboard</c>, ...).</summary>
    public IReadOnlyDictionary<string, string> ApiKeys { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<LocalRunService> Services { get; init; } = [];

    public string? BackplaneAddress { get; init; }

    public string? RedisAddress { get; init; }

    /// <summary>~/.config/parks/local-run.json (or $XDG_CONFIG_HOME/parks/local-run.json).</summary>
    public static string DefaultPath
    {
        get
        {
            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(config)) config = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(config, "parks", "local-run.json");
        }
    }

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        // It holds the run's keys: readable by the user only.
        if (!OperatingSystem.IsWindows()) streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, streamOptions))
        {
            JsonSerializer.Serialize(stream, this, Json);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The run file at <paramref name="path"/>, or null when there is none or its AppHost has gone.</summary>
    public static LocalRunFile? Load(string path)
    {
        if (!File.Exists(path)) return null;
        LocalRunFile? file;
        try
        {
            file = JsonSerializer.Deserialize<LocalRunFile>(File.ReadAllText(path), Json);
        }
        catch (JsonException)
        {
            return null;
        }
        return file is not null && IsRunning(file.ProcessId) ? file : null;
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
