using Flow.Swf;
using Microsoft.Extensions.Logging;

namespace Flow;

// SEAM (owned by the replay engine, issue 5). The signatures are the contract that generated code and
// users compile against; the bodies are placeholders until the engine lands.

/// <summary>The deterministic API for workflow code. Every member must be called from workflow code
/// running on the workflow's scheduler; anywhere else it throws.</summary>
public static partial class Workflow
{
    /// <summary>The time of the current decision task's DecisionTaskStarted event.</summary>
    public static DateTimeOffset UtcNow => throw new NotImplementedException();

    /// <summary>True while the engine replays events the workflow has already handled.</summary>
    public static bool IsReplaying => throw new NotImplementedException();

    public static WorkflowInfo Info => throw new NotImplementedException();

    /// <summary>Cancelled when SWF records WorkflowExecutionCancelRequested.</summary>
    public static CancellationToken CancellationToken => throw new NotImplementedException();

    /// <summary>Random numbers seeded per run: the same on every replay.</summary>
    public static Random Random => throw new NotImplementedException();

    public static Guid NewGuid() => throw new NotImplementedException();

    /// <summary>A logger that stays silent while replaying.</summary>
    public static ILogger Logger => throw new NotImplementedException();

    /// <summary>A durable timer (StartTimer); cancelling the token sends CancelTimer.</summary>
    public static Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Completes when <paramref name="condition"/> holds (re-evaluated after every event); false on timeout.</summary>
    public static Task<bool> WaitConditionAsync(Func<bool> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Versioning for changed workflow code, recorded as a marker.</summary>
    public static int GetVersion(string changeId, int minSupported, int maxSupported) => throw new NotImplementedException();

    /// <summary>Runs <paramref name="func"/> once and records its encoded result as a marker; replays read the marker.</summary>
    public static Task<string?> SideEffectAsync(Func<string?> func) => throw new NotImplementedException();

    /// <summary>Records a marker (RecordMarker).</summary>
    public static void RecordMarker(string markerName, string? details) => throw new NotImplementedException();

    /// <summary>Schedules an activity task and completes with its encoded result. Generated activity clients call this.</summary>
    public static Task<string?> ExecuteActivityAsync(ActivityDefinition activity, string? input, ActivityOptions? options = null)
        => throw new NotImplementedException();

    /// <summary>Starts a child workflow and completes with its encoded result. Generated child clients call this.</summary>
    public static Task<string?> ExecuteChildWorkflowAsync(WorkflowDefinition workflow, string? input, ChildWorkflowOptions? options = null)
        => throw new NotImplementedException();

    /// <summary>Closes this run and starts a new one with <paramref name="input"/> (ContinueAsNewWorkflowExecution).
    /// Generated self clients call this; it throws <see cref="ContinueAsNewException"/>, which the engine turns into the decision.</summary>
    public static Exception ContinueAsNew(WorkflowDefinition workflow, string? input, WorkflowStartOptions? options = null)
        => throw new NotImplementedException();

    public static Task SignalExternalWorkflowAsync(string workflowId, string? runId, string signalName, string? input, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    public static Task RequestCancelExternalWorkflowAsync(string workflowId, string? runId = null)
        => throw new NotImplementedException();
}

/// <summary>What a run knows about itself.</summary>
public sealed record WorkflowInfo(string Domain, WorkflowExecution Execution, WorkflowType WorkflowType, string TaskList)
{
    public WorkflowExecution? ParentExecution { get; init; }
    public string? ContinuedExecutionRunId { get; init; }
    public IReadOnlyList<string> TagList { get; init; } = [];
}

/// <summary>Thrown by <see cref="Workflow.ContinueAsNew"/>; the engine turns it into ContinueAsNewWorkflowExecution.</summary>
public sealed class ContinueAsNewException(WorkflowDefinition workflow, string? input, WorkflowStartOptions? options)
    : Exception($"Continue as new run of {workflow.Name} {workflow.Version}.")
{
    public WorkflowDefinition Workflow { get; } = workflow;
    public string? Input { get; } = input;
    public WorkflowStartOptions? Options { get; } = options;
}
