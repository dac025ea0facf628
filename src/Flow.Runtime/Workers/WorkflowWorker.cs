using System.Diagnostics;
using System.Globalization;
using Flow.Swf;
using Flow.Workers;
using Flow.Workflows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flow;

/// <summary>
/// Polls one decision task list, replays each task's history through a <see cref="WorkflowExecutor"/> and sends
/// the decisions. Executors stay cached between tasks of a run, so a long workflow costs each decision only its
/// new events (see <see cref="WorkflowWorkerOptions.DecisionCacheSize"/>).
/// </summary>
public sealed class WorkflowWorker : IAsyncDisposable
{
    private readonly ISwfClient _swf;
    private readonly WorkflowWorkerOptions _options;
    private readonly Dictionary<(string Name, string Version), WorkflowHandler> _handlers = [];
    private readonly ILogger _log;
    private readonly PollingEngine _engine;
    private readonly DecisionCache? _cache;
    private readonly ReplayOptions _replayOptions;
    private readonly string? _stickyTaskList;
    private long _hits;
    private long _misses;

    public WorkflowWorker(ISwfClient swf, WorkflowWorkerOptions options, IEnumerable<WorkflowHandler> workflows)
    {
        ArgumentNullException.ThrowIfNull(swf);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(workflows);
        options.Validate();
        _swf = swf;
        _options = options;
        foreach (var handler in workflows)
        {
            var key = (handler.Definition.Name, handler.Definition.Version);
            if (!_handlers.TryAdd(key, handler))
                throw new ArgumentException($"Workflow type {key.Name} {key.Version} is registered twice.", nameof(workflows));
        }
        TaskList = options.TaskList ?? ActivityWorker.SharedTaskList(_handlers.Values.Select(h => h.Definition.DefaultTaskList), "workflow");
        _log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<WorkflowWorker>();
        _engine = new PollingEngine(options, _log);
        _cache = options.DecisionCacheSize > 0 ? new DecisionCache(options.DecisionCacheSize) : null;
        _replayOptions = options.ReplayOptions ?? new ReplayOptions { LoggerFactory = options.LoggerFactory };
        if (options.StickyTaskList && _cache is not null)
            _stickyTaskList = WorkerOptions.Truncate(StickyName($"{TaskList}-{Identity}-{Guid.NewGuid():N}"), 256);
    }

