using System.Text.Json;

namespace Parks.Finance.Data;

/// <summary>The seed files under Data/, embedded in the assembly (see the project file).</summary>
internal static class SeedResources
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static string Read(string fileName)
    {
        var name = $"Parks.Finance.Data.{fileName}";
        using var stream = typeof(SeedResources).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"seed resource '{name}' is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
