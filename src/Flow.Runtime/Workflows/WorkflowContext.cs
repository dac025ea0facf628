using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Flow.Swf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flow.Workflows;

/// <summary>
/// The state of one workflow run as replay has rebuilt it: history grouped into decisions, the command queue
/// matched against recorded events, and the workflow code's deterministic surroundings (time, randomness,
/// cancellation, logging). <see cref="Workflow"/> reaches it through the run's <see cref="WorkflowScheduler"/>.
/// </summary>
/// <remarks>
/// Grouping: events before a DecisionTaskStarted are the news that decision saw; the code runs on them when the
/// matching DecisionTaskCompleted arrives (or live, when the DecisionTaskStarted is the task's own), then the events
/// the decision recorded right after DecisionTaskCompleted are matched, in order, with the queue of commands the
/// code made. Events that arrived between DecisionTaskStarted and DecisionTaskCompleted wait for the next decision.
/// A DecisionTaskTimedOut (or a second DecisionTaskStarted) merges its news into the next decision.
/// Ids: activities "1", "2", ...; timers "t1", "t2", ...; children "{runId}.1", ...; waits between retry attempts "r1",
/// "r2", ... (each kind its own counter). A retried call keeps its one id; attempt n ≥ 2 is "{id}#{n}" (<see cref="AttemptId"/>).
/// markers, external signals and cancels are matched by order within their kind, compared by name / target.
/// </remarks>
internal sealed class WorkflowContext
{
    /// <summary>Timer id of the zero-second timer that continues a response cut at SWF's 100-decision limit; replay ignores its events.</summary>
    public const string ContinueTimerId = "_flow_continue";
    public const string VersionMarker = "Flow.Version";
    public const string SideEffectMarker = "Flow.SideEffect";

    /// <summary>Records a side effect whose value SWF could not take (over 32,768 characters): its details are the refusal,
    /// which replay throws again at the same call.</summary>
    public const string SideEffectRefusedMarker = "Flow.SideEffectRefused";

    /// <summary>Records a side effect whose function threw: its details are the exception as activity failures encode
    /// it, which replay throws again at the same call as <see cref="SideEffectFailedException"/>.</summary>
    public const string SideEffectFailedMarker = "Flow.SideEffectFailed";

    /// <summary>The reason of the FailWorkflowExecution a run closes with once SWF refused one of the markers above.</summary>
    public const string MarkerNotRecordedReason = "Flow.MarkerNotRecorded";
    public const int MaxPayload = 32768;
    public const int MaxReason = 256;
    public const int MaxDecisions = 100;
    public const int MaxResponseBytes = 1_000_000; // SWF takes 1 MiB; keep room for the envelope and task token.

    [ThreadStatic] private static WorkflowContext? t_callback;
    [ThreadStatic] private static WorkflowContext? t_driving;

    private readonly WorkflowHandler _handler;
    private readonly WorkflowScheduler _scheduler;
    private readonly ILogger _innerLogger;
    private readonly CancellationTokenSource _rootCts = new();

    // Commands made by the code and not yet matched with history, in the order they were made.
    private readonly List<Command> _queue = [];
    private readonly Dictionary<long, ActivityCommand> _activities = [];
    private readonly Dictionary<long, TimerCommand> _timers = [];
    private readonly Dictionary<long, ChildWorkflowCommand> _children = [];
    private readonly Dictionary<long, SignalExternalCommand> _signals = [];
    private readonly Dictionary<long, CancelExternalCommand> _cancels = [];
    private readonly List<ConditionWaiter> _waiters = [];
    private readonly List<Task> _signalTasks = [];

    private readonly Dictionary<string, int> _versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _recordedVersions = new(StringComparer.Ordinal);
    private readonly List<SideEffect> _sideEffects = [];

    /// <summary>What one SideEffectAsync call recorded: a value, a refused value, or a failure.</summary>
    private readonly record struct SideEffect(string? Value, string? Refused, string? Failed);
    private int _sideEffectEventsSeen;
    private int _sideEffectCalls;

    // Flow's own markers that SWF refused (RecordMarkerFailed), by the DecisionTaskCompleted of the decision that asked for
    // them, found ahead by Prescan; and once the run has met one, why it can only fail from there.
    private Dictionary<long, string>? _refusedMarkers;
    private string? _lostMarker;

    private int _activityCounter, _timerCounter, _childCounter, _retryTimerCounter;
    private int _endlessDelays; // Workflow.DelayAsync(Timeout.InfiniteTimeSpan) calls still waiting

    // Decisions SWF refused for a rate or a count limit, waiting to go out again (see Refused).
    private readonly List<(Command Command, bool Backoff, bool AfterNews)> _refused = [];
    private readonly Dictionary<TimerCommand, Command> _backoffs = [];
    private readonly ConditionalWeakTable<Command, StrongBox<int>> _refusals = new();
    private int _backoffCounter;

    // Grouping state.
    private readonly List<HistoryEvent> _pending = [];
    private readonly List<HistoryEvent> _deferred = [];
    private HistoryEvent? _started;
    private long _liveStartedId;
    private long _matchingFor;
    private bool _matchedContinueTimer;
    private long _lastApplied;

    private IWorkflowInstance? _instance;
    private Task<string?>? _executeTask;
    private CloseCommand? _close;
    private Decision? _reissueClose;
    private bool _closed;
    private bool _cancelRequested;
    private NonDeterminismException? _fatal;
    private bool _stuckWarned;
    private string? _escape;

    // The step of workflow code running now, read by the executor's deadlock watchdog from another thread.
    private long _stepStarted;
    private int _stepThread;
    private string _stepWhat = "";
    private volatile Exception? _abandoned;

    public WorkflowContext(string domain, WorkflowHandler handler, WorkflowExecution execution, ILoggerFactory? loggerFactory)
    {
        Domain = domain;
        _handler = handler;
        Execution = execution;
        _scheduler = new WorkflowScheduler(this);
        _innerLogger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Flow.Workflow." + handler.Definition.Name);
        Logger = new ReplaySafeLogger(this, _innerLogger);
        Random = new Random(Seed(execution.RunId));
        Info = new WorkflowInfo(domain, execution, handler.Definition.ToWorkflowType(), handler.Definition.DefaultTaskList ?? "");
    }

    public string Domain { get; }
    public WorkflowExecution Execution { get; }
    public WorkflowInfo Info { get; private set; }
    public DateTimeOffset UtcNow { get; private set; }
    public bool IsReplaying { get; private set; }
    public Random Random { get; }
    public ILogger Logger { get; }
    public CancellationToken CancellationToken => _rootCts.Token;
    public long LastApplied => _lastApplied;

    /// <summary>Recorded commands still waiting for their outcome, per table: what a run kept in the decision cache holds.</summary>
    internal (int Activities, int Timers, int Children, int Signals, int Cancels) OpenCommands =>
        (_activities.Count, _timers.Count, _children.Count, _signals.Count, _cancels.Count);

    /// <summary>The context of the workflow code running on this thread, or null.</summary>
    public static WorkflowContext? CurrentOrNull => TaskScheduler.Current is WorkflowScheduler s ? s.Context : t_callback;

    public static WorkflowContext Current(string member)
    {
        if (CurrentOrNull is { } current)
            return current;
        if (t_driving is { } driving)
        {
            // On the thread that drives a run but off its scheduler: workflow code continued inline, outside it. Fail the
            // decision task (as for any escape), not the workflow: the run goes on once the code is fixed.
            driving.ReportEscape(
                $"Workflow.{member} was called by workflow code that had left its scheduler: it continued after ConfigureAwait(false) " +
                "(or in a continuation run synchronously on another scheduler). Await Flow's tasks without ConfigureAwait(false).");
            throw new WorkflowEscapeException(driving.Escape!);
        }
        // Nothing here says which run, if any, this code belongs to (an AsyncLocal would, but it makes every continuation task
        // of every run allocate). The exception says it: workflow code that lets it end [Execute] or a signal handler fails a
        // decision task of its run, not the run (see CloseFor).
        throw new WorkflowEscapeException(
            $"Workflow.{member} was called outside workflow code running on its workflow's scheduler (on thread " +
            $"{Environment.CurrentManagedThreadId}, TaskScheduler.Current is {TaskScheduler.Current.GetType().Name}). This happens in code " +
            "started with Task.Run or Task.Factory.StartNew on another scheduler, after ConfigureAwait(false), in thread-pool or timer " +
            "callbacks, or outside a workflow altogether. Keep workflow code on its scheduler: await Flow's tasks directly, without " +
            "ConfigureAwait(false).");
    }

    /// <summary>Records that work came into the run from outside its scheduler (any thread may call it); the run's next
    /// step fails its decision task with this message.</summary>
    public void ReportEscape(string message)
    {
        if (Interlocked.CompareExchange(ref _escape, message, null) is null)
            _innerLogger.LogError("{Message} (workflow {WorkflowId}, run {RunId})", message, Execution.WorkflowId, Execution.RunId);
    }

    private string? Escape => Volatile.Read(ref _escape);

    public readonly record struct StepInfo(long Started, int Thread, string What);

    /// <summary>The step of workflow code running now (Started is a Stopwatch timestamp, 0 between steps).</summary>
    public StepInfo Step => new(Volatile.Read(ref _stepStarted), _stepThread, _stepWhat);

    public bool Abandoned => _abandoned is not null;

