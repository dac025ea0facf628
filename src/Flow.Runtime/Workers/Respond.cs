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
            catch (Swf.UnknownResourceException ex)
            {
                // Not necessarily lost: the client retries calls whose answer was lost, and the retry of one SWF took
                // meets a spent token. Either way there is nothing left to respond to.
                FlowDiagnostics.Fail("respond", taskList);
                WorkerLog.TaskAlreadyClosed(log, operation, ex.Message);
                return false;
            }
            catch (Exception ex)
            {
                FlowDiagnostics.Fail("respond", taskList);
                WorkerLog.RespondFailed(log, ex, operation);
                return false;
            }
        }
    }

    /// <summary>A read the task cannot do without (a history page): transient faults are retried while the task
    /// lives, because giving up would leave the decision task to time out.</summary>
    public static async Task<T> ReadAsync<T>(Func<CancellationToken, Task<T>> call, int maxAttempts, PollingEngine engine,
        ILogger log, string operation, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt + 1 < maxAttempts && RetryBackoff.IsTransient(ex, cancellationToken))
            {
                WorkerLog.RespondRetry(log, ex, operation, attempt + 1);
                await engine.Backoff.DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
