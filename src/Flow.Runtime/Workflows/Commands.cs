using System.Globalization;
using Flow.Swf;

namespace Flow.Workflows;

internal enum CommandKind
{
    Activity,
    RequestCancelActivity,
    Timer,
    CancelTimer,
    ChildWorkflow,
    SignalExternal,
    CancelExternal,
    Marker,
    Close,
}

/// <summary>
/// One decision workflow code asked for, and the state SWF's events drive it through. Commands wait in the
/// executor's queue (in the order the code made them) until the history records them; replay compares each
/// recorded event with the command at the head of the queue.
/// </summary>
internal abstract class Command
{
    public abstract CommandKind Kind { get; }

    /// <summary>What identifies it in history: activity id, timer id, child workflow id, marker name, target workflow id.</summary>
    public abstract string Id { get; }

    /// <summary>What else replay compares: type name and version, timer duration, signal name (in two parts, so
    /// matching allocates nothing).</summary>
    public virtual string? DetailName => null;

    public virtual string? DetailVersion => null;

    public string? Detail => DetailVersion is null ? DetailName : $"{DetailName} {DetailVersion}";

    /// <summary>The event that recorded it (ActivityTaskScheduled, TimerStarted, ...), once matched.</summary>
    public long RecordedEventId { get; set; }

    public bool Recorded => RecordedEventId != 0;

    public abstract Decision ToDecision();

    public string Describe() => Describe(Kind, Id, Detail);

    public static string Describe(CommandKind kind, string id, string? detail) => kind switch
    {
        CommandKind.Activity => $"ScheduleActivityTask (activity id \"{id}\", type {detail})",
        CommandKind.RequestCancelActivity => $"RequestCancelActivityTask (activity id \"{id}\")",
        CommandKind.Timer => $"StartTimer (timer id \"{id}\", {detail} s)",
        CommandKind.CancelTimer => $"CancelTimer (timer id \"{id}\")",
        CommandKind.ChildWorkflow => $"StartChildWorkflowExecution (workflow id \"{id}\", type {detail})",
        CommandKind.SignalExternal => $"SignalExternalWorkflowExecution (workflow id \"{id}\", signal {detail})",
        CommandKind.CancelExternal => $"RequestCancelExternalWorkflowExecution (workflow id \"{id}\")",
        CommandKind.Marker => $"RecordMarker (marker \"{id}\")",
        _ => $"{detail}",
    };
}

/// <summary>A command workflow code awaits.</summary>
internal abstract class TaskCommand : Command
{
    // Not RunContinuationsAsynchronously: that would run WhenAll/WhenAny promises on the thread pool. Completed here,
    // on the thread driving the run, await continuations are queued on the workflow's scheduler (it never inlines).
    public TaskCompletionSource<string?> Completion { get; } = new();

    // Only a call given a cancellable token pays for keeping it and its registration: most calls pass none, and a
    // replay makes one command per call (16 bytes each, on a 1,000-activity history about 3 bytes per event).
    private Cancellation? _cancellation;

    public CancellationToken Token
    {
        get => _cancellation?.Token ?? default;
        init
        {
            if (value.CanBeCanceled)
                _cancellation = new Cancellation { Token = value };
        }
    }

    public CancellationTokenRegistration Registration
    {
        get => _cancellation?.Registration ?? default;
        set => (_cancellation ??= new Cancellation()).Registration = value;
    }

    public bool Resolved => Completion.Task.IsCompleted;

    public void Resolve(string? result)
    {
        _cancellation?.Registration.Unregister();
        Completion.TrySetResult(result);
    }

    public void Fail(Exception error)
    {
        _cancellation?.Registration.Unregister();
        Completion.TrySetException(error);
    }

    public abstract Exception CanceledError(string? details);

    /// <summary>The decision that asks SWF to cancel this command once it is recorded, if SWF has one for its kind.</summary>
    public virtual Command? CancelDecision() => null;

    public void Cancel(string? details = null)
    {
        _cancellation?.Registration.Unregister();
        Completion.TrySetException(CanceledError(details));
    }