    /// <summary>Workflow code is about to run; <paramref name="what"/> completes "has spent ... s in".</summary>
    public void BeginStep(string what)
    {
        _stepWhat = what;
        _stepThread = Environment.CurrentManagedThreadId;
        Volatile.Write(ref _stepStarted, Stopwatch.GetTimestamp());
    }

    public void EndStep() => Volatile.Write(ref _stepStarted, 0);

    /// <summary>Called from the watchdog's thread once the executor gives this run up: nothing of it runs again, and the
    /// workflow tasks its code may be blocked on (.Result, .Wait()) fail, so that thread comes back. Best effort: the
    /// code may be changing these tables if it is not blocked but busy.</summary>
    public void Abandon(Exception error)
    {
        _abandoned = error;
        try
        {
            var commands = new List<TaskCommand>();
            foreach (var command in _queue.ToArray())
                if (command is TaskCommand t) commands.Add(t);
            commands.AddRange(_activities.Values.ToArray());
            commands.AddRange(_timers.Values.ToArray());
            commands.AddRange(_children.Values.ToArray());
            commands.AddRange(_signals.Values.ToArray());
            commands.AddRange(_cancels.Values.ToArray());
            foreach (var command in commands)
                command.Fail(error);
            foreach (var waiter in _waiters.ToArray())
                waiter.Completion.TrySetException(error);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            // Changed under us by code that is busy rather than blocked: it returns on its own, or never.
        }
    }

    // ---------------------------------------------------------------- driving

    /// <summary>Applies the task's new events; returns the decisions when the task's own DecisionTaskStarted is open.</summary>
    public DecisionTaskResult Process(DecisionTask task)
    {
        if (Escape is { } escape)
            throw new NonDeterminismException(escape);
        var callerContext = _scheduler.Enter();
        var previousDriving = t_driving;
        t_driving = this;
        try
        {
            Prescan(task.Events);
            foreach (var e in task.Events)
            {
                if (e.EventId <= _lastApplied)
                    continue;
                Feed(e);
                _lastApplied = e.EventId;
            }
            EndMatching();

            if (_started is not { } started || started.EventId != task.StartedEventId || _liveStartedId == started.EventId)
                return new DecisionTaskResult([], null); // a closed history replayed for checking: nothing to decide

            _pending.AddRange(_deferred);
            _deferred.Clear();
            RunGroup(_pending, started.EventTimestamp, replaying: false);
            _pending.Clear();
            _liveStartedId = started.EventId;
            var state = State();
            if (Escape is { } late)
                throw new NonDeterminismException(late); // reported from another thread while the decision was finishing
            return new DecisionTaskResult(BuildDecisions(Json(state)), state);
        }
        finally
        {
            t_driving = previousDriving;
            _scheduler.Exit(callerContext);
        }
    }

    private void Feed(HistoryEvent e)
    {
        switch (e.EventType)
        {
            case EventType.DecisionTaskScheduled:
                EndMatching();
                return;
            case EventType.DecisionTaskStarted:
                EndMatching();
                if (_started is not null && _liveStartedId != _started.EventId)
                {
                    // The previous decision task never completed: its news join this one's.
                    _pending.AddRange(_deferred);
                    _deferred.Clear();
                }
                _started = e;
                return;
            case EventType.DecisionTaskCompleted:
            {
                EndMatching();
                var startedId = e.DecisionTaskCompletedEventAttributes!.StartedEventId;
                if (startedId == _liveStartedId)
                {
                    _liveStartedId = 0; // its code ran live in the previous task; only its events remain to match
                }
                else
                {
                    if (_started is null || _started.EventId != startedId)
                        throw new InvalidOperationException(
                            $"History event {e.EventId} completes decision task started at event {startedId}, which this executor has not seen. " +
                            "Replay the full history.");
                    if (_lostMarker is null && _refusedMarkers is { } refused && refused.TryGetValue(e.EventId, out var lost))
                        _lostMarker = lost; // its code is not run again: it used a value that is in no history
                    else
                        RunGroup(_pending, _started.EventTimestamp, replaying: true);
                }
                _pending.Clear();
                _pending.AddRange(_deferred);
                _deferred.Clear();
                _started = null;
                _matchingFor = e.EventId;
                _matchedContinueTimer = false;
                return;
            }
            case EventType.DecisionTaskTimedOut:
                EndMatching();
                if (e.DecisionTaskTimedOutEventAttributes!.StartedEventId == _liveStartedId && _liveStartedId != 0)
                    throw new InvalidOperationException(
                        $"The decision task started at event {_liveStartedId} timed out (event {e.EventId}) after this executor answered it: " +
                        "the decisions it sent were not recorded. Replay the full history.");
                _pending.AddRange(_deferred);
                _deferred.Clear();
                _started = null;
                return;
            case EventType.LambdaFunctionScheduled:
            case EventType.LambdaFunctionStarted:
            case EventType.LambdaFunctionCompleted:
            case EventType.LambdaFunctionFailed:
            case EventType.LambdaFunctionTimedOut:
            case EventType.ScheduleLambdaFunctionFailed:
            case EventType.StartLambdaFunctionFailed:
                throw new NotSupportedException(
                    $"History event {e.EventId} is {e.EventType}: Flow does not support AWS Lambda tasks (ScheduleLambdaFunction). " +
                    "Run the work as an activity instead.");
        }

        if (IsCommandEvent(e))
        {
            Match(e);
            return;
        }
        EndMatching();
        (_started is not null ? _deferred : _pending).Add(e);
    }

    /// <summary>Events a decision records (they carry decisionTaskCompletedEventId). The three *Failed events that also
    /// arrive later for an initiated command count as results when they name a known initiated event.</summary>
    private bool IsCommandEvent(HistoryEvent e) => e.EventType switch
    {
        EventType.ActivityTaskScheduled or EventType.ScheduleActivityTaskFailed or EventType.ActivityTaskCancelRequested
            or EventType.RequestCancelActivityTaskFailed or EventType.TimerStarted or EventType.StartTimerFailed
            or EventType.TimerCanceled or EventType.CancelTimerFailed or EventType.StartChildWorkflowExecutionInitiated
            or EventType.SignalExternalWorkflowExecutionInitiated or EventType.RequestCancelExternalWorkflowExecutionInitiated
            or EventType.MarkerRecorded or EventType.RecordMarkerFailed
            or EventType.WorkflowExecutionCompleted or EventType.CompleteWorkflowExecutionFailed
            or EventType.WorkflowExecutionFailed or EventType.FailWorkflowExecutionFailed
            or EventType.WorkflowExecutionCanceled or EventType.CancelWorkflowExecutionFailed
            or EventType.WorkflowExecutionContinuedAsNew or EventType.ContinueAsNewWorkflowExecutionFailed => true,
        EventType.StartChildWorkflowExecutionFailed =>
            !_children.ContainsKey(e.StartChildWorkflowExecutionFailedEventAttributes!.InitiatedEventId),
        EventType.SignalExternalWorkflowExecutionFailed =>
            !_signals.ContainsKey(e.SignalExternalWorkflowExecutionFailedEventAttributes!.InitiatedEventId),
        EventType.RequestCancelExternalWorkflowExecutionFailed =>
            !_cancels.ContainsKey(e.RequestCancelExternalWorkflowExecutionFailedEventAttributes!.InitiatedEventId),
        _ => false,
    };

    private void EndMatching()
    {
        if (_matchingFor == 0)
            return;
        var completedId = _matchingFor;
        _matchingFor = 0;
        if (_queue.Count > 0 && !_matchedContinueTimer && _lostMarker is null)
            Fail(new NonDeterminismException(
                $"The workflow code asked for {_queue[0].Describe()} in the decision completed at history event {completedId}, " +
                "but history records no such decision there. Did the workflow code change since this run started?"));
    }

    private static bool IsContinueTimer(HistoryEvent e) => e.EventType switch
    {
        EventType.TimerStarted => e.TimerStartedEventAttributes!.TimerId == ContinueTimerId,
        EventType.TimerFired => e.TimerFiredEventAttributes!.TimerId == ContinueTimerId,
        EventType.StartTimerFailed => e.StartTimerFailedEventAttributes!.TimerId == ContinueTimerId,
        EventType.TimerCanceled => e.TimerCanceledEventAttributes!.TimerId == ContinueTimerId,
        EventType.CancelTimerFailed => e.CancelTimerFailedEventAttributes!.TimerId == ContinueTimerId,
        _ => false,
    };

