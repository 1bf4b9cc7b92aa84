using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Parks.Hosting.Embedded;
using Parks.Hosting.Security;
using Parks.Rpc;

namespace Parks.Cli.Connection;

/// <summary>Settings in ~/.config/parks/config.json (all optional).</summary>
internal sealed record ConfigFile
{
    /// <summary>The gateway's gRPC address, e.g. https://parks.example.org or http://localhost:8081.</summary>
    public string? Address { get; init; }

    /// <summary>An operator API key for the gateway (sent as <c>authorization: Bearer …</c>).</summary>
    public string? ApiKey { get; init; }

    /// <summary>The deployment's internal key, for calling services directly as an operator (signed identity).</summary>
    public string? InternalKey { get; init; }

    /// <summary>Services reachable directly (app id → gRPC address), e.g. through kubectl port-forward.</summary>
    public Dictionary<string, string>? Services { get; init; }

    public static string DefaultPath
    {
        get
        {
            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(config)) config = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(config, "parks", "config.json");
        }
    }

    public static ConfigFile Load(string path)
    {
        if (!File.Exists(path)) return new ConfigFile();
        try
        {
            return JsonSerializer.Deserialize<ConfigFile>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip })
                ?? new ConfigFile();
        }
        catch (JsonException e)
        {
            throw new CliException($"{path} is not valid JSON: {e.Message}");
        }
    }
}

/// <summary>A gRPC endpoint with the metadata every call to it carries.</summary>
internal sealed record Endpoint(string Name, string Address, Metadata Headers, bool IsGateway);

/// <summary>
/// Where parksctl talks to and as whom, from (first wins) flags, environment (<c>PARKS_ADDRESS</c>,
/// <c>PARKS_API_KEY</c>, <c>PARKS_INTERNAL_KEY</c>), the config file, and the running local run's file.
/// </summary>
internal sealed class Target
{
    public const string CallerId = "parksctl";

    private Target(string? gateway, string? apiKey, string? internalKey, IReadOnlyList<LocalRunService> services, string origin)
    {
        GatewayAddress = gateway;
        ApiKey = apiKey;
        InternalKey = internalKey;
        Services = services;
        Origin = origin;
    }

    public string? GatewayAddress { get; }

    public string? ApiKey { get; }

    public string? InternalKey { get; }

    /// <summary>Services that can be called directly (local run, or the config file's list).</summary>
    public IReadOnlyList<LocalRunService> Services { get; }

    /// <summary>Where the settings came from, for messages.</summary>
    public string Origin { get; }

    public static Target Resolve(GlobalOptions options)
    {
        var config = ConfigFile.Load(options.ConfigFile ?? ConfigFile.DefaultPath);
        var run = LocalRunFile.Load(options.RunFile ?? Environment.GetEnvironmentVariable("PARKS_RUN_FILE") ?? LocalRunFile.DefaultPath);
        string? Pick(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        var address = Pick(options.Address, Environment.GetEnvironmentVariable("PARKS_ADDRESS"), config.Address, run?.GatewayGrpcAddress);
        var apiKey = Pick(options.ApiKey, Environment.GetEnvironmentVariable("PARKS_API_KEY"), config.ApiKey,
            run is not null && run.ApiKeys.TryGetValue("operator", out var key) ? key : null);
        var internalKey = Pick(options.InternalKey, Environment.GetEnvironmentVariable("PARKS_INTERNAL_KEY"), config.InternalKey, run?.InternalKey);
        IReadOnlyList<LocalRunService> services = config.Services is { Count: > 0 }
            ? [.. config.Services.Select(s => new LocalRunService(s.Key, s.Value, ""))]
            : run?.Services ?? [];
        var origin = options.Address is not null ? "--address"
            : Environment.GetEnvironmentVariable("PARKS_ADDRESS") is not null ? "PARKS_ADDRESS"
            : config.Address is not null ? "the config file"
            : run is not null ? "the local run" : "nothing";
        return new Target(address, apiKey, internalKey, services, origin);
    }

    /// <summary>The gateway, authenticated with the API key.</summary>
    public Endpoint Gateway()
    {
        if (string.IsNullOrEmpty(GatewayAddress))
            throw new CliException("No gateway address: pass --address, set PARKS_ADDRESS, put \"address\" in ~/.config/parks/config.json, or start the local run.");
        var headers = new Metadata();
        if (!string.IsNullOrEmpty(ApiKey)) headers.Add("authorization", "Bearer " + ApiKey);
        return new Endpoint("gateway", GatewayAddress, headers, IsGateway: true);
    }

    /// <summary>A service called directly, as the operator (caller identity signed with the internal key).</summary>
    public Endpoint Service(string appId)
    {
        var service = Services.FirstOrDefault(s => s.AppId == appId)
            ?? Services.FirstOrDefault(s => s.AppId == "parks-" + appId)
            ?? throw new CliException($"Unknown service '{appId}'. Known: {(Services.Count == 0 ? "none (no local run, no \"services\" in the config file)" : string.Join(", ", Services.Select(s => s.AppId)))}.");
        return new Endpoint(service.AppId, service.GrpcAddress, OperatorHeaders(), IsGateway: false);
    }

    /// <summary>Every directly reachable service.</summary>
    public IEnumerable<Endpoint> AllServices() => Services.Select(s => new Endpoint(s.AppId, s.GrpcAddress, OperatorHeaders(), IsGateway: false));

    /// <summary>The service if named, else the gateway.</summary>
    public Endpoint For(string? service) => string.IsNullOrEmpty(service) ? Gateway() : Service(service);

    private Metadata OperatorHeaders()
    {
        var headers = new Metadata();
        if (string.IsNullOrEmpty(InternalKey)) return headers;
        var signer = new CallerSigner(Options.Create(new SecurityOptions { InternalKey = InternalKey }));
        new Caller(CallerId, CallerRole.Operator, null).WriteTo(headers, signer);
        return headers;
    }
}

/// <summary>The options every command takes.</summary>
internal sealed record GlobalOptions(string? Address, string? ApiKey, string? InternalKey, string? ConfigFile, string? RunFile, TimeSpan Timeout);

/// <summary>A failure to report to the user without a stack trace.</summary>
internal sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
