namespace Parks.Gateway.Domain;

/// <summary>What the overview does with one source's figures when a call needs them.</summary>
internal enum SourceAction
{
    /// <summary>Use what is there (fresh, or a recent failure not to be retried yet).</summary>
    Serve,
    /// <summary>Use what is there now and refresh it in the background.</summary>
    ServeAndRefresh,
    /// <summary>Refresh, and wait for it up to the unit's deadline.</summary>
    WaitForRefresh,
}

/// <summary>A source's bookkeeping as the freshness rules see it.</summary>
internal readonly record struct SourceTimes(
    DateTimeOffset? LastGood,
    DateTimeOffset? LastFailure,
    bool LastAttemptFailed,
    bool RefreshRunning,
    bool Invalidated);

internal readonly record struct FreshnessPolicy(TimeSpan Fresh, TimeSpan ServeWhileRefreshing, TimeSpan RetryFailedAfter);

/// <summary>
/// When the city overview may use a unit's figures as they are, when it refreshes them behind the caller's back,
/// and when the caller waits (bounded by the unit deadline): figures stay cheap at hundreds of calls a second, and a
/// unit that is down costs callers no wait once its failure is known.
/// </summary>
internal static class OverviewFreshness
{
    public static SourceAction Decide(DateTimeOffset now, SourceTimes times, FreshnessPolicy policy)
    {
        if (times.LastAttemptFailed)
        {
            // Known to be failing: answer at once with what there is (degraded or unavailable); retry in the background.
            var retryDue = times.LastFailure is not { } failed || now - failed >= policy.RetryFailedAfter;
            return retryDue && !times.RefreshRunning ? SourceAction.ServeAndRefresh : SourceAction.Serve;
        }
        if (times.LastGood is not { } good) return SourceAction.WaitForRefresh;
        var age = now - good;
        if (age < policy.Fresh && !times.Invalidated) return SourceAction.Serve;
        if (age < policy.ServeWhileRefreshing) return times.RefreshRunning ? SourceAction.Serve : SourceAction.ServeAndRefresh;
        return SourceAction.WaitForRefresh;
    }
}