    private static (CommandKind Kind, string Id, string? Name, string? Version) Signature(HistoryEvent e)
    {
        switch (e.EventType)
        {
            case EventType.ActivityTaskScheduled:
            {
                var a = e.ActivityTaskScheduledEventAttributes!;
                return (CommandKind.Activity, a.ActivityId, a.ActivityType.Name, a.ActivityType.Version);
            }
            case EventType.ScheduleActivityTaskFailed:
            {
                var a = e.ScheduleActivityTaskFailedEventAttributes!;
                return (CommandKind.Activity, a.ActivityId, a.ActivityType.Name, a.ActivityType.Version);
            }
            case EventType.ActivityTaskCancelRequested:
                return (CommandKind.RequestCancelActivity, e.ActivityTaskCancelRequestedEventAttributes!.ActivityId, null, null);
            case EventType.RequestCancelActivityTaskFailed:
                return (CommandKind.RequestCancelActivity, e.RequestCancelActivityTaskFailedEventAttributes!.ActivityId, null, null);
            case EventType.TimerStarted:
            {
                var a = e.TimerStartedEventAttributes!;
                return (CommandKind.Timer, a.TimerId, a.StartToFireTimeout, null);
            }
            case EventType.StartTimerFailed:
                return (CommandKind.Timer, e.StartTimerFailedEventAttributes!.TimerId, null, null);
            case EventType.TimerCanceled:
                return (CommandKind.CancelTimer, e.TimerCanceledEventAttributes!.TimerId, null, null);
            case EventType.CancelTimerFailed:
                return (CommandKind.CancelTimer, e.CancelTimerFailedEventAttributes!.TimerId, null, null);
            case EventType.StartChildWorkflowExecutionInitiated:
            {
                var a = e.StartChildWorkflowExecutionInitiatedEventAttributes!;
                return (CommandKind.ChildWorkflow, a.WorkflowId, a.WorkflowType.Name, a.WorkflowType.Version);
            }
            case EventType.StartChildWorkflowExecutionFailed:
            {
                var a = e.StartChildWorkflowExecutionFailedEventAttributes!;
                return (CommandKind.ChildWorkflow, a.WorkflowId, a.WorkflowType.Name, a.WorkflowType.Version);
            }
            case EventType.SignalExternalWorkflowExecutionInitiated:
            {
                var a = e.SignalExternalWorkflowExecutionInitiatedEventAttributes!;
                return (CommandKind.SignalExternal, a.WorkflowId, a.SignalName, null);
            }
            case EventType.SignalExternalWorkflowExecutionFailed:
                return (CommandKind.SignalExternal, e.SignalExternalWorkflowExecutionFailedEventAttributes!.WorkflowId, null, null);
            case EventType.RequestCancelExternalWorkflowExecutionInitiated:
                return (CommandKind.CancelExternal, e.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes!.WorkflowId, null, null);
            case EventType.RequestCancelExternalWorkflowExecutionFailed:
                return (CommandKind.CancelExternal, e.RequestCancelExternalWorkflowExecutionFailedEventAttributes!.WorkflowId, null, null);
            case EventType.MarkerRecorded:
                return (CommandKind.Marker, e.MarkerRecordedEventAttributes!.MarkerName, null, null);
            case EventType.RecordMarkerFailed:
                return (CommandKind.Marker, e.RecordMarkerFailedEventAttributes!.MarkerName, null, null);
            case EventType.WorkflowExecutionCompleted:
            case EventType.CompleteWorkflowExecutionFailed:
                return (CommandKind.Close, "", CloseCommand.Name(DecisionType.CompleteWorkflowExecution), null);
            case EventType.WorkflowExecutionFailed:
            case EventType.FailWorkflowExecutionFailed:
                return (CommandKind.Close, "", CloseCommand.Name(DecisionType.FailWorkflowExecution), null);
            case EventType.WorkflowExecutionCanceled:
            case EventType.CancelWorkflowExecutionFailed:
                return (CommandKind.Close, "", CloseCommand.Name(DecisionType.CancelWorkflowExecution), null);
            default:
                return (CommandKind.Close, "", CloseCommand.Name(DecisionType.ContinueAsNewWorkflowExecution), null);
        }
    }

    private static string? Join(string? name, string? version) => version is null ? name : $"{name} {version}";

    /// <summary>Matches a recorded decision with the oldest command the code made and not yet matched.</summary>
    private void Match(HistoryEvent e)
    {
        if (IsContinueTimer(e))
        {
            _matchedContinueTimer = true;
            return;
        }
        var (kind, id, name, version) = Signature(e);
        if (_lostMarker is not null && (_queue.Count == 0 || _queue[0].Kind != kind || _queue[0].Id != id))
        {
            // Past a refused marker of Flow's the code no longer runs: what the decisions recorded is taken as it is.
            if (e.EventType is EventType.WorkflowExecutionCompleted or EventType.WorkflowExecutionFailed
                or EventType.WorkflowExecutionCanceled or EventType.WorkflowExecutionContinuedAsNew)
                _closed = true;
            return;
        }
        if (_queue.Count == 0)
            Fail(new NonDeterminismException(
                $"History event {e.EventId} ({e.EventType}) records {Command.Describe(kind, id, Join(name, version))}, " +
                "but the workflow code made no such decision at that point. Did the workflow code change since this run started?"));
        var command = _queue[0];
        if (command.Kind != kind || command.Id != id ||
            (name is not null && (command.DetailName != name || command.DetailVersion != version)))
            Fail(new NonDeterminismException(
                $"History event {e.EventId} ({e.EventType}) records {Command.Describe(kind, id, Join(name, version))}, " +
                $"but the workflow code asked for {command.Describe()}. Did the workflow code change since this run started?"));
        _queue.RemoveAt(0);
        command.RecordedEventId = e.EventId;
        if (Refused(e, command))
            return;

        switch (e.EventType)
        {
            case EventType.ActivityTaskScheduled:
                _activities[e.EventId] = (ActivityCommand)command;
                break;
            case EventType.ScheduleActivityTaskFailed:
            {
                var a = e.ScheduleActivityTaskFailedEventAttributes!;
                var activity = (ActivityCommand)command;
                activity.Fail(new ScheduleActivityTaskFailedException(a.ActivityId, a.ActivityType, a.Cause));
                break;
            }
            case EventType.TimerStarted:
                _timers[e.EventId] = (TimerCommand)command;
                break;
            case EventType.StartTimerFailed:
            {
                var a = e.StartTimerFailedEventAttributes!;
                ((TimerCommand)command).Fail(new StartTimerFailedException(a.TimerId, a.Cause));
                break;
            }
            case EventType.TimerCanceled:
                _timers.Remove(e.TimerCanceledEventAttributes!.StartedEventId); // its last event: it never fires now
                break;
            case EventType.StartChildWorkflowExecutionInitiated:
                _children[e.EventId] = (ChildWorkflowCommand)command;
                break;
            case EventType.StartChildWorkflowExecutionFailed:
            {
                var a = e.StartChildWorkflowExecutionFailedEventAttributes!;
                ((ChildWorkflowCommand)command).Fail(new StartChildWorkflowFailedException(a.WorkflowId, a.WorkflowType, a.Cause));
                break;
            }
            case EventType.SignalExternalWorkflowExecutionInitiated:
                _signals[e.EventId] = (SignalExternalCommand)command;
                break;
            case EventType.SignalExternalWorkflowExecutionFailed:
            {
                var a = e.SignalExternalWorkflowExecutionFailedEventAttributes!;
                var signal = (SignalExternalCommand)command;
                signal.Fail(new SignalExternalWorkflowFailedException(a.WorkflowId, signal.SignalName, a.Cause));
                break;
            }
            case EventType.RequestCancelExternalWorkflowExecutionInitiated:
                _cancels[e.EventId] = (CancelExternalCommand)command;
                break;
            case EventType.RequestCancelExternalWorkflowExecutionFailed:
            {
                var a = e.RequestCancelExternalWorkflowExecutionFailedEventAttributes!;
                ((CancelExternalCommand)command).Fail(new RequestCancelExternalWorkflowFailedException(a.WorkflowId, a.Cause));
                break;
            }
            case EventType.RecordMarkerFailed:
                if (IsFlowMarker(id))
                    _lostMarker ??= LostMarker(e);
                else
                    _innerLogger.LogWarning("Marker {Marker} was not recorded: {Cause}.", id, e.RecordMarkerFailedEventAttributes!.Cause);
                break;
            case EventType.WorkflowExecutionCompleted:
            case EventType.WorkflowExecutionFailed:
            case EventType.WorkflowExecutionCanceled:
            case EventType.WorkflowExecutionContinuedAsNew:
                _closed = true;
                break;
            case EventType.CompleteWorkflowExecutionFailed:
                CloseFailed((CloseCommand)command, e.CompleteWorkflowExecutionFailedEventAttributes!.Cause == CompleteWorkflowExecutionFailedCause.UnhandledDecision, "OPERATION_NOT_PERMITTED");
                break;
            case EventType.FailWorkflowExecutionFailed:
                CloseFailed((CloseCommand)command, e.FailWorkflowExecutionFailedEventAttributes!.Cause == FailWorkflowExecutionFailedCause.UnhandledDecision, "OPERATION_NOT_PERMITTED");
                break;
            case EventType.CancelWorkflowExecutionFailed:
                CloseFailed((CloseCommand)command, e.CancelWorkflowExecutionFailedEventAttributes!.Cause == CancelWorkflowExecutionFailedCause.UnhandledDecision, "OPERATION_NOT_PERMITTED");
                break;
            case EventType.ContinueAsNewWorkflowExecutionFailed:
            {
                var cause = e.ContinueAsNewWorkflowExecutionFailedEventAttributes!.Cause;
                if (cause == ContinueAsNewWorkflowExecutionFailedCause.UnhandledDecision)
                    CloseFailed((CloseCommand)command, true, "");
                else
                {
                    // The new run cannot start (type missing, deprecated, no defaults): close this one as failed instead.
                    _close = null;
                    _reissueClose = FailDecision("ContinueAsNewWorkflowExecutionFailed",
                        $"SWF refused ContinueAsNewWorkflowExecution: {FailureText.Swf(cause)}.");
                }
                break;
            }
        }
    }

    private void CloseFailed(CloseCommand command, bool unhandledDecision, string cause)
    {
        _close = null;
        if (unhandledDecision)
            _reissueClose = command.Decision; // new events arrived first; say it again after the code has seen them
        else
            _innerLogger.LogError("SWF refused {Decision}: {Cause}. The run stays open.", command.Detail, cause);
    }