    private sealed class Cancellation
    {
        public CancellationToken Token;
        public CancellationTokenRegistration Registration;
    }
}

internal sealed class ActivityCommand(string id, ActivityDefinition definition, string? input, ActivityOptions? options) : TaskCommand
{
    public override CommandKind Kind => CommandKind.Activity;
    public override string Id => id;
    public override string DetailName => definition.Name;
    public override string DetailVersion => definition.Version;
    // Made when asked (failure paths only): a field to keep it would cost every activity of a replay 8 bytes.
    public ActivityType ActivityType => definition.ToActivityType();

    public override Exception CanceledError(string? details) => new ActivityCanceledException(id, ActivityType, details, Token);
    public override Command CancelDecision() => new RequestCancelActivityCommand(id);

    public override Decision ToDecision() => new()
    {
        DecisionType = DecisionType.ScheduleActivityTask,
        ScheduleActivityTaskDecisionAttributes = new()
        {
            ActivityType = definition.ToActivityType(),
            ActivityId = id,
            Input = input,
            TaskList = (options?.TaskList ?? definition.DefaultTaskList) is { } list ? new TaskList { Name = list } : null,
            TaskPriority = options?.TaskPriority?.ToString(CultureInfo.InvariantCulture) ?? definition.DefaultTaskPriority,
            ScheduleToStartTimeout = Durations.Format(options?.ScheduleToStartTimeout) ?? definition.DefaultScheduleToStartTimeout,
            StartToCloseTimeout = Durations.Format(options?.StartToCloseTimeout) ?? definition.DefaultStartToCloseTimeout,
            ScheduleToCloseTimeout = Durations.Format(options?.ScheduleToCloseTimeout) ?? definition.DefaultScheduleToCloseTimeout,
            HeartbeatTimeout = Durations.Format(options?.HeartbeatTimeout) ?? definition.DefaultHeartbeatTimeout,
        },
    };
}

internal sealed class RequestCancelActivityCommand(string activityId) : Command
{
    public override CommandKind Kind => CommandKind.RequestCancelActivity;
    public override string Id => activityId;

    public override Decision ToDecision() => new()
    {
        DecisionType = DecisionType.RequestCancelActivityTask,
        RequestCancelActivityTaskDecisionAttributes = new() { ActivityId = activityId },
    };
}

internal sealed class TimerCommand(string id, string seconds) : TaskCommand
{
    public override CommandKind Kind => CommandKind.Timer;
    public override string Id => id;
    public override string DetailName => seconds;

    public override Exception CanceledError(string? details) => new TaskCanceledException($"Timer {id} was canceled.", null, Token);
    public override Command CancelDecision() => new CancelTimerCommand(id);

    public override Decision ToDecision() => new()
    {
        DecisionType = DecisionType.StartTimer,
        StartTimerDecisionAttributes = new() { TimerId = id, StartToFireTimeout = seconds },
    };
}

internal sealed class CancelTimerCommand(string timerId) : Command
{
    public override CommandKind Kind => CommandKind.CancelTimer;
    public override string Id => timerId;

    public override Decision ToDecision() => new()
    {
        DecisionType = DecisionType.CancelTimer,
        CancelTimerDecisionAttributes = new() { TimerId = timerId },
    };
}

internal sealed class ChildWorkflowCommand(string workflowId, WorkflowDefinition definition, string? input, ChildWorkflowOptions? options) : TaskCommand
{
    public override CommandKind Kind => CommandKind.ChildWorkflow;
    public override string Id => workflowId;
    public override string DetailName => definition.Name;
    public override string DetailVersion => definition.Version;
    public WorkflowType WorkflowType => field ??= definition.ToWorkflowType();

    /// <summary>Set by ChildWorkflowExecutionStarted.</summary>
    public string? RunId { get; set; }

    public override Exception CanceledError(string? details) => new ChildWorkflowCanceledException(workflowId, WorkflowType, details, Token);
    public override Command CancelDecision() => new CancelExternalCommand(workflowId, RunId);

