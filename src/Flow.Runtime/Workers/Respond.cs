using Microsoft.Extensions.Logging;

namespace Flow.Workers;

internal static class Respond
{
    /// <summary>Sends a response, retrying transient faults with jittered backoff; a task whose response cannot be
    /// sent is left to SWF's timeouts (logged, never thrown). Returns whether SWF took the response.</summary>
    public static async Task<bool> WithRetriesAsync(string operation, Func<CancellationToken, Task> call, int maxAttempts,
        PollingEngine engine, ILogger log, string taskList)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await call(CancellationToken.None).ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (attempt + 1 < maxAttempts && !engine.AbandonToken.IsCancellationRequested
                && RetryBackoff.IsTransient(ex, CancellationToken.None))
            {
                FlowDiagnostics.Fail("respond", taskList);
                WorkerLog.RespondRetry(log, ex, operation, attempt + 1);
                try
                {
                    await engine.Backoff.DelayAsync(attempt, engine.AbandonToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Shutdown gave up waiting: one last attempt.
                }
            }
            catch (Exception ex)
            {
                FlowDiagnostics.Fail("respond", taskList);
                WorkerLog.RespondFailed(log, ex, operation);
                return false;
            }
        }
    }
}