    /// <summary>Applies one decision's news, then runs the code until it waits for something new.</summary>
    private void RunGroup(List<HistoryEvent> events, DateTimeOffset startedAt, bool replaying)
    {
        UtcNow = startedAt;
        IsReplaying = replaying;
        if (_lostMarker is { } lost)
        {
            // The code used a side effect's value or a version that SWF did not record: no replay can follow it past that
            // point, live or not, so it runs no more and the run fails, the same way in every replay.
            if (_close is null && !_closed)
            {
                _queue.Clear();
                EnqueueClose(FailDecision(MarkerNotRecordedReason, lost));
            }
            return;
        }
        foreach (var e in events)
            Apply(e);
        if (_refused.Count > 0)
            IssueRefused(news: events.Count > 0);
        RunUntilQuiescent();
        if (_fatal is not null)
            throw _fatal;
        if (_close is null && !_closed)
        {
            if (_reissueClose is { } again)
            {
                _reissueClose = null;
                EnqueueClose(again);
            }
            else if (CloseDecision() is { } close)
            {
                EnqueueClose(close);
            }
        }
        if (!_stuckWarned && !replaying && _close is null && !_closed && CodeWaits() && !AwaitsItsOwnWork())
            WarnWaitingOnNothingOwned();
    }

    /// <summary>Workflow code (its [Execute] method or a signal handler) has not finished.</summary>
    private bool CodeWaits()
    {
        if (_executeTask is { IsCompleted: false })
            return true;
        foreach (var signal in _signalTasks)
            if (!signal.IsCompleted)
                return true;
        return false;
    }

    /// <summary>Something the run owns can still resume its code: a command whose result is to come (activity, timer,
    /// child, external signal or cancel request), a WaitConditionAsync, an endless Workflow.DelayAsync. Allocates nothing:
    /// it runs at the end of every decision, replayed ones included.</summary>
    private bool AwaitsItsOwnWork()
    {
        if (_waiters.Count > 0 || _endlessDelays > 0)
            return true;
        foreach (var command in _queue)
            if (command is TaskCommand { Resolved: false })
                return true;
        return Open(_activities) || Open(_timers) || Open(_children) || Open(_signals) || Open(_cancels);

        static bool Open<T>(Dictionary<long, T> table) where T : TaskCommand
        {
            foreach (var command in table.Values)
                if (!command.Resolved)
                    return true;
            return false;
        }
    }

    /// <summary>The scheduler has gone quiet, the code still runs, and nothing the run owns can resume it. Either it awaits
    /// work that left the scheduler (Task.Run, Task.Delay, a timer, I/O, ConfigureAwait(false)), which no decision sees
    /// finish, or a TaskCompletionSource that a signal handler will complete, which is sound. The two look the same here,
    /// so this warns once per run (live, not on replay) and answers the decision: failing it would make a run that waits
    /// for a signal time out a decision task every task start-to-close timeout until the signal came, growing its history
    /// towards SWF's 25,000-event limit. Escaped work is still failed, naming its cause, when it comes back; the build-time
    /// rules FLOW052, FLOW054 and FLOW055 catch it before it runs.</summary>
    private void WarnWaitingOnNothingOwned()
    {
        _stuckWarned = true;
        _innerLogger.LogWarning(
            "Workflow code waits at the end of the decision task started at history event {StartedEventId} on nothing this run owns: " +
            "no activity, child workflow, timer, external signal or cancel request it asked for is open, and no Workflow.WaitConditionAsync " +
            "or Workflow.DelayAsync waits. If it awaits a TaskCompletionSource that a signal handler completes, this is sound, and " +
            "awaiting Workflow.WaitConditionAsync(() => source.Task.IsCompleted) instead says so. Otherwise it awaits work that left the " +
            "workflow's scheduler (Task.Run, Task.Delay, a System.Threading.Timer, I/O, or ConfigureAwait(false)), which nothing of the " +
            "run will wake; when that work finishes it is reported and fails the decision task. (workflow {WorkflowId}, run {RunId})",
            _started?.EventId ?? _liveStartedId, Execution.WorkflowId, Execution.RunId);
    }

    private void RunUntilQuiescent()
    {
        while (true)
        {
            _scheduler.RunQueued();
            if (_abandoned is { } abandoned)
                throw new InvalidOperationException("The executor abandoned this run: " + abandoned.Message, abandoned);
            if (Escape is { } escape)
                throw new NonDeterminismException(escape);
            if (!ReleaseWaiters())
                return;
        }
    }

    private bool ReleaseWaiters()
    {
        if (_waiters.Count == 0)
            return false;
        var released = false;
        var previous = t_callback;
        t_callback = this;
        try
        {
            for (var i = 0; i < _waiters.Count; i++)
            {
                var waiter = _waiters[i];
                bool holds;
                try
                {
                    BeginStep("a WaitConditionAsync condition");
                    holds = waiter.Condition();
                }
                catch (Exception ex)
                {
                    _waiters.RemoveAt(i--);
                    waiter.Completion.TrySetException(ex);
                    released = true;
                    continue;
                }
                finally
                {
                    EndStep();
                }
                if (holds)
                {
                    _waiters.RemoveAt(i--);
                    waiter.Completion.TrySetResult(true);
                    released = true;
                }
            }
        }
        finally
        {
            t_callback = previous;
        }
        return released;
    }

    private Decision? CloseDecision()
    {
        if (_executeTask is not { IsCompleted: true } execute)
        {
            foreach (var signal in _signalTasks)
                if (signal.IsFaulted || signal.IsCanceled)
                    return CloseFor(signal, null);
            _signalTasks.RemoveAll(t => t.IsCompletedSuccessfully);
            return null;
        }
        return CloseFor(execute, execute.IsCompletedSuccessfully ? execute.Result : null);
    }

    private Decision CloseFor(Task task, string? result)
    {
        if (task.IsCompletedSuccessfully)
        {
            if (result is { Length: > MaxPayload })
                return FailDecision("Flow.ResultTooLarge",
                    $"The workflow's result is {result.Length} characters long; SWF allows at most {MaxPayload}. " +
                    "Return less, or store the data elsewhere and return a reference.");
            return new Decision
            {
                DecisionType = DecisionType.CompleteWorkflowExecution,
                CompleteWorkflowExecutionDecisionAttributes = new() { Result = result },
            };
        }

        Exception error = task.IsCanceled
            ? new TaskCanceledException(task)
            : task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception;
        if (error is WorkflowEscapeException escaped)
        {
            // The code called the workflow API after leaving its scheduler and let that end it: a decision task fails, the
            // run stays open for fixed code.
            ReportEscape("Workflow code ended with an error it met off its scheduler: " + escaped.Message);
            throw new NonDeterminismException(Escape!);
        }
        if (error is ContinueAsNewException can)
            return ContinueAsNewDecision(can);
        if (error is OperationCanceledException && _cancelRequested)
            return new Decision
            {
                DecisionType = DecisionType.CancelWorkflowExecution,
                CancelWorkflowExecutionDecisionAttributes = new(),
            };
        // ExceptionText: a Message or StackTrace that throws must not keep the run from closing.
        return FailDecision(Workers.ExceptionText.TypeName(error), $"{Workers.ExceptionText.Message(error)}\n{Workers.ExceptionText.Stack(error)}");
    }

    private Decision ContinueAsNewDecision(ContinueAsNewException can)
    {
        try
        {
            // Workflow.ContinueAsNew checked these at the call; an exception constructed directly was not.
            CallLimits.ContinueAsNew(can.Workflow, can.Input, can.Options);
        }
        catch (ArgumentException e)
        {
            return FailDecision(typeof(ArgumentException).FullName!, e.Message);
        }
        var definition = can.Workflow;
        var options = can.Options;
        return new Decision
        {
            DecisionType = DecisionType.ContinueAsNewWorkflowExecution,
            ContinueAsNewWorkflowExecutionDecisionAttributes = new()
            {
                Input = can.Input,
                WorkflowTypeVersion = definition.Version,
                TaskList = (options?.TaskList ?? definition.DefaultTaskList) is { } list ? new TaskList { Name = list } : null,
                TaskPriority = options?.TaskPriority?.ToString(CultureInfo.InvariantCulture) ?? definition.DefaultTaskPriority,
                ExecutionStartToCloseTimeout = Durations.Format(options?.ExecutionStartToCloseTimeout) ?? definition.DefaultExecutionStartToCloseTimeout,
                TaskStartToCloseTimeout = Durations.Format(options?.TaskStartToCloseTimeout) ?? definition.DefaultTaskStartToCloseTimeout,
                ChildPolicy = options?.ChildPolicy ?? definition.DefaultChildPolicy,
                TagList = options?.TagList is { Count: > 0 } tags ? [.. tags] : null,
                LambdaRole = options?.LambdaRole,
            },
        };
    }

    internal static Decision FailDecision(string reason, string? details) => new()
    {
        DecisionType = DecisionType.FailWorkflowExecution,
        FailWorkflowExecutionDecisionAttributes = new()
        {
            Reason = Truncate(reason, MaxReason),
            Details = details is null ? null : Truncate(details, MaxPayload),
        },
    };

    internal static string Truncate(string value, int max)
    {
        const string marker = "…[truncated]";
        if (value.Length <= max) return value;
        var keep = max - marker.Length;
        if (keep > 0 && char.IsHighSurrogate(value[keep - 1])) keep--;
        return keep <= 0 ? value[..max] : string.Concat(value.AsSpan(0, keep), marker);
    }

    private void EnqueueClose(Decision decision)
    {
        _close = new CloseCommand(decision);
        _queue.Add(_close);
    }

