using System.Text.Json;
using Flow.Swf;
using Flow.Workflows;

namespace Flow.Runtime.Tests.Workflows;

/// <summary>Workflow code written as delegates, standing in for what the generator emits.</summary>
internal sealed class TestWorkflow(Func<string?, Task<string?>> execute) : IWorkflowInstance
{
    public Dictionary<string, Func<string?, Task>> Signals { get; } = new();
    public Func<string?>? State { get; set; }

    public Task<string?> ExecuteAsync(string? input) => execute(input);
    public Task? HandleSignal(string signalName, string? input) => Signals.TryGetValue(signalName, out var handler) ? handler(input) : null;
    public string? GetState() => State?.Invoke();
}

internal static class Defs
{
    public static readonly WorkflowDefinition Test = new("Test", "1") { DefaultTaskList = "decisions" };
    public static readonly ActivityDefinition Act = new("act", "1") { DefaultTaskList = "work", DefaultStartToCloseTimeout = "60" };
    public static readonly ActivityDefinition Other = new("other", "1");
    public static readonly WorkflowDefinition Child = new("Child", "1");

    public static WorkflowHandler Handler(Func<string?, Task<string?>> execute) => new(Test, () => new TestWorkflow(execute));
    public static WorkflowHandler Handler(Func<IWorkflowInstance> create) => new(Test, create);
    public static WorkflowExecutor Executor(Func<string?, Task<string?>> execute, ReplayOptions? options = null) =>
        new("domain", Handler(execute), options);
    public static WorkflowExecutor Executor(Func<IWorkflowInstance> create, ReplayOptions? options = null) =>
        new("domain", Handler(create), options);

    public static string Json(IEnumerable<Decision> decisions, string? context = null) =>
        JsonSerializer.Serialize(new RespondDecisionTaskCompletedInput { TaskToken = "-", Decisions = [.. decisions], ExecutionContext = context },
            SwfJsonContext.Default.RespondDecisionTaskCompletedInput);

    public static DecisionType[] Types(this DecisionTaskResult result) => [.. result.Decisions.Select(d => d.DecisionType)];
}

