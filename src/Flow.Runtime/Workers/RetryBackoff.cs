namespace Flow.Workers;

/// <summary>Exponential backoff with full jitter: attempt n waits a uniform random time in
/// [0, min(max, initial * 2^n)], so a fleet of workers does not retry in lockstep.</summary>
internal sealed class RetryBackoff(TimeSpan initial, TimeSpan maximum, TimeProvider time)
{
    public TimeSpan Next(int attempt)
    {
        double cap = Math.Min(maximum.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * cap);
    }

    public Task DelayAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(Next(attempt), time, cancellationToken);

    /// <summary>True for faults worth retrying: the ones <see cref="Swf.SwfException.IsRetryable"/> names (throttling,
    /// 429 and 5xx), timeouts and the network.</summary>
    public static bool IsTransient(Exception ex, CancellationToken ours) => ex switch
    {
        Swf.SwfException swf => swf.IsRetryable,
        OperationCanceledException => !ours.IsCancellationRequested,
        HttpRequestException or IOException or TimeoutException => true,
        _ => false,
    };
}
