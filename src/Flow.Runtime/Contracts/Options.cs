using Flow.Swf;

namespace Flow;

/// <summary>Per-call options of an activity scheduled from workflow code; unset values fall back to the
/// activity type's registered defaults.</summary>
public sealed record ActivityOptions
{
    public string? ActivityId { get; init; }
    public string? TaskList { get; init; }
    public int? TaskPriority { get; init; }
    public TimeSpan? ScheduleToStartTimeout { get; init; }
    public TimeSpan? StartToCloseTimeout { get; init; }
    public TimeSpan? ScheduleToCloseTimeout { get; init; }
    public TimeSpan? HeartbeatTimeout { get; init; }
    public RetryPolicy? RetryPolicy { get; init; }

    /// <summary>Cancelling it sends RequestCancelActivityTask.</summary>
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>Per-call options of a child workflow started from workflow code.</summary>
public sealed record ChildWorkflowOptions
{
    public string? WorkflowId { get; init; }
    public string? TaskList { get; init; }
    public int? TaskPriority { get; init; }
    public TimeSpan? ExecutionStartToCloseTimeout { get; init; }
    public TimeSpan? TaskStartToCloseTimeout { get; init; }
    public ChildPolicy? ChildPolicy { get; init; }
    public IReadOnlyList<string>? TagList { get; init; }
    public RetryPolicy? RetryPolicy { get; init; }

    /// <summary>Cancelling it sends RequestCancelExternalWorkflowExecution to the child.</summary>
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>Options for a workflow started by a client.</summary>
public sealed record WorkflowStartOptions
{
    public string? TaskList { get; init; }
    public int? TaskPriority { get; init; }
    public TimeSpan? ExecutionStartToCloseTimeout { get; init; }
    public TimeSpan? TaskStartToCloseTimeout { get; init; }
    public ChildPolicy? ChildPolicy { get; init; }
    public IReadOnlyList<string>? TagList { get; init; }
    public string? LambdaRole { get; init; }
}

/// <summary>Retries carried out by the workflow with durable timers, so they survive worker restarts.</summary>
public sealed record RetryPolicy
{
    public int MaximumAttempts { get; init; } = 3;
    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromSeconds(1);
    public double BackoffCoefficient { get; init; } = 2.0;
    public TimeSpan? MaximumInterval { get; init; }

    /// <summary>No retry starts after this much time since the first attempt.</summary>
    public TimeSpan? Expiration { get; init; }

    /// <summary>Failure reasons (exception type names, full or short) to retry; empty means every failure but the
    /// non-retryable ones. A name matches the failure's reason, its exception type, or any base type of that exception
    /// that Flow's activity worker recorded, so System.IO.IOException also covers HttpIOException.</summary>
    public IReadOnlyList<string> RetryableReasons { get; init; } = [];

    /// <summary>Names matched as <see cref="RetryableReasons"/> are, checked first: a match is never retried.</summary>
    public IReadOnlyList<string> NonRetryableReasons { get; init; } = [];
}