    private void Enqueue(Command command)
    {
        // The close decision must stay last: SWF refuses decisions after it.
        if (_close is { Recorded: false } close && _queue.Count > 0 && ReferenceEquals(_queue[^1], close))
            _queue.Insert(_queue.Count - 1, command);
        else
            _queue.Add(command);
    }

    private void Fail(NonDeterminismException error)
    {
        _fatal ??= error;
        throw _fatal;
    }

    // ---------------------------------------------------------------- applying news

    private void Apply(HistoryEvent e)
    {
        if (RefusedAfterInitiation(e))
            return;
        switch (e.EventType)
        {
            case EventType.WorkflowExecutionStarted:
                Start(e);
                break;
            case EventType.WorkflowExecutionSignaled:
            {
                StartSignal(e.WorkflowExecutionSignaledEventAttributes!, e.EventId);
                break;
            }
            case EventType.WorkflowExecutionCancelRequested:
                _cancelRequested = true;
                // Cancel on the scheduler, so callbacks registered by workflow code run as workflow code.
                _scheduler.Start(_rootCts.Cancel);
                break;
            case EventType.ActivityTaskStarted:
                ActivityFor(e, e.ActivityTaskStartedEventAttributes!.ScheduledEventId);
                break;
            case EventType.ActivityTaskCompleted:
            {
                var a = e.ActivityTaskCompletedEventAttributes!;
                ActivityFor(e, a.ScheduledEventId, done: true).Resolve(a.Result);
                break;
            }
            case EventType.ActivityTaskFailed:
            {
                var a = e.ActivityTaskFailedEventAttributes!;
                var activity = ActivityFor(e, a.ScheduledEventId, done: true);
                activity.Fail(new ActivityFailedException(activity.Id, activity.ActivityType, a.Reason, a.Details));
                break;
            }
            case EventType.ActivityTaskTimedOut:
            {
                var a = e.ActivityTaskTimedOutEventAttributes!;
                var activity = ActivityFor(e, a.ScheduledEventId, done: true);
                activity.Fail(new ActivityTimedOutException(activity.Id, activity.ActivityType, a.TimeoutType, a.Details));
                break;
            }
            case EventType.ActivityTaskCanceled:
            {
                var a = e.ActivityTaskCanceledEventAttributes!;
                ActivityFor(e, a.ScheduledEventId, done: true).Cancel(a.Details);
                break;
            }
            case EventType.TimerFired:
            {
                if (IsContinueTimer(e))
                    break;
                var a = e.TimerFiredEventAttributes!;
                if (!_timers.Remove(a.StartedEventId, out var timer))
                    throw Unknown(e, a.StartedEventId, "started the timer");
                timer.Resolve(null);
                if (_backoffs.Count > 0 && _backoffs.Remove(timer, out var refused))
                    Reissue(refused);
                break;
            }
            case EventType.ChildWorkflowExecutionStarted:
            {
                var a = e.ChildWorkflowExecutionStartedEventAttributes!;
                ChildFor(e, a.InitiatedEventId).RunId = a.WorkflowExecution.RunId;
                break;
            }
            case EventType.ChildWorkflowExecutionCompleted:
            {
                var a = e.ChildWorkflowExecutionCompletedEventAttributes!;
                ChildFor(e, a.InitiatedEventId, done: true).Resolve(a.Result);
                break;
            }
            case EventType.ChildWorkflowExecutionFailed:
            {
                var a = e.ChildWorkflowExecutionFailedEventAttributes!;
                ChildFor(e, a.InitiatedEventId, done: true).Fail(new ChildWorkflowFailedException(a.WorkflowExecution, a.WorkflowType, a.Reason, a.Details));
                break;
            }
            case EventType.ChildWorkflowExecutionTimedOut:
            {
                var a = e.ChildWorkflowExecutionTimedOutEventAttributes!;
                ChildFor(e, a.InitiatedEventId, done: true).Fail(new ChildWorkflowTimedOutException(a.WorkflowExecution, a.WorkflowType));
                break;
            }
            case EventType.ChildWorkflowExecutionCanceled:
            {
                var a = e.ChildWorkflowExecutionCanceledEventAttributes!;
                ChildFor(e, a.InitiatedEventId, done: true).Cancel(a.Details);
                break;
            }
            case EventType.ChildWorkflowExecutionTerminated:
            {
                var a = e.ChildWorkflowExecutionTerminatedEventAttributes!;
                ChildFor(e, a.InitiatedEventId, done: true).Fail(new ChildWorkflowTerminatedException(a.WorkflowExecution, a.WorkflowType));
                break;
            }
            case EventType.StartChildWorkflowExecutionFailed:
            {
                var a = e.StartChildWorkflowExecutionFailedEventAttributes!;
                ChildFor(e, a.InitiatedEventId, done: true).Fail(new StartChildWorkflowFailedException(a.WorkflowId, a.WorkflowType, a.Cause));
                break;
            }
            case EventType.ExternalWorkflowExecutionSignaled:
            {
                var a = e.ExternalWorkflowExecutionSignaledEventAttributes!;
                if (!_signals.Remove(a.InitiatedEventId, out var signal))
                    throw Unknown(e, a.InitiatedEventId, "initiated the signal");
                signal.Resolve(null);
                break;
            }
            case EventType.SignalExternalWorkflowExecutionFailed:
            {
                var a = e.SignalExternalWorkflowExecutionFailedEventAttributes!;
                _signals.Remove(a.InitiatedEventId, out var signal);
                signal!.Fail(new SignalExternalWorkflowFailedException(a.WorkflowId, signal.SignalName, a.Cause));
                break;
            }
            case EventType.ExternalWorkflowExecutionCancelRequested:
            {
                var a = e.ExternalWorkflowExecutionCancelRequestedEventAttributes!;
                if (!_cancels.Remove(a.InitiatedEventId, out var cancel))
                    throw Unknown(e, a.InitiatedEventId, "initiated the cancel request");
                cancel.Resolve(null);
                break;
            }
            case EventType.RequestCancelExternalWorkflowExecutionFailed:
            {
                var a = e.RequestCancelExternalWorkflowExecutionFailedEventAttributes!;
                _cancels.Remove(a.InitiatedEventId, out var cancel);
                cancel!.Fail(new RequestCancelExternalWorkflowFailedException(a.WorkflowId, a.Cause));
                break;
            }
            // WorkflowExecutionTerminated, WorkflowExecutionTimedOut and anything new: nothing to do.
        }
    }

    /// <summary>The activity an event reports on; <paramref name="done"/> (its last event) forgets it, so the table stays
    /// as small as the number of activities in flight. So do the other tables: a timer leaves at TimerFired or TimerCanceled,
    /// a child, a signal or a cancel request at its outcome.</summary>
    private ActivityCommand ActivityFor(HistoryEvent e, long scheduledEventId, bool done = false) =>
        (done ? _activities.Remove(scheduledEventId, out var activity) : _activities.TryGetValue(scheduledEventId, out activity))
            ? activity : throw Unknown(e, scheduledEventId, "scheduled the activity");

    private ChildWorkflowCommand ChildFor(HistoryEvent e, long initiatedEventId, bool done = false) =>
        (done ? _children.Remove(initiatedEventId, out var child) : _children.TryGetValue(initiatedEventId, out child))
            ? child : throw Unknown(e, initiatedEventId, "initiated the child workflow");

    private NonDeterminismException Unknown(HistoryEvent e, long reference, string what)
    {
        _fatal ??= new NonDeterminismException(
            $"History event {e.EventId} ({e.EventType}) refers to event {reference}, which {what}, but the workflow code made no such decision.");
        return _fatal;
    }

    private void Start(HistoryEvent e)
    {
        var a = e.WorkflowExecutionStartedEventAttributes!;
        Info = new WorkflowInfo(Domain, Execution, a.WorkflowType, a.TaskList.Name)
        {
            ParentExecution = a.ParentWorkflowExecution,
            ContinuedExecutionRunId = a.ContinuedExecutionRunId,
            TagList = a.TagList ?? [],
        };
        var input = a.Input;
        _executeTask = _scheduler.Start(() =>
        {
            _instance = _handler.CreateInstance();
            return _instance.ExecuteAsync(input);
        }).Unwrap();
    }

    // Apart from Apply, so the closure is allocated for signals only, not for every event Apply sees.
    private void StartSignal(WorkflowExecutionSignaledEventAttributes a, long eventId) =>
        _signalTasks.Add(_scheduler.Start(() => DeliverSignal(a.SignalName, a.Input, eventId)).Unwrap());

    private Task DeliverSignal(string name, string? input, long eventId)
    {
        if (_instance is null)
        {
            Logger.LogWarning("Signal {Signal} arrived before the workflow started; ignored.", name);
            return Task.CompletedTask;
        }
        Task? handled;
        try
        {
            handled = _instance.HandleSignal(name, input);
        }
        catch (PayloadException ex)
        {
            // Generated dispatch decodes all arguments before it calls the handler: the handler never ran. Anyone may
            // signal a run, so input that does not fit the handler is dropped, never the run's failure.
            Logger.LogError("Signal {Signal} (history event {EventId}) was not delivered to workflow {Workflow}: its input does not fit the handler's parameters. {Error}",
                name, eventId, _handler.Definition.Name, ex.Message);
            if (!IsReplaying)
                FlowDiagnostics.SignalNotDelivered(_handler.Definition.Name, name, "input");
            return Task.CompletedTask;
        }
        if (handled is null)
        {
            Logger.LogWarning("Workflow {Workflow} has no handler for signal {Signal}; ignored.", _handler.Definition.Name, name);
            if (!IsReplaying)
                FlowDiagnostics.SignalNotDelivered(_handler.Definition.Name, null, "no_handler");
            return Task.CompletedTask;
        }
        return handled;
    }

