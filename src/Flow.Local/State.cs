using System.Text.Json.Serialization;
using Flow.Swf;

namespace Flow.Local;

// The engine's state as plain data: what a store saves and what a restart reads back. Indexes
// (task-list queues, the timeout queue, open executions by workflow id) are derived from it.

internal sealed class DomainState
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string RetentionPeriodInDays { get; set; } = "";
    public RegistrationStatus Status { get; set; }
    public string Arn { get; set; } = "";
    public List<ResourceTag> Tags { get; set; } = [];
    public DateTimeOffset CreationDate { get; set; }
}

internal sealed class TypeState
{
    public string Domain { get; set; } = "";
    /// <summary>"a" for an activity type, "w" for a workflow type.</summary>
    public string Kind { get; set; } = "";
    public string Name { get; set; } = "";
    public string Version { get; set; } = "";
    public string? Description { get; set; }
    public RegistrationStatus Status { get; set; }
    public DateTimeOffset CreationDate { get; set; }
    public DateTimeOffset? DeprecationDate { get; set; }
    public ActivityTypeConfiguration? Activity { get; set; }
    public WorkflowTypeConfiguration? Workflow { get; set; }
}

internal sealed class ActivityState
{
    public string ActivityId { get; set; } = "";
    public ActivityType ActivityType { get; set; } = new();
    public long ScheduledEventId { get; set; }
    public long StartedEventId { get; set; }
    public string? Input { get; set; }
    public string TaskList { get; set; } = "";
    public int Priority { get; set; }
    public DateTimeOffset ScheduledAt { get; set; }
    public DateTimeOffset? ScheduleToStartDue { get; set; }
    public DateTimeOffset? ScheduleToCloseDue { get; set; }
    public DateTimeOffset? StartToCloseDue { get; set; }
    public DateTimeOffset? HeartbeatDue { get; set; }
    /// <summary>When the one queued heartbeat timeout entry comes due: heartbeats move <see cref="HeartbeatDue"/>
    /// only, and the entry, found early, is queued again for it.</summary>
    [JsonIgnore] public DateTimeOffset? HeartbeatQueuedAt { get; set; }
    public TimeSpan? StartToClose { get; set; }
    public TimeSpan? Heartbeat { get; set; }
    public string? HeartbeatDetails { get; set; }
    public long? LatestCancelRequestedEventId { get; set; }
}

internal sealed class TimerState
{
    public string TimerId { get; set; } = "";
    public long StartedEventId { get; set; }
    public DateTimeOffset FireAt { get; set; }
}

internal sealed class ChildState
{
    public long InitiatedEventId { get; set; }
    public string WorkflowId { get; set; } = "";
    public string? RunId { get; set; }
    public WorkflowType WorkflowType { get; set; } = new();
    public long StartedEventId { get; set; }
}

internal sealed class ExecutionState
{
    public string Domain { get; set; } = "";
    public string WorkflowId { get; set; } = "";
    public string RunId { get; set; } = "";
    public WorkflowType WorkflowType { get; set; } = new();
    public DateTimeOffset StartTimestamp { get; set; }
    public DateTimeOffset? CloseTimestamp { get; set; }
    public CloseStatus? CloseStatus { get; set; }
    public WorkflowExecution? Parent { get; set; }
    public long? ParentInitiatedEventId { get; set; }
    public List<string>? TagList { get; set; }
    public bool CancelRequested { get; set; }

    public string ExecutionStartToCloseTimeout { get; set; } = "";
    public string TaskStartToCloseTimeout { get; set; } = "";
    public string TaskList { get; set; } = "";
    public string? TaskPriority { get; set; }
    public ChildPolicy ChildPolicy { get; set; }
    public string? LambdaRole { get; set; }
    public DateTimeOffset? ExecutionDue { get; set; }

    public string? LatestExecutionContext { get; set; }
    public DateTimeOffset? LatestActivityTaskTimestamp { get; set; }
    public long EventCount { get; set; }

    // The decision task: at most one scheduled and one started.
    public long DecisionScheduledId { get; set; }
    public string DecisionScheduledTaskList { get; set; } = "";
    public DateTimeOffset? DecisionScheduleToStartDue { get; set; }
    public long DecisionStartedId { get; set; }
    public long DecisionStartedScheduledId { get; set; }
    public DateTimeOffset? DecisionStartToCloseDue { get; set; }
    public long PreviousStartedEventId { get; set; }
    /// <summary>Task list set by the last RespondDecisionTaskCompleted, with its schedule-to-start timeout.</summary>
    public string? DecisionTaskListOverride { get; set; }
    public string? DecisionTaskListOverrideTimeout { get; set; }

    public Dictionary<string, ActivityState> Activities { get; set; } = [];
    public Dictionary<string, TimerState> Timers { get; set; } = [];
    public Dictionary<long, ChildState> Children { get; set; } = [];

    [JsonIgnore] public bool IsOpen => CloseStatus is null;
    /// <summary>The store's key for this run: increasing, so the rows of recent (busy) runs sit together.</summary>
    [JsonIgnore] public long StoreKey { get; set; }
    [JsonIgnore] public List<HistoryEvent> Events { get; set; } = [];
    /// <summary>Set while this execution's scheduled decision task waits in its task list.</summary>
    [JsonIgnore] public LinkedListNode<PendingTask>? DecisionNode { get; set; }
    [JsonIgnore] public Dictionary<string, LinkedListNode<PendingTask>> ActivityNodes { get; } = [];
    [JsonIgnore] public int OpenLambdaFunctions => 0;
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DomainState))]
[JsonSerializable(typeof(TypeState))]
[JsonSerializable(typeof(ExecutionState))]
[JsonSerializable(typeof(HistoryEvent))]
internal sealed partial class LocalJsonContext : JsonSerializerContext;
