using System.Diagnostics;
using System.Globalization;
using Flow.Swf;
using Flow.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flow;

/// <summary>
/// Polls one activity task list and runs its tasks through <see cref="ActivityHandler"/>s (generated dispatch
/// tables, or hand-written ones), reporting each result, failure or cancellation to SWF.
/// </summary>
public sealed class ActivityWorker : IAsyncDisposable
{
    private readonly ISwfClient _swf;
    private readonly ActivityWorkerOptions _options;
    private readonly Dictionary<(string Name, string Version), ActivityHandler> _handlers = [];
    private readonly ILogger _log;
    private readonly PollingEngine _engine;
    private readonly string _knownTypes;

    public ActivityWorker(ISwfClient swf, ActivityWorkerOptions options, IEnumerable<ActivityHandler> activities)
    {
        ArgumentNullException.ThrowIfNull(swf);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(activities);
        options.Validate();
        _swf = swf;
        _options = options;
        foreach (var handler in activities)
        {
            var key = (handler.Definition.Name, handler.Definition.Version);
            if (!_handlers.TryAdd(key, handler))
                throw new ArgumentException($"Activity type {key.Name} {key.Version} is registered twice.", nameof(activities));
        }
        TaskList = options.TaskList ?? SharedTaskList(_handlers.Values.Select(h => h.Definition.DefaultTaskList), "activity");
        _knownTypes = _handlers.Count == 0
            ? "none"
            : string.Join(", ", _handlers.Keys.OrderBy(k => k.Name, StringComparer.Ordinal).Select(k => $"{k.Name} {k.Version}"));
        _log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ActivityWorker>();
        _engine = new PollingEngine(options, _log);
    }

    public string Domain => _options.Domain;
    public string TaskList { get; }
    public string Identity => _options.Identity;

    /// <summary>Long polls kept open on the task list.</summary>
    public int Pollers => _options.Pollers;

    /// <summary>Tasks processed at once; polling pauses while they are all taken.</summary>
    public int MaxConcurrentTasks => _options.MaxConcurrentTasks;

    /// <summary>Activity tasks running now.</summary>
    public int InFlight => _engine.InFlight;

