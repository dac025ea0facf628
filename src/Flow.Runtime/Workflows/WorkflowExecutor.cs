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
    /// Throws <see cref="NonDeterminismException"/> when code and history disagree (or workflow code escaped its
    /// scheduler); the worker then sends no response. Other failures also mean "send nothing": InvalidOperationException
    /// when this executor needs the full history (a gap, a decision it answered timed out) or a GetState value is over
    /// SWF's limit, NotSupportedException for Lambda events. After any exception LastAppliedEventId is -1, so the
    /// worker's next task for the run carries the full history, which resets the executor.
    /// </summary>
    public DecisionTaskResult ProcessDecisionTask(DecisionTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var first = task.Events.Count > 0 ? task.Events[0].EventId : 0;
        if (_context is null || first == 1 || _broken)
        {
            if (first != 1)
                throw new InvalidOperationException(
                    $"This executor needs the run's full history (the task's events start at event {first}, and it has " +
                    (_broken ? "failed before" : "applied nothing yet") + ").");
            _context = new WorkflowContext(Domain, Handler, task.WorkflowExecution, Options.LoggerFactory);
            _broken = false;
        }
        else if (first > LastAppliedEventId + 1)
        {
            throw new InvalidOperationException(
                $"The task's events start at event {first}, but this executor has applied only up to event {LastAppliedEventId}.");
        }

        try
        {
            var result = _context.Process(task);
            LastAppliedEventId = _context.LastApplied;
            return result;
        }
        catch (Exception ex)
        {
            // Whatever went wrong, this executor's state no longer follows history: the next task must replay it all.
            _broken = true;
            LastAppliedEventId = -1;
            if (ex is NonDeterminismException && Options.FailWorkflowOnNonDeterminism)
                return new DecisionTaskResult([WorkflowContext.FailDecision(typeof(NonDeterminismException).FullName!, ex.Message)], null);
            throw;
        }
    }

    private WorkflowContext? _context;
    private bool _broken;
}

/// <summary>Workflow code asked for something other than what the history records.</summary>
public sealed class NonDeterminismException(string message) : Exception(message);
