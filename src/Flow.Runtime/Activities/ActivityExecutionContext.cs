using Flow.Swf;

namespace Flow;

// SEAM (owned by the workers, issue 7).

/// <summary>What a running activity knows about its task, and how it reports progress.
/// Available to implementations as <see cref="Current"/>.</summary>
public abstract class ActivityExecutionContext
{
    private static readonly AsyncLocal<ActivityExecutionContext?> s_current = new();

    /// <summary>The context of the activity running on this async flow, or null outside one.</summary>
    public static ActivityExecutionContext? Current
    {
        get => s_current.Value;
        protected internal set => s_current.Value = value;
    }

    public abstract string Domain { get; }
    public abstract string TaskToken { get; }
    public abstract string ActivityId { get; }
    public abstract ActivityType ActivityType { get; }
    public abstract WorkflowExecution WorkflowExecution { get; }

    /// <summary>Which attempt of the workflow's call this task is: 1 for the first, n for the n-th under a
    /// <see cref="RetryPolicy"/>. SWF's activity task carries no attempt; Flow's decider writes it into the activity id
    /// ("{id}#{n}" from the second attempt on), and this reads it back.</summary>
    public virtual int Attempt => Workflows.AttemptId.Parse(ActivityId);

    /// <summary>Fired when a heartbeat answers cancelRequested, or the worker shuts down.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Records a heartbeat (throttled to the heartbeat timeout); details are at most 2,048 characters.</summary>
    public abstract Task HeartbeatAsync(string? details = null);

    /// <summary>Records a heartbeat at once, past the throttle, and completes when SWF has answered it: then
    /// <see cref="CancellationToken"/> has fired if the workflow asked to cancel the activity (a failed call is logged,
    /// as for any heartbeat). For the last check before an activity's result counts, say before it leaves files behind
    /// that the workflow may already be cleaning up; report progress with <see cref="HeartbeatAsync"/>.</summary>
    public virtual Task HeartbeatNowAsync(string? details = null) => HeartbeatAsync(details);

    /// <summary>The services of this task's scope when the worker runs under a host with dependency injection
    /// (one scope per task), otherwise null. Dispatch tables use it to create the implementation per task.</summary>
    public virtual IServiceProvider? Services => null;

    /// <summary>The ActivityTaskStarted event of this attempt in the workflow's history.</summary>
    public virtual long StartedEventId => 0;
}
