namespace Parks.Reliability.Tests.Support;

/// <summary>
/// Tests that run one at a time, after the parallel ones: the process faults (no call may fail outside a stop), the
/// HTTP/2 floods (they load the CPU) and the connection flood (its sockets count against this process's file limit).
/// Sharing the machine's two cores with each other would turn their load into each other's failures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAloneCollection
{
    public const string Name = "run-alone";
}
