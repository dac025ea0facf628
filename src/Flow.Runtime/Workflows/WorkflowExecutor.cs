using System.Diagnostics;
using System.Globalization;
using Flow.Swf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flow.Workflows;

// SEAM (owned by the replay engine, issue 5). The workflow worker (issue 7) drives it.

/// <summary>Options of the replay engine.</summary>
public sealed record ReplayOptions
{
    /// <summary>Fail the workflow (instead of only the decision task) on a non-determinism error.</summary>
    public bool FailWorkflowOnNonDeterminism { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>How long workflow code may run without handing control back to its scheduler (one continuation, a
    /// WaitConditionAsync condition, [GetState]) before the decision task fails as deadlocked, like Temporal's deadlock
    /// detection: code that blocks on a workflow task (.Result, .Wait(), FLOW056) can never finish, because the task
    /// completes only after the decision returns. <see cref="Timeout.InfiniteTimeSpan"/> turns it off; it is also off
    /// while a debugger is attached. Applies where the worker drives the executor (and the replayer).</summary>
    public TimeSpan DeadlockDetectionTimeout
    {
        get;
        init => field = value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan ? value
            : throw new ArgumentOutOfRangeException(nameof(DeadlockDetectionTimeout), value, "DeadlockDetectionTimeout must be positive, or Timeout.InfiniteTimeSpan.");
    } = TimeSpan.FromSeconds(2);
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
        if (_abandoned)
            throw new InvalidOperationException(
                "This executor was abandoned after its workflow code blocked (WorkflowDeadlockException); use a new one with the full history.");
        var first = task.Events.Count > 0 ? task.Events[0].EventId : 0;
        if (_context is null || first == 1 || _broken)
        {
            if (first != 1)
                throw new InvalidOperationException(
                    $"This executor needs the run's full history (the task's events start at event {first}, and it has " +
                    (_broken ? "failed before" : "applied nothing yet") + ").");
            Volatile.Write(ref _context, new WorkflowContext(Domain, Handler, task.WorkflowExecution, Options.LoggerFactory));
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

    /// <summary>
    /// <see cref="ProcessDecisionTask"/> on a thread-pool thread, watched: when workflow code runs longer than
    /// <see cref="ReplayOptions.DeadlockDetectionTimeout"/> without handing control back to its scheduler, this throws
    /// <see cref="WorkflowDeadlockException"/> (the worker sends no response, so the decision task fails, not the workflow)
    /// and abandons the executor and its thread: the engine fails the workflow tasks that code may be blocked on, so a
    /// thread stuck in .Result or .Wait() comes back; one stuck elsewhere is logged when it returns, if ever.
    /// </summary>
    internal async Task<DecisionTaskResult> ProcessDecisionTaskAsync(DecisionTask task)
    {
        var timeout = Options.DeadlockDetectionTimeout;
        var work = Task.Factory.StartNew(() => ProcessDecisionTask(task), CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        if (timeout == Timeout.InfiniteTimeSpan || _abandoned)
            return await work.ConfigureAwait(false);
        using var watch = DeadlockWatchdog.Start(this, work, timeout);
        await Task.WhenAny(work, watch.Tripped).ConfigureAwait(false);
        // Abandoned by this watch: the work may end first, failed by the tasks the abandonment fails.
        if (_abandoned)
            throw await watch.Tripped.ConfigureAwait(false);
        return await work.ConfigureAwait(false);
    }

    /// <summary>The run's context, read by the deadlock watchdog's thread.</summary>
    internal WorkflowContext? Context => Volatile.Read(ref _context);

    /// <summary>Called on the watchdog's thread.</summary>
    internal WorkflowDeadlockException Abandon(WorkflowContext context, WorkflowContext.StepInfo step, TimeSpan elapsed, Task<DecisionTaskResult> work)
    {
        _abandoned = true;
        _broken = true;
        LastAppliedEventId = -1;
        var execution = context.Execution;
        var spent = elapsed.TotalSeconds.ToString("0.0#", CultureInfo.InvariantCulture);
        var limit = Options.DeadlockDetectionTimeout.TotalSeconds.ToString("0.0#", CultureInfo.InvariantCulture);
        var error = new WorkflowDeadlockException(
            $"Workflow code of {execution.WorkflowId} ({execution.RunId}, {Handler.Definition.Name} {Handler.Definition.Version}) has spent " +
            $"{spent} s in {step.What} without handing control back to its scheduler (DeadlockDetectionTimeout is " +
            $"{limit} s): it is blocked. Most likely it waits on a workflow task with .Result, " +
            ".Wait(), .GetAwaiter().GetResult(), Task.WaitAll or Task.WaitAny (FLOW056), which can never complete, because workflow tasks " +
            "complete only after the decision hands control back; or it sleeps (Thread.Sleep, FLOW052), spins, or does blocking I/O. " +
            "Await instead. The decision task fails without a response; the workflow is unaffected and goes on once the code is fixed. " +
            $"Thread {step.Thread} is abandoned.");
        var log = (Options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Flow.Workflow." + Handler.Definition.Name);
        log.LogError("{Message}", error.Message);
        context.Abandon(error);
        _ = work.ContinueWith(static (t, state) =>
        {
            var (log, execution, thread) = ((ILogger, WorkflowExecution, int))state!;
            _ = t.Exception; // observed: the result of abandoned code means nothing
            log.LogWarning("The abandoned thread {Thread} of {WorkflowId} ({RunId}) returned from its workflow code.",
                thread, execution.WorkflowId, execution.RunId);
        }, (log, execution, step.Thread), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return error;
    }

    private WorkflowContext? _context;
    private bool _broken;
    private volatile bool _abandoned;
}

/// <summary>Workflow code ran longer than <see cref="ReplayOptions.DeadlockDetectionTimeout"/> without handing control
/// back to its scheduler; the decision task fails (no response is sent), the workflow does not.</summary>
public sealed class WorkflowDeadlockException(string message) : Exception(message);

/// <summary>The workflow API was called by code off its workflow's scheduler (after ConfigureAwait(false), in Task.Run, a
/// callback) or outside workflow code. Workflow code that ends with it fails a decision task of its run, never the run.</summary>
internal sealed class WorkflowEscapeException(string message) : InvalidOperationException(message);

/// <summary>Workflow code asked for something other than what the history records.</summary>
public sealed class NonDeterminismException(string message) : Exception(message);