    /// <summary>A task list name SWF accepts: its names may not hold ':', '/', '|' or control characters,
    /// and identities do ("host:pid").</summary>
    static string StickyName(string name) =>
        string.Create(name.Length, name, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
                span[i] = source[i] is ':' or '/' or '|' || char.IsControl(source[i]) ? '-' : source[i];
        });

    public string Domain => _options.Domain;
    public string TaskList { get; }
    public string Identity => _options.Identity;

    /// <summary>Long polls kept open on the task list.</summary>
    public int Pollers => _options.Pollers;

    /// <summary>Tasks processed at once; polling pauses while they are all taken.</summary>
    public int MaxConcurrentTasks => _options.MaxConcurrentTasks;

    /// <summary>This worker's own task list when <see cref="WorkflowWorkerOptions.StickyTaskList"/> is on.</summary>
    public string? StickyTaskList => _stickyTaskList;

    /// <summary>Decision tasks served by a cached executor from only their new events.</summary>
    public long DecisionCacheHits => Interlocked.Read(ref _hits);

    /// <summary>Decision tasks replayed from the full history (first tasks of a run included, and tasks whose cached
    /// executor could not go on and were replayed in full after all).</summary>
    public long DecisionCacheMisses => Interlocked.Read(ref _misses);

    /// <summary>Executors cached now.</summary>
    public int DecisionCacheCount => _cache?.Count ?? 0;

    /// <summary>Decision tasks being processed now.</summary>
    public int InFlight => _engine.InFlight;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_options.RegisterTypes)
        {
            var registration = new FlowRegistration(_swf, _options.Domain, _options.LoggerFactory, _options.TimeProvider);
            if (_options.RegisterDomain)
                await registration.RegisterDomainAsync(_options.DomainRetentionDays, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var handler in _handlers.Values)
                await registration.RegisterWorkflowTypeAsync(handler.Definition, TaskList, cancellationToken).ConfigureAwait(false);
        }
        var pollers = new List<(string, int, PollOnce)> { (TaskList, _options.Pollers, stop => PollAsync(TaskList, stop)) };
        if (_stickyTaskList is { } sticky)
            pollers.Add((sticky, 1, stop => PollAsync(sticky, stop)));
        _engine.Start(pollers);
        WorkerLog.Started(_log, "Workflow", Identity, TaskList, Domain, _options.Pollers);
    }

    /// <summary>Stops polling and lets decision tasks in flight finish, up to <see cref="WorkerOptions.ShutdownTimeout"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        int abandoned = await _engine.StopAsync(cancellationToken).ConfigureAwait(false);
        WorkerLog.Stopped(_log, "Workflow", Identity, abandoned);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private PollForDecisionTaskInput PollInput(string taskList, string? nextPageToken) => new()
    {
        Domain = Domain,
        TaskList = new TaskList { Name = taskList },
        Identity = Identity,
        NextPageToken = nextPageToken,
        MaximumPageSize = _options.MaximumPageSize,
        // With a cache, a matching executor needs only the events since its last decision; a miss reads the
        // whole history with GetWorkflowExecutionHistory instead (see ProcessAsync).
        StartAtPreviousStartedEvent = _cache is null ? null : true,
    };

    private async Task<TaskWork?> PollAsync(string taskList, CancellationToken stop)
    {
        long started = Stopwatch.GetTimestamp();
        var task = await _swf.PollForDecisionTaskAsync(PollInput(taskList, null), stop).ConfigureAwait(false);
        FlowDiagnostics.PollDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("kind", "decision"), new KeyValuePair<string, object?>("task_list", taskList));
        if (string.IsNullOrEmpty(task.TaskToken))
            return null;
        return abandon => ProcessAsync(task, taskList, abandon);
    }

    private async Task ProcessAsync(DecisionTask first, string taskList, CancellationToken abandon)
    {
        long started = Stopwatch.GetTimestamp();
        var execution = first.WorkflowExecution;
        using var span = FlowDiagnostics.Source.StartActivity("decision " + first.WorkflowType.Name, ActivityKind.Consumer);
        span?.SetTag("flow.workflow_id", execution.WorkflowId);
        span?.SetTag("flow.run_id", execution.RunId);
        try
        {
            if (!_handlers.TryGetValue((first.WorkflowType.Name, first.WorkflowType.Version), out var handler))
            {
                // Another worker may know the type: no response, so the task times out and goes to it.
                FlowDiagnostics.Fail("decision", TaskList);
                WorkerLog.UnknownWorkflowType(_log, execution.WorkflowId, execution.RunId, $"{first.WorkflowType.Name} {first.WorkflowType.Version}");
                return;
            }

            WorkflowExecutor executor;
            DecisionTaskResult result;
            try
            {
                (executor, var events, bool hit) = await LoadAsync(first, taskList, handler, useCache: true, abandon).ConfigureAwait(false);
                try
                {
                    result = await executor.ProcessDecisionTaskAsync(WithEvents(first, events)).ConfigureAwait(false);
                }
                catch (Exception ex) when (hit && ex is not WorkflowDeadlockException)
                {
                    // The cached executor could not go on (say, a decision timed out in between): any doubt is a
                    // full replay, now, rather than after the task times out. (Blocked code would only block again.)
                    // The task is then a miss: the cache did not spare it the replay.
                    hit = false;
                    WorkerLog.CacheDoubt(_log, execution.RunId, ExceptionText.Message(ex));
                    (executor, events, _) = await LoadAsync(first, taskList, handler, useCache: false, abandon).ConfigureAwait(false);
                    result = await executor.ProcessDecisionTaskAsync(WithEvents(first, events)).ConfigureAwait(false);
                }
                finally
                {
                    if (_cache is not null)
                    {
                        Interlocked.Increment(ref hit ? ref _hits : ref _misses);
                        (hit ? FlowDiagnostics.DecisionCacheHits : FlowDiagnostics.DecisionCacheMisses).Add(1);
                    }
                    span?.SetTag("flow.decision_cache_hit", hit);
                }
            }
            catch (Exception ex)
            {
                // Non-determinism, blocked workflow code (the executor was taken out of the cache and is dropped) or a fault
                // reading the history: no response; SWF times the task out and retries.
                FlowDiagnostics.Fail("decision", TaskList);
                WorkerLog.DecisionTaskFailed(_log, ex, execution.WorkflowId, execution.RunId);
                span?.SetStatus(ActivityStatusCode.Error, ExceptionText.Message(ex));
                return;
            }

            bool closing = result.Decisions.Exists(d => d.DecisionType is DecisionType.CompleteWorkflowExecution
                or DecisionType.FailWorkflowExecution or DecisionType.CancelWorkflowExecution or DecisionType.ContinueAsNewWorkflowExecution);
            var input = new RespondDecisionTaskCompletedInput
            {
                TaskToken = first.TaskToken,
                Decisions = result.Decisions,
                ExecutionContext = result.ExecutionContext,
            };
            if (_stickyTaskList is not null && !closing)
            {
                if (_engine.IsStopping)
                {
                    // Leaving: send the run's next decisions back to the shared list.
                    input.TaskList = new TaskList { Name = TaskList };
                }
                else
                {
                    input.TaskList = new TaskList { Name = _stickyTaskList };
                    input.TaskListScheduleToStartTimeout = Seconds(_options.StickyScheduleToStartTimeout);
                }
            }
            bool accepted = await Respond.WithRetriesAsync("RespondDecisionTaskCompleted",
                ct => _swf.RespondDecisionTaskCompletedAsync(input, ct), _options.MaxRespondAttempts, _engine, _log, TaskList).ConfigureAwait(false);
            if (accepted && !closing)
                _cache?.Put(execution.RunId, executor);
        }
        finally
        {
            FlowDiagnostics.TaskDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("kind", "decision"), new KeyValuePair<string, object?>("type", first.WorkflowType.Name));
        }
    }

    /// <summary>
    /// The executor for a task and the events it must apply. A cached executor whose position is the task's
    /// previousStartedEventId gets only the events after it (the poll asked SWF to start there); anything else —
    /// no cached executor, another position, a gap — is a fresh executor and the full history.
    /// </summary>
    private async Task<(WorkflowExecutor Executor, List<HistoryEvent> Events, bool Hit)> LoadAsync(
        DecisionTask first, string taskList, WorkflowHandler handler, bool useCache, CancellationToken abandon)
    {
        string runId = first.WorkflowExecution.RunId;
        long previous = first.PreviousStartedEventId ?? 0;
        var cached = useCache ? _cache?.Take(runId) : null;
        long firstId = first.Events.Count > 0 ? first.Events[0].EventId : long.MaxValue;

        if (cached is not null)
        {
            long position = cached.LastAppliedEventId;
            string? doubt = position != previous ? $"cached at event {position}, the task follows event {previous}"
                : firstId > position + 1 ? $"the history starts at event {firstId}, after the cached event {position}"
                : null;
            if (doubt is null)
            {
                var pages = await ReadPollPagesAsync(first, taskList, abandon).ConfigureAwait(false);
                var fresh = After(pages, position, first.StartedEventId);
                doubt = Contiguous(fresh, position + 1, first.StartedEventId);
                if (doubt is null)
                    return (cached, fresh, true);
            }
            WorkerLog.CacheDoubt(_log, runId, doubt);
        }

        // Full replay. The poll's pages are the whole history when it starts at event 1 (the first decision, or a
        // service that ignores startAtPreviousStartedEvent); otherwise read it from the start.
        // (A retry after a failed hit has read the poll's pages already: their tokens are not read twice.)
        var history = firstId == 1 && (useCache || first.NextPageToken is null)
            ? await ReadPollPagesAsync(first, taskList, abandon).ConfigureAwait(false)
            : await ReadHistoryAsync(first.WorkflowExecution, first.StartedEventId, abandon).ConfigureAwait(false);
        var events = After(history, 0, first.StartedEventId);
        string? gap = Contiguous(events, 1, first.StartedEventId);
        if (gap is not null)
            throw new InvalidOperationException($"The history of {first.WorkflowExecution.WorkflowId} ({runId}) is incomplete: {gap}.");
        return (new WorkflowExecutor(Domain, handler, _replayOptions), events, false);
    }

    private static DecisionTask WithEvents(DecisionTask first, List<HistoryEvent> events) => new()
    {
        TaskToken = first.TaskToken,
        StartedEventId = first.StartedEventId,
        WorkflowExecution = first.WorkflowExecution,
        WorkflowType = first.WorkflowType,
        PreviousStartedEventId = first.PreviousStartedEventId,
        Events = events,
    };

    /// <summary>The rest of the poll's pages, fetched at once: their tokens are short-lived.</summary>
    private async Task<List<HistoryEvent>> ReadPollPagesAsync(DecisionTask first, string taskList, CancellationToken abandon)
    {
        if (first.NextPageToken is null)
            return first.Events;
        var events = new List<HistoryEvent>(first.Events);
        string? token = first.NextPageToken;
        while (!string.IsNullOrEmpty(token))
        {
            string? pageToken = token;
            var page = await Respond.ReadAsync(ct => _swf.PollForDecisionTaskAsync(PollInput(taskList, pageToken), ct),
                _options.MaxRespondAttempts, _engine, _log, "PollForDecisionTask (next page)", abandon).ConfigureAwait(false);
            events.AddRange(page.Events);
            token = page.NextPageToken;
        }
        return events;
    }

    private async Task<List<HistoryEvent>> ReadHistoryAsync(WorkflowExecution execution, long upTo, CancellationToken abandon)
    {
        var events = new List<HistoryEvent>();
        string? token = null;
        do
        {
            var input = new GetWorkflowExecutionHistoryInput
            {
                Domain = Domain,
                Execution = new WorkflowExecution { WorkflowId = execution.WorkflowId, RunId = execution.RunId },
                MaximumPageSize = _options.MaximumPageSize,
                NextPageToken = token,
            };
            var page = await Respond.ReadAsync(ct => _swf.GetWorkflowExecutionHistoryAsync(input, ct),
                _options.MaxRespondAttempts, _engine, _log, "GetWorkflowExecutionHistory", abandon).ConfigureAwait(false);
            events.AddRange(page.Events);
            token = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token) && (events.Count == 0 || events[^1].EventId < upTo));
        return events;
    }

    /// <summary>Events with ids in (after, upTo]: later events belong to the next decision task.</summary>
    private static List<HistoryEvent> After(List<HistoryEvent> events, long after, long upTo)
    {
        int start = 0;
        while (start < events.Count && events[start].EventId <= after)
            start++;
        int end = events.Count;
        while (end > start && events[end - 1].EventId > upTo)
            end--;
        return start == 0 && end == events.Count ? events : events.GetRange(start, end - start);
    }

    private static string? Contiguous(List<HistoryEvent> events, long from, long to)
    {
        if (events.Count == 0)
            return $"no events from {from} to {to}";
        if (events[0].EventId != from)
            return $"expected event {from} first, found {events[0].EventId}";
        for (int i = 1; i < events.Count; i++)
            if (events[i].EventId != events[i - 1].EventId + 1)
                return $"event {events[i - 1].EventId + 1} is missing";
        if (events[^1].EventId != to)
            return $"expected the history to reach event {to}, it ends at {events[^1].EventId}";
        return null;
    }

    internal static string Seconds(TimeSpan span) =>
        ((long)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
