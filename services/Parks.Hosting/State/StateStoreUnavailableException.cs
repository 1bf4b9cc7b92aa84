namespace Parks.Hosting.State;

/// <summary>
/// The state store could not be reached in time (connection refused or lost, timeout, server loading).
/// Transient: the RPC layer answers UNAVAILABLE so that callers retry, and event delivery answers RETRY.
/// For a commit the outcome is unknown: it may have been applied.
/// </summary>
public sealed class StateStoreUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException);
