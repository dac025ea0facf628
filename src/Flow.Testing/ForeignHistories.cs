namespace Flow.Testing;

/// <summary>What workflow code needs to replay histories other SWF frameworks wrote, whose ids Flow would not choose.</summary>
public static class ForeignHistories
{
    /// <summary>A durable timer with the given id (Flow's own timers are named t1, t2, ...).</summary>
    public static Task DelayAsync(string timerId, TimeSpan delay, CancellationToken cancellationToken = default) =>
        Workflow.DelayAsync(timerId, delay, cancellationToken);
}