    /// <summary>The [GetState] value for this response. State is for clients to read; a [GetState] that throws or is
    /// too long must not stop the run, so the response goes without it (clients keep the last state sent) and the
    /// error is logged at every decision until the code is fixed.</summary>
    private string? State()
    {
        if (_instance is null)
            return null;
        var previous = t_callback;
        t_callback = this;
        string? state;
        try
        {
            BeginStep("its [GetState] member");
            state = _instance.GetState();
        }
        catch (Exception ex)
        {
            Logger.LogError("The workflow's [GetState] member threw {Error}; this decision is sent without state.", $"{Workers.ExceptionText.TypeName(ex)}: {Workers.ExceptionText.Message(ex)}");
            return null;
        }
        finally
        {
            EndStep();
            t_callback = previous;
        }
        if (state is { Length: > MaxPayload })
        {
            Logger.LogError("The workflow's [GetState] value is {Length} characters long; SWF's executionContext allows at most {Limit}. " +
                            "This decision is sent without state: report less state.", state.Length, MaxPayload);
            return null;
        }
        return state;
    }

    // ---------------------------------------------------------------- output

    /// <param name="contextBytes">The executionContext's share of the response.</param>
    private List<Decision> BuildDecisions(long contextBytes)
    {
        var decisions = new List<Decision>(Math.Min(_queue.Count, MaxDecisions));
        long bytes = 2048 + contextBytes;
        for (var i = 0; i < _queue.Count; i++)
        {
            var decision = _queue[i].ToDecision();
            decision.Validate($"decisions[{i}]");
            var size = Size(decision);
            var more = _queue.Count - i;
            if ((decisions.Count == MaxDecisions - 1 && more > 1) || bytes + size > MaxResponseBytes)
            {
                if (decisions.Count == 0)
                    throw new InvalidOperationException(
                        $"Decision {_queue[i].Describe()} alone is about {size} bytes; SWF accepts at most 1 MB per response.");
                // Send what fits, and a zero-second timer so SWF schedules the next decision for the rest.
                decisions.Add(new Decision
                {
                    DecisionType = DecisionType.StartTimer,
                    StartTimerDecisionAttributes = new() { TimerId = ContinueTimerId, StartToFireTimeout = "0" },
                });
                break;
            }
            decisions.Add(decision);
            bytes += size;
        }
        return decisions;
    }

    /// <summary>An upper bound of the JSON size of a decision: payload fields counted as System.Text.Json escapes them.</summary>
    private static long Size(Decision d)
    {
        long size = 512;
        if (d.ScheduleActivityTaskDecisionAttributes is { } s) size += Json(s.Input) + Json(s.Control);
        if (d.CompleteWorkflowExecutionDecisionAttributes is { } c) size += Json(c.Result);
        if (d.FailWorkflowExecutionDecisionAttributes is { } f) size += Json(f.Details) + Json(f.Reason);
        if (d.CancelWorkflowExecutionDecisionAttributes is { } x) size += Json(x.Details);
        if (d.ContinueAsNewWorkflowExecutionDecisionAttributes is { } n) size += Json(n.Input) + 6 * 256 * (n.TagList?.Count ?? 0);
        if (d.RecordMarkerDecisionAttributes is { } m) size += Json(m.Details) + Json(m.MarkerName);
        if (d.SignalExternalWorkflowExecutionDecisionAttributes is { } g) size += Json(g.Input) + Json(g.Control);
        if (d.StartChildWorkflowExecutionDecisionAttributes is { } h) size += Json(h.Input) + Json(h.Control) + 6 * 256 * (h.TagList?.Count ?? 0);
        return size;
    }

    private static long Json(string? value)
    {
        if (value is null) return 0;
        long n = 0;
        foreach (var ch in value)
            n += ch < 0x80 && ch >= 0x20 && ch is not ('"' or '\\' or '<' or '>' or '&' or '\'' or '+' or '`') ? 1 : 6;
        return n;
    }

    // ---------------------------------------------------------------- markers seen ahead

    /// <summary>GetVersion and SideEffect read their markers before the code that made them runs again.</summary>
    private void Prescan(List<HistoryEvent> events)
    {
        foreach (var e in events)
        {
            if (e.EventId <= _lastApplied)
                continue;
            if (e.EventType == EventType.RecordMarkerFailed && IsFlowMarker(e.RecordMarkerFailedEventAttributes!.MarkerName))
            {
                (_refusedMarkers ??= []).TryAdd(e.RecordMarkerFailedEventAttributes.DecisionTaskCompletedEventId, LostMarker(e));
                continue;
            }
            if (e.EventType != EventType.MarkerRecorded)
                continue;
            var a = e.MarkerRecordedEventAttributes!;
            if (a.MarkerName is SideEffectMarker or SideEffectRefusedMarker or SideEffectFailedMarker)
            {
                if (_sideEffectEventsSeen >= _sideEffects.Count)
                    _sideEffects.Add(a.MarkerName switch
                    {
                        SideEffectMarker => new(a.Details, null, null),
                        SideEffectRefusedMarker => new(null, a.Details ?? "The side effect's value was refused.", null),
                        _ => new(null, null, a.Details ?? ""),
                    });
                _sideEffectEventsSeen++;
            }
            else if (a.MarkerName == VersionMarker && ParseVersion(a.Details) is { } v)
            {
                _recordedVersions.TryAdd(v.ChangeId, v.Version);
            }
        }
    }

    private static bool IsFlowMarker(string name) =>
        name is VersionMarker or SideEffectMarker or SideEffectRefusedMarker or SideEffectFailedMarker;

    private static string LostMarker(HistoryEvent e)
    {
        var a = e.RecordMarkerFailedEventAttributes!;
        var what = a.MarkerName == VersionMarker ? "the version Workflow.GetVersion returned" : "the outcome of Workflow.SideEffectAsync";
        return $"SWF did not record marker {a.MarkerName} (cause {FailureText.Swf(a.Cause)}, history event {e.EventId}), so {what} " +
               "there is in no history: no replay could follow the code past that point. The run fails rather than go on with a value " +
               "later replays would not see. SWF refuses RecordMarker when the decider may not use it: check the worker's permissions.";
    }

