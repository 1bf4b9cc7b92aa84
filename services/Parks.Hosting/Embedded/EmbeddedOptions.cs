namespace Parks.Hosting.Embedded;

/// <summary>
/// Where the local run's embedded backplane listens (configuration section <c>Parks:Embedded</c>), for
/// <c>Parks:State:Provider=Embedded</c> and <c>Parks:Events:Provider=Embedded</c>. The AppHost sets it.
/// </summary>
public sealed class EmbeddedOptions
{
    public const string Section = "Parks:Embedded";

    public const string ProviderName = "Embedded";

    /// <summary>The backplane's gRPC address, e.g. <c>http://127.0.0.1:7100</c>.</summary>
    public string Address { get; set; } = string.Empty;

    /// <summary>Longest a single call to the backplane may take before it counts as unavailable.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
