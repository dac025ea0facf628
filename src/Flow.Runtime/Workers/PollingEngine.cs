using Microsoft.Extensions.Logging;

namespace Flow.Workers;

/// <summary>A unit of work a poll produced; it runs with a token that fires only when shutdown gives up waiting.</summary>
internal delegate Task TaskWork(CancellationToken abandon);

/// <summary>One long poll; returns the work for the task it got, or null for an empty poll.</summary>
internal delegate Task<TaskWork?> PollOnce(CancellationToken stopPolling);

/// <summary>
/// The machinery both workers share: pollers that only poll while a task slot is free, jittered backoff on
/// poll faults, tracking of in-flight work, and a graceful stop (cancel the long polls, let work finish up
/// to the timeout, then fire the abandon token).
/// </summary>
internal sealed class PollingEngine
{
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopPolling = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly List<Task> _pollers = [];
    private readonly HashSet<Task> _inFlight = [];
    private readonly RetryBackoff _backoff;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly TimeSpan _shutdownTimeout;
    private int _state; // 0 new, 1 running, 2 stopping

    public PollingEngine(WorkerOptions options, ILogger log)
    {
        _slots = new SemaphoreSlim(options.MaxConcurrentTasks, options.MaxConcurrentTasks);
        _time = options.TimeProvider;
        _backoff = new RetryBackoff(options.RetryInitialDelay, options.RetryMaxDelay, _time);
        _log = log;
        _shutdownTimeout = options.ShutdownTimeout;
    }

    public bool IsStopping => _stopPolling.IsCancellationRequested;
    public CancellationToken AbandonToken => _abandon.Token;
    public RetryBackoff Backoff => _backoff;

    public int InFlight
    {
        get { lock (_inFlight) return _inFlight.Count; }
    }

    public void Start(IEnumerable<(string TaskList, int Count, PollOnce Poll)> pollers)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            throw new InvalidOperationException("A worker starts once.");
        foreach (var (taskList, count, poll) in pollers)
            for (int i = 0; i < count; i++)
                _pollers.Add(Task.Run(() => PollLoopAsync(taskList, poll)));
    }

    private async Task PollLoopAsync(string taskList, PollOnce poll)
    {
        var stop = _stopPolling.Token;
        int attempt = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            TaskWork? work;
            try
            {
                work = await poll(stop).ConfigureAwait(false);
                attempt = 0;
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                _slots.Release();
                break;
            }
            catch (Exception ex)
            {
                _slots.Release();
                FlowDiagnostics.Fail("poll", taskList);
                WorkerLog.PollFailed(_log, ex, taskList, attempt + 1);
                try
                {
                    await _backoff.DelayAsync(attempt++, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }

            if (work is null)
            {
                _slots.Release();
                continue;
            }
            Track(work);
        }
    }

    private void Track(TaskWork work)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_inFlight)
            _inFlight.Add(tcs.Task);
        _ = Task.Run(async () =>
        {
            try
            {
                await work(_abandon.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                WorkerLog.TaskCrashed(_log, ex);
            }
            finally
            {
                _slots.Release();
                lock (_inFlight)
                    _inFlight.Remove(tcs.Task);
                tcs.TrySetResult();
            }
        });
    }

    /// <summary>Stops polling, waits up to the shutdown timeout for in-flight work, then abandons the rest.
    /// Returns how many tasks were still running when the timeout passed.</summary>
    public async Task<int> StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
            return 0;
        _stopPolling.Cancel();
        await Task.WhenAll(_pollers).ConfigureAwait(false);

        Task[] inFlight;
        lock (_inFlight)
            inFlight = [.. _inFlight];
        var all = Task.WhenAll(inFlight);
        if (inFlight.Length == 0)
            return 0;

        // Waiting ends at the timeout, or earlier when the host's own stop token says so.
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var timeout = Task.Delay(_shutdownTimeout, _time, wait.Token);
            await Task.WhenAny(all, timeout).ConfigureAwait(false);
            wait.Cancel();
        }
        if (all.IsCompleted)
            return 0;

        int abandoned;
        lock (_inFlight)
            abandoned = _inFlight.Count;
        _abandon.Cancel();
        await all.ConfigureAwait(false);
        return abandoned;
    }
}