/// <summary>Hand-made SWF histories: each method appends the event SWF would record, with the ids it would use.</summary>
internal sealed class HistoryBuilder
{
    public List<HistoryEvent> Events { get; } = [];
    public DateTimeOffset Clock { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public WorkflowExecution Execution { get; } = new() { WorkflowId = "wf-1", RunId = "run-1" };
    private long _lastScheduled, _lastStarted, _lastCompleted;

    public long LastId => Events.Count;
    public long LastCompleted => _lastCompleted;

    public HistoryEvent Add(EventType type, Action<HistoryEvent>? set = null)
    {
        var e = new HistoryEvent { EventId = Events.Count + 1, EventType = type, EventTimestamp = Clock };
        set?.Invoke(e);
        Events.Add(e);
        Clock += TimeSpan.FromSeconds(1);
        return e;
    }

    public HistoryBuilder Started(string? input = null) => Do(EventType.WorkflowExecutionStarted, e => e.WorkflowExecutionStartedEventAttributes = new()
    {
        Input = input, WorkflowType = Defs.Test.ToWorkflowType(), TaskList = new() { Name = "decisions" },
        ChildPolicy = ChildPolicy.Terminate, ExecutionStartToCloseTimeout = "3600", TaskStartToCloseTimeout = "60",
    });

    public HistoryBuilder Do(EventType type, Action<HistoryEvent>? set = null)
    {
        Add(type, set);
        return this;
    }

    public long Scheduled() => _lastScheduled = Add(EventType.DecisionTaskScheduled, e => e.DecisionTaskScheduledEventAttributes = new() { TaskList = new() { Name = "decisions" } }).EventId;

    public long DecisionStarted() => _lastStarted = Add(EventType.DecisionTaskStarted, e => e.DecisionTaskStartedEventAttributes = new() { ScheduledEventId = _lastScheduled }).EventId;

    public long DecisionCompleted(long? startedId = null)
    {
        var started = startedId ?? _lastStarted;
        return _lastCompleted = Add(EventType.DecisionTaskCompleted, e => e.DecisionTaskCompletedEventAttributes = new() { ScheduledEventId = started - 1, StartedEventId = started }).EventId;
    }

    public long DecisionTimedOut() => Add(EventType.DecisionTaskTimedOut, e => e.DecisionTaskTimedOutEventAttributes = new()
    { ScheduledEventId = _lastScheduled, StartedEventId = _lastStarted, TimeoutType = DecisionTaskTimeoutType.StartToClose }).EventId;

    /// <summary>DecisionTaskScheduled + DecisionTaskStarted: a decision task waiting for an answer. Returns the started id.</summary>
    public long Decide()
    {
        Scheduled();
        return DecisionStarted();
    }

    /// <summary>A whole decision: scheduled, started, completed. Returns the completed id.</summary>
    public long Decided()
    {
        Decide();
        return DecisionCompleted();
    }

    public long ActivityScheduled(string id, ActivityDefinition? type = null) => Add(EventType.ActivityTaskScheduled, e => e.ActivityTaskScheduledEventAttributes = new()
    { ActivityId = id, ActivityType = (type ?? Defs.Act).ToActivityType(), TaskList = new() { Name = "work" }, DecisionTaskCompletedEventId = _lastCompleted }).EventId;

    public long ActivityStarted(long scheduled) => Add(EventType.ActivityTaskStarted, e => e.ActivityTaskStartedEventAttributes = new() { ScheduledEventId = scheduled, Identity = "worker" }).EventId;

    public long ActivityCompleted(long scheduled, string? result) => Add(EventType.ActivityTaskCompleted, e => e.ActivityTaskCompletedEventAttributes = new()
    { ScheduledEventId = scheduled, StartedEventId = scheduled + 1, Result = result }).EventId;

    public long TimerStarted(string id, string seconds) => Add(EventType.TimerStarted, e => e.TimerStartedEventAttributes = new()
    { TimerId = id, StartToFireTimeout = seconds, DecisionTaskCompletedEventId = _lastCompleted }).EventId;

    public long TimerFired(string id, long started) => Add(EventType.TimerFired, e => e.TimerFiredEventAttributes = new() { TimerId = id, StartedEventId = started }).EventId;

    public long ChildInitiated(string workflowId, WorkflowDefinition? type = null) => Add(EventType.StartChildWorkflowExecutionInitiated, e => e.StartChildWorkflowExecutionInitiatedEventAttributes = new()
    { WorkflowId = workflowId, WorkflowType = (type ?? Defs.Child).ToWorkflowType(), TaskList = new() { Name = "decisions" }, DecisionTaskCompletedEventId = _lastCompleted, ChildPolicy = ChildPolicy.Terminate }).EventId;

    public long ChildStarted(long initiated, string workflowId) => Add(EventType.ChildWorkflowExecutionStarted, e => e.ChildWorkflowExecutionStartedEventAttributes = new()
    { InitiatedEventId = initiated, WorkflowExecution = new() { WorkflowId = workflowId, RunId = "child-run" }, WorkflowType = Defs.Child.ToWorkflowType() }).EventId;

    public long Marker(string name, string? details) => Add(EventType.MarkerRecorded, e => e.MarkerRecordedEventAttributes = new()
    { MarkerName = name, Details = details, DecisionTaskCompletedEventId = _lastCompleted }).EventId;

    public long MarkerFailed(string name) => Add(EventType.RecordMarkerFailed, e => e.RecordMarkerFailedEventAttributes = new()
    { MarkerName = name, Cause = RecordMarkerFailedCause.OperationNotPermitted, DecisionTaskCompletedEventId = _lastCompleted }).EventId;

    public long Signaled(string name, string? input) => Add(EventType.WorkflowExecutionSignaled, e => e.WorkflowExecutionSignaledEventAttributes = new() { SignalName = name, Input = input }).EventId;

    public long Completed(string? result) => Add(EventType.WorkflowExecutionCompleted, e => e.WorkflowExecutionCompletedEventAttributes = new()
    { Result = result, DecisionTaskCompletedEventId = _lastCompleted }).EventId;

    public DecisionTask Task(long? startedId = null, long after = 0) => new()
    {
        TaskToken = "token",
        StartedEventId = startedId ?? _lastStarted,
        WorkflowExecution = Execution,
        WorkflowType = Defs.Test.ToWorkflowType(),
        Events = [.. Events.Where(e => e.EventId > after && e.EventId <= (startedId ?? long.MaxValue))],
        PreviousStartedEventId = after == 0 ? null : after,
    };
}