    public override Decision ToDecision() => new()
    {
        DecisionType = DecisionType.StartChildWorkflowExecution,
        StartChildWorkflowExecutionDecisionAttributes = new()
        {
            WorkflowType = definition.ToWorkflowType(),
            WorkflowId = workflowId,
            Input = input,
            TaskList = (options?.TaskList ?? definition.DefaultTaskList) is { } list ? new TaskList { Name = list } : null,
            TaskPriority = options?.TaskPriority?.ToString(CultureInfo.InvariantCulture) ?? definition.DefaultTaskPriority,
            ExecutionStartToCloseTimeout = Durations.Format(options?.ExecutionStartToCloseTimeout) ?? definition.DefaultExecutionStartToCloseTimeout,
            TaskStartToCloseTimeout = Durations.Format(options?.TaskStartToCloseTimeout) ?? definition.DefaultTaskStartToCloseTimeout,
            ChildPolicy = options?.ChildPolicy ?? definition.DefaultChildPolicy,
            TagList = options?.TagList is { Count: > 0 } tags ? [.. tags] : null,
        },
    };
}

internal sealed class SignalExternalCommand(string workflowId, string? runId, string signalName, string? input) : TaskCommand
{
    public override CommandKind Kind => CommandKind.SignalExternal;
    public override string Id => workflowId;
    public override string DetailName => signalName;
    public string SignalName => signalName;

    public override Exception CanceledError(string? details) =>
        new TaskCanceledException($"Signal {signalName} to workflow {workflowId} was canceled.", null, Token);

    public override Decision ToDecision() => new()
    {
        DecisionType = DecisionType.SignalExternalWorkflowExecution,
        SignalExternalWorkflowExecutionDecisionAttributes = new()
        {
            WorkflowId = workflowId,
            RunId = runId,
            SignalName = signalName,
            Input = input,
        },
    };
}

internal sealed class CancelExternalCommand(string workflowId, string? runId) : TaskCommand
{
    public override CommandKind Kind => CommandKind.CancelExternal;
    public override string Id => workflowId;

    public override Exception CanceledError(string? details) =>
        new TaskCanceledException($"Cancel request to workflow {workflowId} was canceled.", null, Token);

    public override Decision ToDecision() => new()
    {
        DecisionType = DecisionType.RequestCancelExternalWorkflowExecution,
        RequestCancelExternalWorkflowExecutionDecisionAttributes = new() { WorkflowId = workflowId, RunId = runId },
    };
}

internal sealed class MarkerCommand(string name, string? details) : Command
{
    public override CommandKind Kind => CommandKind.Marker;
    public override string Id => name;

    public override Decision ToDecision() => new()
    {
        DecisionType = DecisionType.RecordMarker,
        RecordMarkerDecisionAttributes = new() { MarkerName = name, Details = details },
    };
}

/// <summary>CompleteWorkflowExecution, FailWorkflowExecution, CancelWorkflowExecution or ContinueAsNewWorkflowExecution.</summary>
internal sealed class CloseCommand(Decision decision) : Command
{
    public override CommandKind Kind => CommandKind.Close;
    public override string Id => "";
    public override string DetailName => Name(decision.DecisionType);
    public Decision Decision => decision;

    public override Decision ToDecision() => decision;

    public static string Name(DecisionType type) => type switch
    {
        DecisionType.CompleteWorkflowExecution => "CompleteWorkflowExecution",
        DecisionType.FailWorkflowExecution => "FailWorkflowExecution",
        DecisionType.CancelWorkflowExecution => "CancelWorkflowExecution",
        _ => "ContinueAsNewWorkflowExecution",
    };
}

internal static class Durations
{
    /// <summary>SWF durations are whole seconds as strings; fractions round up so a timer never fires early.</summary>
    public static string? Format(TimeSpan? value)
    {
        if (value is not { } v) return null;
        if (v == Timeout.InfiniteTimeSpan) return "NONE";
        if (v < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(value), v, "SWF durations cannot be negative.");
        return Seconds(v).ToString(CultureInfo.InvariantCulture);
    }

    public static long Seconds(TimeSpan v) => (long)Math.Ceiling(v.TotalSeconds - 1e-9);
}
