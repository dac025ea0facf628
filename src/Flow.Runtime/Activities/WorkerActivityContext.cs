using Flow.Swf;
using Flow.Workers;
using Microsoft.Extensions.Logging;

namespace Flow.Workers;

/// <summary>
/// The context of one activity task on an <see cref="ActivityWorker"/>. Heartbeats are throttled: the first goes
/// out at once, later ones at most once per interval, and the latest details of a throttled call are sent when
/// the interval ends, so progress is never lost and SWF is not flooded.
/// </summary>
internal sealed class WorkerActivityContext : ActivityExecutionContext, IDisposable
{
    private readonly ActivityTask _task;
    private readonly ISwfClient _swf;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _cancel;
    private readonly CancellationToken _token;
    private readonly object _gate = new();
    private DateTimeOffset _lastSent = DateTimeOffset.MinValue;
    private string? _pendingDetails;
    private bool _pending;
    private bool _sending;
    private ITimer? _timer;
    private bool _disposed;
    private volatile bool _cancelRequested;
    private volatile bool _lost;

    public WorkerActivityContext(string domain, ActivityTask task, ISwfClient swf, TimeSpan heartbeatInterval,
        TimeProvider time, ILogger log, CancellationToken shutdown, IServiceProvider? services)
    {
        Domain = domain;
        _task = task;
        _swf = swf;
        _interval = heartbeatInterval;
        _time = time;
        _log = log;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        // Kept apart from the source: an activity that outlives its task may still read it after Dispose.
        _token = _cancel.Token;
        Services = services;
    }

    public override string Domain { get; }
    public override string TaskToken => _task.TaskToken;
    public override string ActivityId => _task.ActivityId;
    public override ActivityType ActivityType => _task.ActivityType;
    public override WorkflowExecution WorkflowExecution => _task.WorkflowExecution;
    public override long StartedEventId => _task.StartedEventId;
    public override CancellationToken CancellationToken => _token;
    public override IServiceProvider? Services { get; }

    /// <summary>A heartbeat answered cancelRequested.</summary>
    public bool CancelRequested => _cancelRequested;

    /// <summary>SWF no longer knows the task (timed out or closed): nothing will accept a response.</summary>
    public bool Lost => _lost;

    public override Task HeartbeatAsync(string? details = null)
    {
        if (details is { Length: > 2048 })
            throw new ArgumentException($"Heartbeat details are {details.Length} characters long; SWF allows at most 2,048.", nameof(details));
        lock (_gate)
        {
            if (_disposed)
                return Task.CompletedTask;
            var now = _time.GetUtcNow();
            if (!_sending && now - _lastSent >= _interval)
            {
                _sending = true;
                _lastSent = now;
                return SendAsync(details);
            }
            _pendingDetails = details;
            _pending = true;
            if (_timer is null && !_sending)
                ScheduleFlush(now);
            return Task.CompletedTask;
        }
    }

    public override Task HeartbeatNowAsync(string? details = null)
    {
        if (details is { Length: > 2048 })
            throw new ArgumentException($"Heartbeat details are {details.Length} characters long; SWF allows at most 2,048.", nameof(details));
        lock (_gate)
        {
            if (_disposed)
                return Task.CompletedTask;
            // These details are the latest: a throttled heartbeat still waiting would only send older ones.
            _pending = false;
            _pendingDetails = null;
            _lastSent = _time.GetUtcNow();
        }
        // Beside a throttled send that may be in flight: its answer could predate what the caller needs to know.
        return RecordAsync(details);
    }

    private void ScheduleFlush(DateTimeOffset now)
    {
        var due = _lastSent + _interval - now;
        if (due < TimeSpan.Zero)
            due = TimeSpan.Zero;
        _timer = _time.CreateTimer(static state => ((WorkerActivityContext)state!).Flush(), this, due, Timeout.InfiniteTimeSpan);
    }

    private void Flush()
    {
        string? details;
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            if (_disposed || !_pending || _sending)
                return;
            details = _pendingDetails;
            _pending = false;
            _sending = true;
            _lastSent = _time.GetUtcNow();
        }
        _ = SendAsync(details);
    }

    private async Task SendAsync(string? details)
    {
        try
        {
            await RecordAsync(details).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _sending = false;
                if (_pending && !_disposed && _timer is null)
                    ScheduleFlush(_time.GetUtcNow());
            }
        }
    }

    private async Task RecordAsync(string? details)
    {
        try
        {
            var status = await _swf.RecordActivityTaskHeartbeatAsync(
                new RecordActivityTaskHeartbeatInput { TaskToken = _task.TaskToken, Details = details }, _token).ConfigureAwait(false);
            if (status.CancelRequested)
            {
                _cancelRequested = true;
                TryCancel();
            }
        }
        catch (UnknownResourceException)
        {
            // The task timed out or its workflow closed: the work is pointless now.
            _lost = true;
            WorkerLog.ActivityTaskLost(_log, _task.ActivityId);
            TryCancel();
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // A missed heartbeat is not the activity's failure; the next one tries again.
            WorkerLog.HeartbeatFailed(_log, ex, _task.ActivityId);
        }
    }

    private void TryCancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The task already finished.
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
        _cancel.Dispose();
    }
}