    /// <summary>Registers the types (unless turned off) and starts polling; returns once polling has begun.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_options.RegisterTypes)
        {
            var registration = new FlowRegistration(_swf, _options.Domain, _options.LoggerFactory, _options.TimeProvider);
            if (_options.RegisterDomain)
                await registration.RegisterDomainAsync(_options.DomainRetentionDays, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var handler in _handlers.Values)
                await registration.RegisterActivityTypeAsync(handler.Definition, TaskList, cancellationToken).ConfigureAwait(false);
        }
        _engine.Start([(TaskList, _options.Pollers, PollAsync)]);
        WorkerLog.Started(_log, "Activity", Identity, TaskList, Domain, _options.Pollers);
    }

    /// <summary>Stops polling, lets running activities finish up to <see cref="WorkerOptions.ShutdownTimeout"/>, then
    /// cancels them through their token and reports those still running as failed.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        int abandoned = await _engine.StopAsync(cancellationToken).ConfigureAwait(false);
        WorkerLog.Stopped(_log, "Activity", Identity, abandoned);
    }

    /// <summary>Starts, runs until <paramref name="cancellationToken"/> fires, then stops gracefully.</summary>
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

    private async Task<TaskWork?> PollAsync(CancellationToken stop)
    {
        long started = Stopwatch.GetTimestamp();
        var task = await _swf.PollForActivityTaskAsync(
            new PollForActivityTaskInput { Domain = Domain, TaskList = new TaskList { Name = TaskList }, Identity = Identity }, stop).ConfigureAwait(false);
        FlowDiagnostics.PollDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("kind", "activity"), new KeyValuePair<string, object?>("task_list", TaskList));
        if (string.IsNullOrEmpty(task.TaskToken))
            return null;
        return abandon => RunTaskAsync(task, abandon);
    }

    private async Task RunTaskAsync(ActivityTask task, CancellationToken abandon)
    {
        long started = Stopwatch.GetTimestamp();
        string typeName = task.ActivityType.Name;
        using var span = FlowDiagnostics.Source.StartActivity("activity " + typeName, ActivityKind.Consumer);
        span?.SetTag("flow.activity_id", task.ActivityId);
        span?.SetTag("flow.workflow_id", task.WorkflowExecution.WorkflowId);
        span?.SetTag("flow.run_id", task.WorkflowExecution.RunId);
        var answer = new Answer();
        try
        {
            if (!_handlers.TryGetValue((task.ActivityType.Name, task.ActivityType.Version), out var handler))
            {
                WorkerLog.UnknownActivityType(_log, task.ActivityId, task.WorkflowExecution.WorkflowId, $"{task.ActivityType.Name} {task.ActivityType.Version}");
                FlowDiagnostics.Fail("activity", TaskList);
                await RespondFailedAsync(answer, task, ActivityFailure.Reason("Flow.UnknownActivityType"), ActivityFailure.Details("Flow.UnknownActivityType",
                    $"Activity type {task.ActivityType.Name} {task.ActivityType.Version} is not known to worker {Identity} on task list {TaskList}. " +
                    $"Known types: {_knownTypes}.", "")).ConfigureAwait(false);
                return;
            }
            await RunHandlerAsync(answer, task, handler, abandon).ConfigureAwait(false);
        }
        catch (Exception ex) when (!answer.Sent)
        {
            // The worker's own code failed (a service scope, a logger, a report): the task still gets its answer,
            // rather than waiting for its START_TO_CLOSE timeout.
            const string reason = "Flow.ActivityWorkerError";
            FlowDiagnostics.Fail("activity", TaskList);
            await RespondFailedAsync(answer, task, reason, ActivityFailure.Details(reason,
                $"Worker {Identity} failed while running activity {task.ActivityType.Name} {task.ActivityType.Version}: " +
                $"{ExceptionText.TypeName(ex)}: {ExceptionText.Message(ex)}", ExceptionText.Stack(ex))).ConfigureAwait(false);
            WorkerLog.TaskCrashed(_log, ex);
        }
        finally
        {
            FlowDiagnostics.TaskDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("kind", "activity"), new KeyValuePair<string, object?>("type", typeName));
        }
    }

    /// <summary>Whether the task's answer went out (or was deliberately left to someone else), so the safety net in
    /// <see cref="RunTaskAsync"/> never answers twice.</summary>
    private sealed class Answer
    {
        public bool Sent;
    }

    private async Task RunHandlerAsync(Answer answer, ActivityTask task, ActivityHandler handler, CancellationToken abandon)
    {
        var scope = _options.Services?.GetService<IServiceScopeFactory>()?.CreateAsyncScope();
        try
        {
            using var context = new WorkerActivityContext(Domain, task, _swf, HeartbeatInterval(handler.Definition),
                _options.TimeProvider, _log, abandon, scope?.ServiceProvider);
            var invocation = InvokeAsync(handler, task, context);
            var abandoned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (abandon.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), abandoned))
            {
                if (await Task.WhenAny(invocation, abandoned.Task).ConfigureAwait(false) != invocation
                    && await Task.WhenAny(invocation, Task.Delay(_options.ShutdownCancelGrace, _options.TimeProvider)).ConfigureAwait(false) != invocation)
                {
                    // The activity ignored its token past the grace period: report it ourselves and let it run out.
                    _ = invocation.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                        TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                    await RespondShutdownAsync(answer, task, null).ConfigureAwait(false);
                    return;
                }
            }

            string? result = null;
            Exception? error = null;
            try
            {
                result = await invocation.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                error = ex;
            }

            if (context.Lost)
            {
                answer.Sent = true; // SWF no longer knows the task: nothing would take an answer
                return;
            }
            if (error is OperationCanceledException && context.CancelRequested)
            {
                answer.Sent = true;
                await RespondAsync("RespondActivityTaskCanceled",
                    ct => _swf.RespondActivityTaskCanceledAsync(new RespondActivityTaskCanceledInput { TaskToken = task.TaskToken }, ct)).ConfigureAwait(false);
                return;
            }
            if (error is not null && abandon.IsCancellationRequested)
            {
                await RespondShutdownAsync(answer, task, error).ConfigureAwait(false);
                return;
            }
            if (error is not null)
            {
                FlowDiagnostics.Fail("activity", TaskList);
                string reason = ActivityFailure.Reason(error);
                string details = ActivityFailure.Details(error);
                WorkerLog.ActivityFailed(_log, task.ActivityType.Name, task.ActivityId, task.WorkflowExecution.WorkflowId, reason);
                await RespondFailedAsync(answer, task, reason, details).ConfigureAwait(false);
                return;
            }
            if (handler.Definition.ManualCompletion)
            {
                answer.Sent = true; // completed later through ActivityCompletionClient
                return;
            }
            if (result is { Length: > ActivityFailure.MaxDetails })
            {
                FlowDiagnostics.Fail("activity", TaskList);
                const string tooLarge = "Flow.ActivityResultTooLarge";
                WorkerLog.ActivityFailed(_log, task.ActivityType.Name, task.ActivityId, task.WorkflowExecution.WorkflowId, tooLarge);
                await RespondFailedAsync(answer, task, tooLarge, ActivityFailure.Details(tooLarge,
                    $"The result of activity {task.ActivityType.Name} {task.ActivityType.Version} is " +
                    $"{result.Length.ToString("N0", CultureInfo.InvariantCulture)} characters long; SWF allows at most 32,768. " +
                    "Return a reference to the data (a file or object key) instead.", "")).ConfigureAwait(false);
                return;
            }
            answer.Sent = true;
            await RespondAsync("RespondActivityTaskCompleted",
                ct => _swf.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = task.TaskToken, Result = result }, ct)).ConfigureAwait(false);
        }
        finally
        {
            if (scope is { } s)
                await s.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<string?> InvokeAsync(ActivityHandler handler, ActivityTask task, WorkerActivityContext context)
    {
        // Off the poller's flow, with Current set for this task's async flow only.
        await Task.Yield();
        ActivityExecutionContext.Current = context;
        return await handler.Invoke(task.Input, context).ConfigureAwait(false);
    }

    private Task RespondShutdownAsync(Answer answer, ActivityTask task, Exception? error)
    {
        const string reason = "Flow.WorkerShutdown";
        FlowDiagnostics.Fail("activity", TaskList);
        WorkerLog.ActivityFailed(_log, task.ActivityType.Name, task.ActivityId, task.WorkflowExecution.WorkflowId, reason);
        string message = $"Worker {Identity} shut down before the activity finished; it was cancelled after the shutdown timeout.";
        string details = ActivityFailure.Details(reason, error is null ? message : message + " " + ExceptionText.Message(error),
            error is null ? "" : ExceptionText.Stack(error));
        return RespondFailedAsync(answer, task, reason, details);
    }

    private Task RespondFailedAsync(Answer answer, ActivityTask task, string reason, string details)
    {
        answer.Sent = true;
        return RespondAsync("RespondActivityTaskFailed",
            ct => _swf.RespondActivityTaskFailedAsync(new RespondActivityTaskFailedInput { TaskToken = task.TaskToken, Reason = reason, Details = details }, ct));
    }

    // A finished task's response is worth retrying even while the worker stops; once shutdown has given up
    // waiting, one more attempt only, so StopAsync stays bounded.
    private Task RespondAsync(string operation, Func<CancellationToken, Task> call) =>
        Respond.WithRetriesAsync(operation, call, _options.MaxRespondAttempts, _engine, _log, TaskList);

    // A call may shorten the registered heartbeat timeout, and only the ActivityTaskScheduled event records it (the
    // activity task does not): the throttle is a short fixed interval, so any timeout above it is met by an activity
    // that heartbeats in time; the registered timeout only ever makes it shorter.
    private TimeSpan HeartbeatInterval(ActivityDefinition definition)
    {
        var cap = _options.HeartbeatThrottleInterval;
        if (long.TryParse(definition.DefaultHeartbeatTimeout, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) && seconds > 0)
        {
            var fromTimeout = TimeSpan.FromSeconds(seconds * 0.8);
            return fromTimeout < cap ? fromTimeout : cap;
        }
        return cap;
    }

    internal static string SharedTaskList(IEnumerable<string?> defaults, string kind)
    {
        var lists = defaults.Where(l => !string.IsNullOrEmpty(l)).Distinct(StringComparer.Ordinal).ToList();
        return lists.Count switch
        {
            1 => lists[0]!,
            0 => throw new ArgumentException($"No task list: set TaskList in the options or a default task list on the {kind} definitions."),
            _ => throw new ArgumentException(
                $"The {kind} definitions name several default task lists ({string.Join(", ", lists)}); set TaskList in the options or run one worker per list."),
        };
    }
}
