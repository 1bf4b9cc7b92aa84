namespace Parks.Testing;

/// <summary>
/// Waits for an outcome by polling, failing only when it has not happened within a generous limit. This checks
/// that something happens, never how fast: timing belongs to the benchmarks under tools/.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? pollInterval = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var poll = pollInterval ?? TimeSpan.FromMilliseconds(20);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting after {limit}: {what}");
            await Task.Delay(poll);
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? pollInterval = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, timeout, pollInterval);

    /// <summary>Waits until <paramref name="probe"/> returns a value, and returns it.</summary>
    public static async Task<T> ResultAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null) where T : class
    {
        T? result = null;
        await WaitUntilAsync(async () => (result = await probe()) is not null, what, timeout);
        return result!;
    }
}
