using Flow.Swf;
using Flow.Workflows;
using Microsoft.Extensions.Logging;

namespace Flow;

// SEAM (owned by the replay engine, issue 5). The signatures are the contract that generated code and
// users compile against.

/// <summary>The deterministic API for workflow code. Every member must be called from workflow code
/// running on the workflow's scheduler; anywhere else it throws.</summary>
public static partial class Workflow
{
    /// <summary>What <see cref="GetVersion"/> returns for a change the run's history predates.</summary>
    public const int DefaultVersion = -1;

    /// <summary>The time of the current decision task's DecisionTaskStarted event.</summary>
    public static DateTimeOffset UtcNow => WorkflowContext.Current(nameof(UtcNow)).UtcNow;

    /// <summary>True while the engine replays events the workflow has already handled.</summary>
    public static bool IsReplaying => WorkflowContext.Current(nameof(IsReplaying)).IsReplaying;

    public static WorkflowInfo Info => WorkflowContext.Current(nameof(Info)).Info;

    /// <summary>Cancelled when SWF records WorkflowExecutionCancelRequested.</summary>
    public static CancellationToken CancellationToken => WorkflowContext.Current(nameof(CancellationToken)).CancellationToken;

    /// <summary>Random numbers seeded per run: the same on every replay.</summary>
    public static Random Random => WorkflowContext.Current(nameof(Random)).Random;

    /// <summary>A GUID from the run's seeded random numbers (version 4 layout): the same on every replay.</summary>
    public static Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        WorkflowContext.Current(nameof(NewGuid)).Random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>A logger that stays silent while replaying.</summary>
    public static ILogger Logger => WorkflowContext.Current(nameof(Logger)).Logger;

    /// <summary>A durable timer (StartTimer, whole seconds rounded up; zero is a real zero-second timer;
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits for the token only). Cancelling the token sends CancelTimer.</summary>
    public static Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken = default) =>
        WorkflowContext.Current(nameof(DelayAsync)).DelayAsync(delay, cancellationToken);

    /// <summary>A timer with a chosen id, for replaying histories written by other SWF frameworks.</summary>
    internal static Task DelayAsync(string timerId, TimeSpan delay, CancellationToken cancellationToken = default) =>
        WorkflowContext.Current(nameof(DelayAsync)).DelayAsync(delay, cancellationToken, timerId);

    /// <summary>Completes when <paramref name="condition"/> holds (re-evaluated whenever workflow code has run); false on timeout.</summary>
    public static Task<bool> WaitConditionAsync(Func<bool> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => WorkflowContext.Current(nameof(WaitConditionAsync)).WaitConditionAsync(condition, timeout, cancellationToken);

    /// <summary>Versioning for changed workflow code, recorded as a marker: returns <paramref name="maxSupported"/> in new
    /// runs, the recorded version in replays, and <see cref="DefaultVersion"/> for runs that predate the change.</summary>
    public static int GetVersion(string changeId, int minSupported, int maxSupported) =>
        WorkflowContext.Current(nameof(GetVersion)).GetVersion(changeId, minSupported, maxSupported);

    /// <summary>Runs <paramref name="func"/> once and records its encoded result as a marker; replays read the marker.
    /// If it throws, the failure is recorded instead and the call throws <see cref="SideEffectFailedException"/>, on
    /// every replay too.</summary>
    public static Task<string?> SideEffectAsync(Func<string?> func) =>
        WorkflowContext.Current(nameof(SideEffectAsync)).SideEffectAsync(func);

    /// <summary>Records a marker (RecordMarker).</summary>
    public static void RecordMarker(string markerName, string? details) =>
        WorkflowContext.Current(nameof(RecordMarker)).RecordMarker(markerName, details);

    /// <summary>Schedules an activity task and completes with its encoded result. Generated activity clients call this.
    /// Cancelling the options' token sends RequestCancelActivityTask and completes the task with
    /// <see cref="ActivityCanceledException"/> at once.</summary>
    public static Task<string?> ExecuteActivityAsync(ActivityDefinition activity, string? input, ActivityOptions? options = null)
        => WorkflowContext.Current(nameof(ExecuteActivityAsync)).ExecuteActivityAsync(activity, input, options);

    /// <summary>Starts a child workflow and completes with its encoded result. Generated child clients call this.
    /// Cancelling the options' token sends RequestCancelExternalWorkflowExecution to the child and completes the
    /// task with <see cref="ChildWorkflowCanceledException"/> at once.</summary>
    public static Task<string?> ExecuteChildWorkflowAsync(WorkflowDefinition workflow, string? input, ChildWorkflowOptions? options = null)
        => WorkflowContext.Current(nameof(ExecuteChildWorkflowAsync)).ExecuteChildWorkflowAsync(workflow, input, options);

    /// <summary>Closes this run and starts a new one with <paramref name="input"/> (ContinueAsNewWorkflowExecution).
    /// Generated self clients call this; throw the exception it returns, and the engine turns it into the decision.</summary>
    public static Exception ContinueAsNew(WorkflowDefinition workflow, string? input, WorkflowStartOptions? options = null)
    {
        WorkflowContext.Current(nameof(ContinueAsNew));
        CallLimits.ContinueAsNew(workflow, input, options);
        return new ContinueAsNewException(workflow, input, options);
    }

    public static Task SignalExternalWorkflowAsync(string workflowId, string? runId, string signalName, string? input, CancellationToken cancellationToken = default)
        => WorkflowContext.Current(nameof(SignalExternalWorkflowAsync)).SignalExternalWorkflowAsync(workflowId, runId, signalName, input, cancellationToken);

    public static Task RequestCancelExternalWorkflowAsync(string workflowId, string? runId = null)
        => WorkflowContext.Current(nameof(RequestCancelExternalWorkflowAsync)).RequestCancelExternalWorkflowAsync(workflowId, runId);
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