    private static (string ChangeId, int Version)? ParseVersion(string? details)
    {
        if (details is null) return null;
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(details));
            string? changeId = null;
            int? version = null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == "changeId" && reader.TokenType == JsonTokenType.String) changeId = reader.GetString();
                else if (name == "version" && reader.TokenType == JsonTokenType.Number) version = reader.GetInt32();
                else reader.Skip();
            }
            return changeId is not null && version is not null ? (changeId, version.Value) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string VersionDetails(string changeId, int version)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("changeId", changeId);
            writer.WriteNumber("version", version);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    // ---------------------------------------------------------------- the workflow API

    /// <summary>Registers what cancelling <paramref name="token"/> does to a command. A token cancelled outside workflow
    /// code (by its own timer, or from another thread) must not touch the run's state from there, nor throw into that
    /// thread (a timer's thread would take the process down): it is reported as an escape instead.</summary>
    private CancellationTokenRegistration OnCancel(CancellationToken token, string what, Action action) =>
        token.Register(() =>
        {
            if (CurrentOrNull != this && !_scheduler.IsDriverThread)
            {
                ReportEscape($"The token of {what} was cancelled outside workflow code, by {Escapes.Cause()}. " +
                             "Cancel the tokens workflow code passes to Flow only from workflow code.");
                return;
            }
            action();
        });

    // The message is put together only when it is needed: a call that passes allocates nothing here.
    private static void CheckPayload(string? value, string what, string name)
    {
        if (value is { Length: > MaxPayload })
            throw new ArgumentException($"The {what} {name} is {value.Length} characters long; SWF allows at most {MaxPayload}.");
    }

    /// <summary>Cancels the command when its token is cancelled: not yet sent, it leaves the queue; sent, the decision
    /// that asks SWF to cancel it (if it has one) is queued. Apart from the callers, so only a cancellable call pays for
    /// the closure.</summary>
    private void CancelOnToken(TaskCommand command, string what) =>
        command.Registration = OnCancel(command.Token, what, () =>
        {
            if (command.Resolved) return;
            if (!command.Recorded) _queue.Remove(command);
            else if (command.CancelDecision() is { } cancel) Enqueue(cancel);
            command.Cancel();
        });

    public Task<string?> ExecuteActivityAsync(ActivityDefinition activity, string? input, ActivityOptions? options)
    {
        CheckPayload(input, "input of activity", activity.Name);
        CallLimits.Activity(activity, options);
        if (options?.ActivityId is { } chosen && AttemptId.ReservedSuffix(chosen))
            throw new ArgumentException(
                $"ActivityOptions.ActivityId \"{chosen}\" ends in '{AttemptId.Separator}' and digits, which Flow keeps for retry attempts " +
                $"(\"{{id}}{AttemptId.Separator}{{attempt}}\"); choose another activity id.", "activityId");
        // One id per logical call: its retries are attempts of it, so they shift no later call's id.
        var id = options?.ActivityId ?? (++_activityCounter).ToString(CultureInfo.InvariantCulture);
        return options?.RetryPolicy is { } policy
            ? RetryActivity(id, activity, input, options, policy)
            : ScheduleActivity(id, activity, input, options);
    }

    private Task<string?> RetryActivity(string id, ActivityDefinition activity, string? input, ActivityOptions options, RetryPolicy policy) =>
        Retry(attempt => ScheduleActivity(AttemptId.For(id, attempt), activity, input, options), policy, activity.Name, options.CancellationToken);

    private Task<string?> ScheduleActivity(string id, ActivityDefinition activity, string? input, ActivityOptions? options)
    {
        var token = options?.CancellationToken ?? default;
        var command = new ActivityCommand(id, activity, input, options) { Token = token };
        if (token.IsCancellationRequested)
            return Task.FromException<string?>(command.CanceledError(null));
        Enqueue(command);
        if (token.CanBeCanceled)
            CancelOnToken(command, $"activity {id}");
        return command.Completion.Task;
    }

    public Task<string?> ExecuteChildWorkflowAsync(WorkflowDefinition workflow, string? input, ChildWorkflowOptions? options)
    {
        CheckPayload(input, "input of child workflow", workflow.Name);
        CallLimits.Child(workflow, options);
        // A generated id is the call's, its attempts suffixed; a chosen one (a business id) is kept for every attempt, which
        // SWF allows because workflowId is unique among open executions only and a retried attempt has closed.
        var chosen = options?.WorkflowId;
        var id = chosen ?? $"{Execution.RunId.Replace('/', '_')}.{++_childCounter}";
        return options?.RetryPolicy is { } policy
            ? RetryChild(id, chosen is not null, workflow, input, options, policy)
            : StartChild(id, workflow, input, options);
    }

    private Task<string?> RetryChild(string id, bool chosen, WorkflowDefinition workflow, string? input, ChildWorkflowOptions options, RetryPolicy policy) =>
        Retry(attempt => StartChild(chosen ? id : AttemptId.For(id, attempt), workflow, input, options), policy, workflow.Name, options.CancellationToken);

    private Task<string?> StartChild(string id, WorkflowDefinition workflow, string? input, ChildWorkflowOptions? options)
    {
        var token = options?.CancellationToken ?? default;
        var command = new ChildWorkflowCommand(id, workflow, input, options) { Token = token };
        if (token.IsCancellationRequested)
            return Task.FromException<string?>(command.CanceledError(null));
        Enqueue(command);
        if (token.CanBeCanceled)
            CancelOnToken(command, $"child workflow {id}");
        return command.Completion.Task;
    }

    public Task DelayAsync(TimeSpan delay, CancellationToken token, string? timerId = null)
    {
        if (delay < TimeSpan.Zero && delay != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "A timer cannot fire in the past.");
        CallLimits.Duration(delay, "Workflow.DelayAsync's delay", "startToFireTimeout");
        if (timerId is not null)
            CallLimits.Identifier(timerId, CallLimits.MaxId, "timerId", "timerId");
        if (token.IsCancellationRequested)
            return Task.FromCanceled(token);
        if (delay == Timeout.InfiniteTimeSpan)
        {
            var forever = new TaskCompletionSource();
            _endlessDelays++;
            if (token.CanBeCanceled)
                OnCancel(token, "an endless delay", () =>
                {
                    if (forever.TrySetCanceled(token))
                        _endlessDelays--;
                });
            return forever.Task;
        }
        var id = timerId ?? "t" + (++_timerCounter).ToString(CultureInfo.InvariantCulture);
        var command = new TimerCommand(id, Durations.Seconds(delay).ToString(CultureInfo.InvariantCulture)) { Token = token };
        Enqueue(command);
        if (token.CanBeCanceled)
            CancelOnToken(command, $"timer {id}");
        return command.Completion.Task;
    }

    public async Task<bool> WaitConditionAsync(Func<bool> condition, TimeSpan? timeout, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        if (condition())
            return true;
        var waiter = new ConditionWaiter(condition);
        _waiters.Add(waiter);
        using var registration = token.CanBeCanceled
            ? OnCancel(token, "a wait for a condition", () => { _waiters.Remove(waiter); waiter.Completion.TrySetCanceled(token); })
            : default;
        if (timeout is not { } limit || limit == Timeout.InfiniteTimeSpan)
            return await waiter.Completion.Task;

        using var timerCts = CancellationTokenSource.CreateLinkedTokenSource(token);
        var timer = DelayAsync(limit, timerCts.Token);
        var first = await Task.WhenAny(waiter.Completion.Task, timer);
        if (first == waiter.Completion.Task)
        {
            if (!timer.IsCompleted)
                timerCts.Cancel();
            return await waiter.Completion.Task;
        }
        _waiters.Remove(waiter);
        await timer; // throws when the caller's token cancelled it
        return false;
    }

    public int GetVersion(string changeId, int minSupported, int maxSupported)
    {
        if (!_versions.TryGetValue(changeId, out var version))
        {
            ArgumentNullException.ThrowIfNull(changeId);
            // Checked on the first call for a change whatever the path below, so a replay throws where the live run did.
            // JSON may escape a character to six, so only ids that could be too long are written out to measure.
            if (changeId.Length > (MaxPayload - 40) / 6 && VersionDetails(changeId, int.MinValue) is { Length: > MaxPayload } details)
                throw new ArgumentException(
                    $"Workflow.GetVersion's changeId is {changeId.Length} characters long; its marker's details would be {details.Length} " +
                    $"characters, and SWF allows at most {MaxPayload}.", nameof(changeId));
            if (_recordedVersions.TryGetValue(changeId, out version))
                Enqueue(new MarkerCommand(VersionMarker, VersionDetails(changeId, version)));
            else if (IsReplaying)
                version = Workflow.DefaultVersion; // recorded by code from before the change
            else
            {
                version = maxSupported;
                Enqueue(new MarkerCommand(VersionMarker, VersionDetails(changeId, version)));
            }
            _versions[changeId] = version;
        }
        if (version < minSupported || version > maxSupported)
            Fail(new NonDeterminismException(
                $"Change \"{changeId}\" is at version {version} in this run's history, but the workflow code supports only " +
                $"{minSupported} to {maxSupported}. Keep the old code path until such runs have closed."));
        return version;
    }

    public Task<string?> SideEffectAsync(Func<string?> func)
    {
        var index = _sideEffectCalls++;
        SideEffect effect;
        if (index < _sideEffects.Count)
        {
            effect = _sideEffects[index];
        }
        else if (IsReplaying)
        {
            Fail(new NonDeterminismException(
                $"The workflow code calls Workflow.SideEffectAsync for the {index + 1}. time, but history holds only {_sideEffects.Count} side-effect markers."));
            return null!;
        }
        else
        {
            string? value;
            try
            {
                value = func();
                effect = value is { Length: > MaxPayload }
                    ? new(null, $"The side effect's value is {value.Length} characters long; SWF allows at most {MaxPayload} (a marker's details).", null)
                    : new(value, null, null);
            }
            catch (Exception e)
            {
                // Recorded, so a replay of code that caught it throws at the same call instead of running the function
                // again, which could succeed there and take another path.
                effect = new(null, null, Workers.ActivityFailure.Details(e));
            }
            _sideEffects.Add(effect);
        }
        if (effect.Failed is { } failed)
        {
            Enqueue(new MarkerCommand(SideEffectFailedMarker, failed));
            throw new SideEffectFailedException(failed);
        }
        if (effect.Refused is { } refused)
        {
            Enqueue(new MarkerCommand(SideEffectRefusedMarker, refused));
            throw new ArgumentException(refused, "details");
        }
        Enqueue(new MarkerCommand(SideEffectMarker, effect.Value));
        return Task.FromResult(effect.Value);
    }

    public void RecordMarker(string markerName, string? details)
    {
        ArgumentException.ThrowIfNullOrEmpty(markerName);
        CallLimits.Length(markerName, CallLimits.MaxName, "RecordMarker's markerName", "markerName");
        CheckPayload(details, "details of marker", markerName);
        Enqueue(new MarkerCommand(markerName, details));
    }

    public Task SignalExternalWorkflowAsync(string workflowId, string? runId, string signalName, string? input, CancellationToken token)
    {
        CheckPayload(input, "input of signal", signalName);
        CallLimits.Required(workflowId, CallLimits.MaxId, "SignalExternalWorkflowAsync's workflowId", "workflowId");
        CallLimits.Length(runId, CallLimits.MaxRunId, "SignalExternalWorkflowAsync's runId", "runId");
        CallLimits.Required(signalName, CallLimits.MaxName, "SignalExternalWorkflowAsync's signalName", "signalName");
        var command = new SignalExternalCommand(workflowId, runId, signalName, input) { Token = token };
        if (token.IsCancellationRequested)
            return Task.FromCanceled(token);
        Enqueue(command);
        if (token.CanBeCanceled)
            CancelOnToken(command, $"signal {signalName}"); // once sent, SWF delivers it anyway: no cancel decision
        return command.Completion.Task;
    }

    public Task RequestCancelExternalWorkflowAsync(string workflowId, string? runId)
    {
        CallLimits.Required(workflowId, CallLimits.MaxId, "RequestCancelExternalWorkflowAsync's workflowId", "workflowId");
        CallLimits.Length(runId, CallLimits.MaxRunId, "RequestCancelExternalWorkflowAsync's runId", "runId");
        var command = new CancelExternalCommand(workflowId, runId);
        Enqueue(command);
        return command.Completion.Task;
    }

    // ---------------------------------------------------------------- decisions refused for a rate or a limit

    /// <summary>Timer ids of the waits before a refused decision goes out again.</summary>
    public const string BackoffTimerPrefix = "_flow_backoff_";

    /// <summary>SWF refused the decision for a rate or a count limit, which passes: it is not the call's failure. The
    /// command goes out again under the same id once a backoff timer has fired (so the decision task that follows the
    /// refusal starts that timer); replay meets the same refusals in the history and makes the same timers. A refused
    /// backoff timer sends its command again at once, or, when the open-timers limit refused it, with the next news.</summary>
    private bool Refused(HistoryEvent e, Command command)
    {
        if (e.EventType == EventType.StartTimerFailed && command is TimerCommand timer && _backoffs.Remove(timer, out var waiting))
        {
            _refused.Add((waiting, false, e.StartTimerFailedEventAttributes!.Cause == StartTimerFailedCause.OpenTimersLimitExceeded));
            return true;
        }
        if (!Transient(e))
            return false;
        command.RecordedEventId = 0;
        _refused.Add((command, true, false));
        Logger.LogInformation("SWF refused {Decision} ({Cause}); it goes out again after a backoff timer.", command.Describe(), Cause(e));
        return true;
    }

    /// <summary>A refusal that came after SWF had initiated the decision (a child, signal or cancel request).</summary>
    private bool RefusedAfterInitiation(HistoryEvent e)
    {
        Command? command;
        switch (e.EventType)
        {
            case EventType.StartChildWorkflowExecutionFailed when Transient(e):
                _children.Remove(e.StartChildWorkflowExecutionFailedEventAttributes!.InitiatedEventId, out var child);
                command = child;
                break;
            case EventType.SignalExternalWorkflowExecutionFailed when Transient(e):
                _signals.Remove(e.SignalExternalWorkflowExecutionFailedEventAttributes!.InitiatedEventId, out var signal);
                command = signal;
                break;
            case EventType.RequestCancelExternalWorkflowExecutionFailed when Transient(e):
                _cancels.Remove(e.RequestCancelExternalWorkflowExecutionFailedEventAttributes!.InitiatedEventId, out var cancel);
                command = cancel;
                break;
            default:
                return false;
        }
        return command is not null && Refused(e, command);
    }

    private static bool Transient(HistoryEvent e) => e.EventType switch
    {
        EventType.ScheduleActivityTaskFailed => e.ScheduleActivityTaskFailedEventAttributes!.Cause
            is ScheduleActivityTaskFailedCause.ActivityCreationRateExceeded or ScheduleActivityTaskFailedCause.OpenActivitiesLimitExceeded,
        EventType.StartTimerFailed => e.StartTimerFailedEventAttributes!.Cause
            is StartTimerFailedCause.TimerCreationRateExceeded or StartTimerFailedCause.OpenTimersLimitExceeded,
        EventType.StartChildWorkflowExecutionFailed => e.StartChildWorkflowExecutionFailedEventAttributes!.Cause
            is StartChildWorkflowExecutionFailedCause.ChildCreationRateExceeded or StartChildWorkflowExecutionFailedCause.OpenChildrenLimitExceeded
            or StartChildWorkflowExecutionFailedCause.OpenWorkflowsLimitExceeded,
        EventType.SignalExternalWorkflowExecutionFailed => e.SignalExternalWorkflowExecutionFailedEventAttributes!.Cause
            == SignalExternalWorkflowExecutionFailedCause.SignalExternalWorkflowExecutionRateExceeded,
        EventType.RequestCancelExternalWorkflowExecutionFailed => e.RequestCancelExternalWorkflowExecutionFailedEventAttributes!.Cause
            == RequestCancelExternalWorkflowExecutionFailedCause.RequestCancelExternalWorkflowExecutionRateExceeded,
        _ => false,
    };

    private static string Cause(HistoryEvent e) => e.EventType switch
    {
        EventType.ScheduleActivityTaskFailed => FailureText.Swf(e.ScheduleActivityTaskFailedEventAttributes!.Cause),
        EventType.StartTimerFailed => FailureText.Swf(e.StartTimerFailedEventAttributes!.Cause),
        EventType.StartChildWorkflowExecutionFailed => FailureText.Swf(e.StartChildWorkflowExecutionFailedEventAttributes!.Cause),
        EventType.SignalExternalWorkflowExecutionFailed => FailureText.Swf(e.SignalExternalWorkflowExecutionFailedEventAttributes!.Cause),
        _ => FailureText.Swf(e.RequestCancelExternalWorkflowExecutionFailedEventAttributes!.Cause),
    };

    /// <summary>Queues the backoff timers of fresh refusals, and the commands whose backoff timer was refused (those held
    /// by the open-timers limit only when the decision brings <paramref name="news"/>).</summary>
    private void IssueRefused(bool news)
    {
        for (var i = 0; i < _refused.Count; i++)
        {
            var (command, backoff, afterNews) = _refused[i];
            if (afterNews && !news)
                continue;
            _refused.RemoveAt(i--);
            if (!backoff)
            {
                Reissue(command);
                continue;
            }
            var refusals = ++_refusals.GetOrCreateValue(command).Value;
            var id = BackoffTimerPrefix + (++_backoffCounter).ToString(CultureInfo.InvariantCulture);
            var timer = new TimerCommand(id, BackoffSeconds(id, refusals).ToString(CultureInfo.InvariantCulture));
            _backoffs[timer] = command;
            Enqueue(timer);
        }
    }

    private void Reissue(Command command)
    {
        if (command is TaskCommand { Resolved: true })
            return; // its token cancelled it meanwhile
        Enqueue(command);
    }

    /// <summary>Exponential, with jitter so refused calls spread out: the n-th refusal of a call waits between half and all
    /// of min(2^n, 60) seconds. The jitter comes from the run id and timer id, so replay computes the same timer.</summary>
    private long BackoffSeconds(string timerId, int refusals)
    {
        long ceiling = Math.Min(1L << Math.Min(refusals, 6), 60);
        var draw = (uint)Seed(Execution.RunId + "/" + timerId) % (ceiling - ceiling / 2 + 1);
        return ceiling / 2 + draw;
    }

    /// <summary>Retries with durable timers between attempts, in workflow code, so replay sees the same attempts. The call's
    /// token also cancels the wait between attempts (CancelTimer), so a cancelled call gives up at once.</summary>
    private async Task<string?> Retry(Func<int, Task<string?>> attempt, RetryPolicy policy, string name, CancellationToken token)
    {
        var firstAttempt = UtcNow;
        var interval = policy.InitialInterval;
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt(n);
            }
            catch (Exception ex) when (Retryable(ex, policy) && (policy.MaximumAttempts <= 0 || n < policy.MaximumAttempts))
            {
                if (policy.Expiration is { } expiration && UtcNow + interval - firstAttempt > expiration)
                    throw;
                Logger.LogInformation("Attempt {Attempt} of {Name} failed ({Error}); retrying in {Delay}.", n, name, ex.Message, interval);
                if (interval > TimeSpan.Zero)
                    await DelayAsync(interval, token, "r" + (++_retryTimerCounter).ToString(CultureInfo.InvariantCulture));
                var next = TimeSpan.FromTicks((long)Math.Min(interval.Ticks * policy.BackoffCoefficient, TimeSpan.MaxValue.Ticks / 2.0));
                interval = policy.MaximumInterval is { } max && next > max ? max : next;
            }
        }
    }

    private static bool Retryable(Exception ex, RetryPolicy policy)
    {
        string? reason, type;
        IReadOnlyList<string> bases;
        switch (ex)
        {
            case ActivityFailedException a: reason = a.Reason; type = a.ErrorType; bases = a.ErrorBaseTypes; break;
            case ChildWorkflowFailedException c: reason = c.Reason; type = c.ErrorType; bases = c.ErrorBaseTypes; break;
            case ActivityTimedOutException or ChildWorkflowTimedOutException: reason = type = ex.GetType().Name; bases = []; break;
            default: return false; // cancellation, SWF refusals and bugs in workflow code are not transient
        }
        if (Listed(policy.NonRetryableReasons, reason, type, bases))
            return false;
        return policy.RetryableReasons.Count == 0 || Listed(policy.RetryableReasons, reason, type, bases);
    }

    // A listed name matches the reason, the exception's type, or any of its base types (sent by Flow's activity worker),
    // so listing System.IO.IOException also covers HttpIOException.
    private static bool Listed(IReadOnlyList<string> names, string? reason, string? type, IReadOnlyList<string> bases)
    {
        foreach (var name in names)
        {
            if (Same(name, reason) || Same(name, type))
                return true;
            foreach (var baseType in bases)
                if (Same(name, baseType))
                    return true;
        }
        return false;

        // "System.TimeoutException" matches "TimeoutException" and the other way round; a nested type's short name follows
        // a '+' (Ns.Outer+Failure).
        static bool Same(string name, string? value) =>
            value is not null && (value == name || EndsWithName(value, name) || EndsWithName(name, value));

        static bool EndsWithName(string full, string name) =>
            full.Length > name.Length && full.EndsWith(name, StringComparison.Ordinal) && full[^(name.Length + 1)] is '.' or '+';
    }

    private static int Seed(string runId)
    {
        var hash = 2166136261u;
        foreach (var ch in runId)
            hash = (hash ^ ch) * 16777619u;
        return (int)hash;
    }

    private sealed class ConditionWaiter(Func<bool> condition)
    {
        public Func<bool> Condition { get; } = condition;
        public TaskCompletionSource<bool> Completion { get; } = new();
    }
}
