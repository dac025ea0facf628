using System.Text.Json;
using Flow.Swf;

namespace Flow.Testing;

/// <summary>
/// Builds a history by hand, event by event, with the ids and cross-references SWF would give it: activities,
/// timers and children are named by their ids and the builder finds the events they refer to.
/// Events a decision records (scheduled, timer started, marker, close...) refer to the latest DecisionTaskCompleted.
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

    private long Timer(string timerId) =>
        _timers.TryGetValue(timerId, out var t) ? t : throw new InvalidOperationException($"Timer {timerId} was not started.");

    public HistoryBuilder MarkerRecorded(string markerName, string? details = null) =>
        Add(EventType.MarkerRecorded, e => e.MarkerRecordedEventAttributes = new()
        {
            MarkerName = markerName, Details = details, DecisionTaskCompletedEventId = _decisionCompleted,
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

    private (long Initiated, WorkflowType Type, string RunId) Child(string workflowId) =>
        _children.TryGetValue(workflowId, out var c) ? c : throw new InvalidOperationException($"Child {workflowId} was not initiated.");

    private long StartedOf(long initiated) =>
        _events.Find(e => e.EventType == EventType.ChildWorkflowExecutionStarted
            && e.ChildWorkflowExecutionStartedEventAttributes!.InitiatedEventId == initiated)?.EventId ?? 0;
}
