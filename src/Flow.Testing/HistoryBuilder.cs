using System.Text.Json;
using Flow.Swf;

namespace Flow.Testing;

/// <summary>
/// Builds a history by hand, event by event, with the ids and cross-references SWF would give it: activities,
/// timers and children are named by their ids and the builder finds the events they refer to.
/// Events a decision records (scheduled, timer started, marker, close...) refer to the latest DecisionTaskCompleted.
/// Every event type a decision can lead to has a method, the failures SWF records included (ScheduleActivityTaskFailed,
/// StartTimerFailed, StartChildWorkflowExecutionFailed, RecordMarkerFailed, the close decisions' *Failed events...);
/// <see cref="Event"/> adds any other.
/// </summary>
/// <example><code>
/// var history = new HistoryBuilder(definition.ToWorkflowType())
///     .WorkflowStarted(input)
///     .Decision()
///     .ActivityScheduled("1", activityType, input)
///     .ActivityStarted("1").ActivityCompleted("1", result)
///     .Decision()
///     .WorkflowCompleted(result)
///     .Events;
/// </code></example>
public sealed class HistoryBuilder
{
    private readonly List<HistoryEvent> _events = [];
    private readonly Dictionary<string, (long Scheduled, long Started)> _activities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _timers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Initiated, WorkflowType Type, string RunId)> _children = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Initiated, string? RunId)> _signals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Initiated, string? RunId)> _cancels = new(StringComparer.Ordinal);
    private readonly WorkflowType _type;
    private long _decisionScheduled, _decisionStarted, _decisionCompleted;
    private DateTimeOffset _now;

    public HistoryBuilder(WorkflowType workflowType, DateTimeOffset? start = null)
    {
        _type = workflowType;
        _now = start ?? new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    public HistoryBuilder(WorkflowDefinition workflow, DateTimeOffset? start = null) : this(workflow.ToWorkflowType(), start)
    {
        TaskList = workflow.DefaultTaskList ?? TaskList;
    }

    public string TaskList { get; set; } = "decisions";

    /// <summary>The events so far.</summary>
    public List<HistoryEvent> Events => [.. _events];

    public History ToHistory() => new() { Events = Events };

    /// <summary>The GetWorkflowExecutionHistory response body.</summary>
    public string ToJson() => JsonSerializer.Serialize(ToHistory(), SwfJsonContext.Default.History);

    /// <summary>The id the next event gets.</summary>
    public long NextEventId => _events.Count + 1;

    /// <summary>Moves the clock of the following events forward.</summary>
    public HistoryBuilder Wait(TimeSpan duration)
    {
        _now += duration;
        return this;
    }

    /// <summary>Adds an event of any type: <paramref name="set"/> fills its attributes (the id and time are the builder's).
    /// For what the other methods do not cover.</summary>
    public HistoryBuilder Event(EventType type, Action<HistoryEvent> set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return Add(type, set);
    }

    private HistoryBuilder Add(EventType type, Action<HistoryEvent> set)
    {
        var e = new HistoryEvent { EventId = NextEventId, EventType = type, EventTimestamp = _now };
        set(e);
        _events.Add(e);
        return this;
    }

    // ---- the run

    public HistoryBuilder WorkflowStarted(string? input = null, string executionStartToClose = "3600", string taskStartToClose = "30",
        WorkflowExecution? parent = null, string? continuedExecutionRunId = null) =>
        Add(EventType.WorkflowExecutionStarted, e => e.WorkflowExecutionStartedEventAttributes = new()
        {
            Input = input, WorkflowType = _type, TaskList = new TaskList { Name = TaskList }, ChildPolicy = ChildPolicy.Terminate,
            ExecutionStartToCloseTimeout = executionStartToClose, TaskStartToCloseTimeout = taskStartToClose,
            ParentWorkflowExecution = parent, ContinuedExecutionRunId = continuedExecutionRunId,
        });

    public HistoryBuilder Signaled(string signalName, string? input = null) =>
        Add(EventType.WorkflowExecutionSignaled, e => e.WorkflowExecutionSignaledEventAttributes = new() { SignalName = signalName, Input = input });

    public HistoryBuilder CancelRequested() =>
        Add(EventType.WorkflowExecutionCancelRequested, e => e.WorkflowExecutionCancelRequestedEventAttributes = new());

    public HistoryBuilder WorkflowCompleted(string? result = null) =>
        Add(EventType.WorkflowExecutionCompleted, e => e.WorkflowExecutionCompletedEventAttributes = new() { Result = result, DecisionTaskCompletedEventId = _decisionCompleted });

    public HistoryBuilder WorkflowFailed(string? reason = null, string? details = null) =>
        Add(EventType.WorkflowExecutionFailed, e => e.WorkflowExecutionFailedEventAttributes = new() { Reason = reason, Details = details, DecisionTaskCompletedEventId = _decisionCompleted });

    public HistoryBuilder WorkflowCanceled(string? details = null) =>
        Add(EventType.WorkflowExecutionCanceled, e => e.WorkflowExecutionCanceledEventAttributes = new() { Details = details, DecisionTaskCompletedEventId = _decisionCompleted });

    public HistoryBuilder ContinuedAsNew(string? input = null, string newRunId = "next-run") =>
        Add(EventType.WorkflowExecutionContinuedAsNew, e => e.WorkflowExecutionContinuedAsNewEventAttributes = new()
        {
            Input = input, DecisionTaskCompletedEventId = _decisionCompleted, NewExecutionRunId = newRunId, WorkflowType = _type,
            TaskList = new TaskList { Name = TaskList }, ChildPolicy = ChildPolicy.Terminate, ExecutionStartToCloseTimeout = "3600", TaskStartToCloseTimeout = "30",
        });

    public HistoryBuilder WorkflowTimedOut() =>
        Add(EventType.WorkflowExecutionTimedOut, e => e.WorkflowExecutionTimedOutEventAttributes = new()
        {
            TimeoutType = WorkflowExecutionTimeoutType.StartToClose, ChildPolicy = ChildPolicy.Terminate,
        });

    /// <summary>SWF refused the CompleteWorkflowExecution decision (UNHANDLED_DECISION: events arrived while the task ran).</summary>
    public HistoryBuilder CompleteWorkflowExecutionFailed(CompleteWorkflowExecutionFailedCause cause = CompleteWorkflowExecutionFailedCause.UnhandledDecision) =>
        Add(EventType.CompleteWorkflowExecutionFailed, e => e.CompleteWorkflowExecutionFailedEventAttributes = new() { Cause = cause, DecisionTaskCompletedEventId = _decisionCompleted });

    public HistoryBuilder FailWorkflowExecutionFailed(FailWorkflowExecutionFailedCause cause = FailWorkflowExecutionFailedCause.UnhandledDecision) =>
        Add(EventType.FailWorkflowExecutionFailed, e => e.FailWorkflowExecutionFailedEventAttributes = new() { Cause = cause, DecisionTaskCompletedEventId = _decisionCompleted });

    public HistoryBuilder CancelWorkflowExecutionFailed(CancelWorkflowExecutionFailedCause cause = CancelWorkflowExecutionFailedCause.UnhandledDecision) =>
        Add(EventType.CancelWorkflowExecutionFailed, e => e.CancelWorkflowExecutionFailedEventAttributes = new() { Cause = cause, DecisionTaskCompletedEventId = _decisionCompleted });

    public HistoryBuilder ContinueAsNewWorkflowExecutionFailed(ContinueAsNewWorkflowExecutionFailedCause cause = ContinueAsNewWorkflowExecutionFailedCause.UnhandledDecision) =>
        Add(EventType.ContinueAsNewWorkflowExecutionFailed, e => e.ContinueAsNewWorkflowExecutionFailedEventAttributes = new() { Cause = cause, DecisionTaskCompletedEventId = _decisionCompleted });

    // ---- decision tasks

    public HistoryBuilder DecisionScheduled()
    {
        _decisionScheduled = NextEventId;
        return Add(EventType.DecisionTaskScheduled, e => e.DecisionTaskScheduledEventAttributes = new()
        {
            TaskList = new TaskList { Name = TaskList }, StartToCloseTimeout = "30",
        });
    }

    public HistoryBuilder DecisionStarted()
    {
        _decisionStarted = NextEventId;
        return Add(EventType.DecisionTaskStarted, e => e.DecisionTaskStartedEventAttributes = new() { ScheduledEventId = _decisionScheduled, Identity = "test" });
    }

    public HistoryBuilder DecisionCompleted(string? executionContext = null)
    {
        _decisionCompleted = NextEventId;
        return Add(EventType.DecisionTaskCompleted, e => e.DecisionTaskCompletedEventAttributes = new()
        {
            ScheduledEventId = _decisionScheduled, StartedEventId = _decisionStarted, ExecutionContext = executionContext,
        });
    }

    public HistoryBuilder DecisionTimedOut() =>
        Add(EventType.DecisionTaskTimedOut, e => e.DecisionTaskTimedOutEventAttributes = new()
        {
            ScheduledEventId = _decisionScheduled, StartedEventId = _decisionStarted, TimeoutType = DecisionTaskTimeoutType.StartToClose,
        });

    /// <summary>A whole decision task: scheduled, started, completed. The events after it are what it decided.</summary>
    public HistoryBuilder Decision() => DecisionScheduled().DecisionStarted().DecisionCompleted();

    // ---- activities

    public HistoryBuilder ActivityScheduled(string activityId, ActivityType activityType, string? input = null, string taskList = "activities")
    {
        _activities[activityId] = (NextEventId, 0);
        return Add(EventType.ActivityTaskScheduled, e => e.ActivityTaskScheduledEventAttributes = new()
        {
            ActivityId = activityId, ActivityType = activityType, Input = input, TaskList = new TaskList { Name = taskList },
            DecisionTaskCompletedEventId = _decisionCompleted, ScheduleToStartTimeout = "300", StartToCloseTimeout = "300",
            ScheduleToCloseTimeout = "600", HeartbeatTimeout = "NONE",
        });
    }

    public HistoryBuilder ActivityScheduled(string activityId, ActivityDefinition activity, string? input = null) =>
        ActivityScheduled(activityId, activity.ToActivityType(), input, activity.DefaultTaskList ?? "activities");

    public HistoryBuilder ActivityStarted(string activityId)
    {
        var (scheduled, _) = Activity(activityId);
        _activities[activityId] = (scheduled, NextEventId);
        return Add(EventType.ActivityTaskStarted, e => e.ActivityTaskStartedEventAttributes = new() { ScheduledEventId = scheduled, Identity = "test" });
    }

    public HistoryBuilder ActivityCompleted(string activityId, string? result = null)
    {
        var (scheduled, started) = Activity(activityId);
        return Add(EventType.ActivityTaskCompleted, e => e.ActivityTaskCompletedEventAttributes = new() { ScheduledEventId = scheduled, StartedEventId = started, Result = result });
    }

    public HistoryBuilder ActivityFailed(string activityId, string? reason = null, string? details = null)
    {
        var (scheduled, started) = Activity(activityId);
        return Add(EventType.ActivityTaskFailed, e => e.ActivityTaskFailedEventAttributes = new()
        {
            ScheduledEventId = scheduled, StartedEventId = started, Reason = reason, Details = details,
        });
    }

    public HistoryBuilder ActivityTimedOut(string activityId, ActivityTaskTimeoutType timeoutType = ActivityTaskTimeoutType.StartToClose, string? details = null)
    {
        var (scheduled, started) = Activity(activityId);
        return Add(EventType.ActivityTaskTimedOut, e => e.ActivityTaskTimedOutEventAttributes = new()
        {
            ScheduledEventId = scheduled, StartedEventId = started, TimeoutType = timeoutType, Details = details,
        });
    }

    public HistoryBuilder ActivityCancelRequested(string activityId) =>
        Add(EventType.ActivityTaskCancelRequested, e => e.ActivityTaskCancelRequestedEventAttributes = new()
        {
            ActivityId = activityId, DecisionTaskCompletedEventId = _decisionCompleted,
        });

    public HistoryBuilder ActivityCanceled(string activityId, string? details = null)
    {
        var (scheduled, started) = Activity(activityId);
        return Add(EventType.ActivityTaskCanceled, e => e.ActivityTaskCanceledEventAttributes = new()
        {
            ScheduledEventId = scheduled, StartedEventId = started, Details = details,
        });
    }

    /// <summary>SWF refused the ScheduleActivityTask decision: no ActivityTaskScheduled, this instead.</summary>
    public HistoryBuilder ScheduleActivityTaskFailed(string activityId, ActivityType activityType,
        ScheduleActivityTaskFailedCause cause = ScheduleActivityTaskFailedCause.ActivityTypeDoesNotExist) =>
        Add(EventType.ScheduleActivityTaskFailed, e => e.ScheduleActivityTaskFailedEventAttributes = new()
        {
            ActivityId = activityId, ActivityType = activityType, Cause = cause, DecisionTaskCompletedEventId = _decisionCompleted,
        });

    /// <summary>SWF refused the RequestCancelActivityTask decision (the activity had already closed, or never was).</summary>
    public HistoryBuilder RequestCancelActivityTaskFailed(string activityId,
        RequestCancelActivityTaskFailedCause cause = RequestCancelActivityTaskFailedCause.ActivityIdUnknown) =>
        Add(EventType.RequestCancelActivityTaskFailed, e => e.RequestCancelActivityTaskFailedEventAttributes = new()
        {
            ActivityId = activityId, Cause = cause, DecisionTaskCompletedEventId = _decisionCompleted,
        });

    private (long Scheduled, long Started) Activity(string activityId) =>
        _activities.TryGetValue(activityId, out var a) ? a : throw new InvalidOperationException($"Activity {activityId} was not scheduled.");

    // ---- timers and markers

    public HistoryBuilder TimerStarted(string timerId, TimeSpan startToFire)
    {
        _timers[timerId] = NextEventId;
        return Add(EventType.TimerStarted, e => e.TimerStartedEventAttributes = new()
        {
            TimerId = timerId, StartToFireTimeout = ((long)Math.Ceiling(startToFire.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            DecisionTaskCompletedEventId = _decisionCompleted,
        });
    }

    public HistoryBuilder TimerFired(string timerId) =>
        Add(EventType.TimerFired, e => e.TimerFiredEventAttributes = new() { TimerId = timerId, StartedEventId = Timer(timerId) });

    public HistoryBuilder TimerCanceled(string timerId) =>
        Add(EventType.TimerCanceled, e => e.TimerCanceledEventAttributes = new()
        {
            TimerId = timerId, StartedEventId = Timer(timerId), DecisionTaskCompletedEventId = _decisionCompleted,
        });

    /// <summary>SWF refused the StartTimer decision.</summary>
    public HistoryBuilder StartTimerFailed(string timerId, StartTimerFailedCause cause = StartTimerFailedCause.TimerIdAlreadyInUse) =>
        Add(EventType.StartTimerFailed, e => e.StartTimerFailedEventAttributes = new()
        {
            TimerId = timerId, Cause = cause, DecisionTaskCompletedEventId = _decisionCompleted,
        });

    /// <summary>SWF refused the CancelTimer decision (the timer had already fired, or never started).</summary>
    public HistoryBuilder CancelTimerFailed(string timerId, CancelTimerFailedCause cause = CancelTimerFailedCause.TimerIdUnknown) =>
        Add(EventType.CancelTimerFailed, e => e.CancelTimerFailedEventAttributes = new()
        {
            TimerId = timerId, Cause = cause, DecisionTaskCompletedEventId = _decisionCompleted,
        });

    private long Timer(string timerId) =>
        _timers.TryGetValue(timerId, out var t) ? t : throw new InvalidOperationException($"Timer {timerId} was not started.");

    public HistoryBuilder MarkerRecorded(string markerName, string? details = null) =>
        Add(EventType.MarkerRecorded, e => e.MarkerRecordedEventAttributes = new()
        {
            MarkerName = markerName, Details = details, DecisionTaskCompletedEventId = _decisionCompleted,
        });

    /// <summary>SWF refused the RecordMarker decision (it does so only with OPERATION_NOT_PERMITTED).</summary>
    public HistoryBuilder RecordMarkerFailed(string markerName) =>
        Add(EventType.RecordMarkerFailed, e => e.RecordMarkerFailedEventAttributes = new()
        {
            MarkerName = markerName, Cause = RecordMarkerFailedCause.OperationNotPermitted, DecisionTaskCompletedEventId = _decisionCompleted,
        });

    // ---- child workflows

    public HistoryBuilder ChildInitiated(string workflowId, WorkflowType workflowType, string? input = null)
    {
        _children[workflowId] = (NextEventId, workflowType, "");
        return Add(EventType.StartChildWorkflowExecutionInitiated, e => e.StartChildWorkflowExecutionInitiatedEventAttributes = new()
        {
            WorkflowId = workflowId, WorkflowType = workflowType, Input = input, TaskList = new TaskList { Name = TaskList },
            ChildPolicy = ChildPolicy.Terminate, DecisionTaskCompletedEventId = _decisionCompleted,
            ExecutionStartToCloseTimeout = "3600", TaskStartToCloseTimeout = "30",
        });
    }

    public HistoryBuilder ChildStarted(string workflowId, string runId = "child-run")
    {
        var c = Child(workflowId);
        _children[workflowId] = c with { RunId = runId };
        return Add(EventType.ChildWorkflowExecutionStarted, e => e.ChildWorkflowExecutionStartedEventAttributes = new()
        {
            InitiatedEventId = c.Initiated, WorkflowType = c.Type, WorkflowExecution = new WorkflowExecution { WorkflowId = workflowId, RunId = runId },
        });
    }

    public HistoryBuilder ChildCompleted(string workflowId, string? result = null)
    {
        var c = Child(workflowId);
        return Add(EventType.ChildWorkflowExecutionCompleted, e => e.ChildWorkflowExecutionCompletedEventAttributes = new()
        {
            InitiatedEventId = c.Initiated, StartedEventId = StartedOf(c.Initiated), WorkflowType = c.Type, Result = result,
            WorkflowExecution = new WorkflowExecution { WorkflowId = workflowId, RunId = c.RunId },
        });
    }

    public HistoryBuilder ChildFailed(string workflowId, string? reason = null, string? details = null)
    {
        var c = Child(workflowId);
        return Add(EventType.ChildWorkflowExecutionFailed, e => e.ChildWorkflowExecutionFailedEventAttributes = new()
        {
            InitiatedEventId = c.Initiated, StartedEventId = StartedOf(c.Initiated), WorkflowType = c.Type, Reason = reason, Details = details,
            WorkflowExecution = new WorkflowExecution { WorkflowId = workflowId, RunId = c.RunId },
        });
    }

    public HistoryBuilder ChildTimedOut(string workflowId)
    {
        var c = Child(workflowId);
        return Add(EventType.ChildWorkflowExecutionTimedOut, e => e.ChildWorkflowExecutionTimedOutEventAttributes = new()
        {
            InitiatedEventId = c.Initiated, StartedEventId = StartedOf(c.Initiated), WorkflowType = c.Type, TimeoutType = WorkflowExecutionTimeoutType.StartToClose,
            WorkflowExecution = new WorkflowExecution { WorkflowId = workflowId, RunId = c.RunId },
        });
    }

    public HistoryBuilder ChildCanceled(string workflowId, string? details = null)
    {
        var c = Child(workflowId);
        return Add(EventType.ChildWorkflowExecutionCanceled, e => e.ChildWorkflowExecutionCanceledEventAttributes = new()
        {
            InitiatedEventId = c.Initiated, StartedEventId = StartedOf(c.Initiated), WorkflowType = c.Type, Details = details,
            WorkflowExecution = new WorkflowExecution { WorkflowId = workflowId, RunId = c.RunId },
        });
    }

    public HistoryBuilder ChildTerminated(string workflowId)
    {
        var c = Child(workflowId);
        return Add(EventType.ChildWorkflowExecutionTerminated, e => e.ChildWorkflowExecutionTerminatedEventAttributes = new()
        {
            InitiatedEventId = c.Initiated, StartedEventId = StartedOf(c.Initiated), WorkflowType = c.Type,
            WorkflowExecution = new WorkflowExecution { WorkflowId = workflowId, RunId = c.RunId },
        });
    }

    /// <summary>The child could not be started. After <see cref="ChildInitiated"/> it refers to that event (SWF found a run
    /// with the id already open, say); without it, SWF refused the StartChildWorkflowExecution decision itself.</summary>
    public HistoryBuilder StartChildWorkflowExecutionFailed(string workflowId, WorkflowType workflowType,
        StartChildWorkflowExecutionFailedCause cause = StartChildWorkflowExecutionFailedCause.WorkflowAlreadyRunning)
    {
        var initiated = _children.TryGetValue(workflowId, out var c) ? c.Initiated : 0;
        return Add(EventType.StartChildWorkflowExecutionFailed, e => e.StartChildWorkflowExecutionFailedEventAttributes = new()
        {
            WorkflowId = workflowId, WorkflowType = workflowType, Cause = cause, InitiatedEventId = initiated,
            DecisionTaskCompletedEventId = _decisionCompleted,
        });
    }

    private (long Initiated, WorkflowType Type, string RunId) Child(string workflowId) =>
        _children.TryGetValue(workflowId, out var c) ? c : throw new InvalidOperationException($"Child {workflowId} was not initiated.");

    private long StartedOf(long initiated) =>
        _events.Find(e => e.EventType == EventType.ChildWorkflowExecutionStarted
            && e.ChildWorkflowExecutionStartedEventAttributes!.InitiatedEventId == initiated)?.EventId ?? 0;

    // ---- other workflows: signals and cancel requests (each refers to the latest one initiated for that workflow id)

    public HistoryBuilder SignalExternalInitiated(string workflowId, string signalName, string? input = null, string? runId = null)
    {
        _signals[workflowId] = (NextEventId, runId);
        return Add(EventType.SignalExternalWorkflowExecutionInitiated, e => e.SignalExternalWorkflowExecutionInitiatedEventAttributes = new()
        {
            WorkflowId = workflowId, RunId = runId, SignalName = signalName, Input = input, DecisionTaskCompletedEventId = _decisionCompleted,
        });
    }

    /// <summary>SWF delivered the signal.</summary>
    public HistoryBuilder ExternalSignaled(string workflowId, string runId = "external-run")
    {
        var (initiated, _) = External(_signals, workflowId, "signaled");
        return Add(EventType.ExternalWorkflowExecutionSignaled, e => e.ExternalWorkflowExecutionSignaledEventAttributes = new()
        {
            InitiatedEventId = initiated, WorkflowExecution = new WorkflowExecution { WorkflowId = workflowId, RunId = runId },
        });
    }

    /// <summary>SWF could not deliver the signal.</summary>
    public HistoryBuilder SignalExternalFailed(string workflowId,
        SignalExternalWorkflowExecutionFailedCause cause = SignalExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution)
    {
        var (initiated, runId) = External(_signals, workflowId, "signaled");
        return Add(EventType.SignalExternalWorkflowExecutionFailed, e => e.SignalExternalWorkflowExecutionFailedEventAttributes = new()
        {
            WorkflowId = workflowId, RunId = runId, Cause = cause, InitiatedEventId = initiated, DecisionTaskCompletedEventId = _decisionCompleted,
        });
    }

    public HistoryBuilder CancelExternalInitiated(string workflowId, string? runId = null)
    {
        _cancels[workflowId] = (NextEventId, runId);
        return Add(EventType.RequestCancelExternalWorkflowExecutionInitiated, e => e.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes = new()
        {
            WorkflowId = workflowId, RunId = runId, DecisionTaskCompletedEventId = _decisionCompleted,
        });
    }

    /// <summary>SWF recorded the cancel request in the other workflow's history.</summary>
    public HistoryBuilder ExternalCancelRequested(string workflowId, string runId = "external-run")
    {
        var (initiated, _) = External(_cancels, workflowId, "asked to cancel");
        return Add(EventType.ExternalWorkflowExecutionCancelRequested, e => e.ExternalWorkflowExecutionCancelRequestedEventAttributes = new()
        {
            InitiatedEventId = initiated, WorkflowExecution = new WorkflowExecution { WorkflowId = workflowId, RunId = runId },
        });
    }

    /// <summary>SWF could not deliver the cancel request.</summary>
    public HistoryBuilder CancelExternalFailed(string workflowId,
        RequestCancelExternalWorkflowExecutionFailedCause cause = RequestCancelExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution)
    {
        var (initiated, runId) = External(_cancels, workflowId, "asked to cancel");
        return Add(EventType.RequestCancelExternalWorkflowExecutionFailed, e => e.RequestCancelExternalWorkflowExecutionFailedEventAttributes = new()
        {
            WorkflowId = workflowId, RunId = runId, Cause = cause, InitiatedEventId = initiated, DecisionTaskCompletedEventId = _decisionCompleted,
        });
    }

    private static (long Initiated, string? RunId) External(Dictionary<string, (long, string?)> table, string workflowId, string what) =>
        table.TryGetValue(workflowId, out var x) ? x : throw new InvalidOperationException($"Workflow {workflowId} was not {what} (initiate it first).");
}
