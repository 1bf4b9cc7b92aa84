using Microsoft.Extensions.Options;

namespace Parks.Hosting.State;

/// <summary>Configuration section <c>Parks:State</c>.</summary>
public sealed class StateOptions
{
    public const string SectionName = "Parks:State";

    public const string InMemoryProvider = "InMemory";
    public const string RedisProvider = "Redis";

    /// <summary>The local run's shared store in the AppHost (<c>Parks:Embedded:Address</c>).</summary>
    public const string EmbeddedProvider = Embedded.EmbeddedOptions.ProviderName;

    /// <summary><c>InMemory</c> (default: the embedded run) or <c>Redis</c>.</summary>
    public string Provider { get; set; } = InMemoryProvider;

    /// <summary>StackExchange.Redis configuration string, e.g. <c>redis:6379,password=...</c>; required for Redis.</summary>
    public string? Redis { get; set; }

    /// <summary>Longest a single store call may take before it fails as unavailable.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

internal sealed class StateOptionsValidator : IValidateOptions<StateOptions>
{
    public ValidateOptionsResult Validate(string? name, StateOptions options)
    {
        var failures = new List<string>();
        var provider = options.Provider;
        if (provider is not (StateOptions.InMemoryProvider or StateOptions.RedisProvider or StateOptions.EmbeddedProvider))
        {
            failures.Add($"{StateOptions.SectionName}:Provider must be '{StateOptions.InMemoryProvider}', " +
                $"'{StateOptions.RedisProvider}' or '{StateOptions.EmbeddedProvider}' (got '{provider}').");
        }
        if (provider == StateOptions.RedisProvider)
        {
            if (string.IsNullOrWhiteSpace(options.Redis))
            {
                failures.Add($"{StateOptions.SectionName}:Redis is required when {StateOptions.SectionName}:Provider is " +
                    $"'{StateOptions.RedisProvider}' (a StackExchange.Redis configuration string such as 'redis:6379').");
            }
            else
            {
                try
                {
                    RedisConnection.Configure(options.Redis, options.OperationTimeout, "parks");
                }
                catch (ArgumentException e)
                {
                    failures.Add($"{StateOptions.SectionName}:Redis is not a valid StackExchange.Redis configuration string: {e.Message}");
                }
            }
        }
        if (options.OperationTimeout <= TimeSpan.Zero || options.OperationTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{StateOptions.SectionName}:OperationTimeout must be between 00:00:00.001 and 00:05:00 " +
                $"(got {options.OperationTimeout}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
