using Flow.Swf;
using Microsoft.Extensions.Logging;

namespace Flow.Workflows;

// SEAM (owned by the replay engine, issue 5). The workflow worker (issue 7) drives it.

/// <summary>Options of the replay engine.</summary>
public sealed record ReplayOptions
{
    /// <summary>Fail the workflow (instead of only the decision task) on a non-determinism error.</summary>
    public bool FailWorkflowOnNonDeterminism { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>The decisions for one decision task, plus the executionContext (the [GetState] value).</summary>
public sealed record DecisionTaskResult(List<Decision> Decisions, string? ExecutionContext);

/// <summary>
/// One live workflow run: replays history into workflow code and produces the next decisions.
/// Instances are kept by the worker's decision cache between tasks of the same run.
/// </summary>
public sealed partial class WorkflowExecutor
{
    public WorkflowExecutor(string domain, WorkflowHandler handler, ReplayOptions? options = null)
    {
        Domain = domain;
        Handler = handler;
        Options = options ?? new ReplayOptions();
    }

    public string Domain { get; }
    public WorkflowHandler Handler { get; }
    public ReplayOptions Options { get; }

    /// <summary>The id of the last event this executor has applied (0 before the first task).
    /// The worker compares it with a task's previousStartedEventId to decide whether only new events are needed.</summary>
    public long LastAppliedEventId { get; private set; }

    /// <summary>
    /// Applies a decision task's events (the whole history, or only those after <see cref="LastAppliedEventId"/>
    /// when the worker polled with startAtPreviousStartedEvent) and returns the decisions to send.
    /// Throws <see cref="NonDeterminismException"/> when code and history disagree; the worker then sends no response.
    /// </summary>
    public DecisionTaskResult ProcessDecisionTask(DecisionTask task) => throw new NotImplementedException();
}

/// <summary>Workflow code asked for something other than what the history records.</summary>
public sealed class NonDeterminismException(string message) : Exception(message);
