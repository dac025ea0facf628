using System.Globalization;
using Flow.Swf;

namespace Flow;

// SEAM (owned by the workers and client, issue 7). Generated workflow clients wrap it.

/// <summary>Starts and manages workflow executions in one domain, over any <see cref="ISwfClient"/>.</summary>
public sealed partial class WorkflowClient
{
    public WorkflowClient(ISwfClient swf, string domain)
    {
        Swf = swf;
        Domain = domain;
    }

    public ISwfClient Swf { get; }
    public string Domain { get; }

    /// <summary>Clock for <see cref="GetResultAsync"/>'s waits; tests replace it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>First and longest pause between two checks of <see cref="GetResultAsync"/>; the pause doubles, with jitter.</summary>
    public TimeSpan ResultPollInitialInterval { get; init; } = TimeSpan.FromMilliseconds(20);
    public TimeSpan ResultPollMaxInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>StartWorkflowExecution with the definition's defaults filled from <paramref name="options"/>.</summary>
    public async Task<WorkflowExecution> StartAsync(WorkflowDefinition workflow, string workflowId, string? input,
        WorkflowStartOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentException.ThrowIfNullOrEmpty(workflowId);
        string? taskList = options?.TaskList ?? workflow.DefaultTaskList;
        var run = await Swf.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
        {
            Domain = Domain,
            WorkflowId = workflowId,
            WorkflowType = workflow.ToWorkflowType(),
            TaskList = taskList is null ? null : new TaskList { Name = taskList },
            TaskPriority = options?.TaskPriority?.ToString(CultureInfo.InvariantCulture) ?? workflow.DefaultTaskPriority,
            Input = input,
            ExecutionStartToCloseTimeout = Duration(options?.ExecutionStartToCloseTimeout) ?? workflow.DefaultExecutionStartToCloseTimeout,
            TaskStartToCloseTimeout = Duration(options?.TaskStartToCloseTimeout) ?? workflow.DefaultTaskStartToCloseTimeout,
            ChildPolicy = options?.ChildPolicy ?? workflow.DefaultChildPolicy,
            TagList = options?.TagList is { Count: > 0 } tags ? [.. tags] : null,
            LambdaRole = options?.LambdaRole,
        }, cancellationToken).ConfigureAwait(false);
        return new WorkflowExecution { WorkflowId = workflowId, RunId = run.RunId ?? "" };
    }

    public Task SignalAsync(WorkflowExecution execution, string signalName, string? input, CancellationToken cancellationToken = default)
        => Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput
        {
            Domain = Domain,
            WorkflowId = execution.WorkflowId,
            RunId = NullIfEmpty(execution.RunId),
            SignalName = signalName,
            Input = input,
        }, cancellationToken);

    public Task RequestCancelAsync(WorkflowExecution execution, CancellationToken cancellationToken = default)
        => Swf.RequestCancelWorkflowExecutionAsync(new RequestCancelWorkflowExecutionInput
        {
            Domain = Domain,
            WorkflowId = execution.WorkflowId,
            RunId = NullIfEmpty(execution.RunId),
        }, cancellationToken);

    public Task TerminateAsync(WorkflowExecution execution, string? reason = null, string? details = null,
        ChildPolicy? childPolicy = null, CancellationToken cancellationToken = default)
        => Swf.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput
        {
            Domain = Domain,
            WorkflowId = execution.WorkflowId,
            RunId = NullIfEmpty(execution.RunId),
            Reason = reason,
            Details = details,
            ChildPolicy = childPolicy,
        }, cancellationToken);

    public Task<WorkflowExecutionDetail> DescribeAsync(WorkflowExecution execution, CancellationToken cancellationToken = default)
        => Swf.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionInput { Domain = Domain, Execution = Copy(execution) }, cancellationToken);

    /// <summary>The latest executionContext the decider sent: the encoded [GetState] value.</summary>
    public async Task<string?> GetStateAsync(WorkflowExecution execution, CancellationToken cancellationToken = default)
        => (await DescribeAsync(execution, cancellationToken).ConfigureAwait(false)).LatestExecutionContext;

    /// <summary>Waits for the run to close and returns its encoded result; throws <see cref="WorkflowFailedException"/>
    /// (or a subclass for timed out, canceled, terminated, continued-as-new) when it did not complete.</summary>
    public async Task<string?> GetResultAsync(WorkflowExecution execution, CancellationToken cancellationToken = default)
    {
        // SWF has no "wait for close": read the newest event until it is a close event, pausing longer each time.
        var backoff = ResultPollInitialInterval;
        while (true)
        {
            History page;
            try
            {
                page = await Swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput
                {
                    Domain = Domain,
                    Execution = Copy(execution),
                    ReverseOrder = true,
                    MaximumPageSize = 1,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (Workers.RetryBackoff.IsTransient(ex, cancellationToken))
            {
                // Waiting outlives a throttled or dropped call: try again after the pause.
                page = new History();
            }
            if (page.Events.Count > 0 && Close(execution, page.Events[0]) is { } close)
                return close.Result;

            var pause = TimeSpan.FromMilliseconds(backoff.TotalMilliseconds * (0.5 + Random.Shared.NextDouble() / 2));
            await Task.Delay(pause, TimeProvider, cancellationToken).ConfigureAwait(false);
            backoff = TimeSpan.FromMilliseconds(Math.Min(ResultPollMaxInterval.TotalMilliseconds, backoff.TotalMilliseconds * 2));
        }
    }

    /// <summary>As <see cref="GetResultAsync(WorkflowExecution, CancellationToken)"/>; with <paramref name="followContinueAsNew"/>,
    /// a run that continued as new is followed to the run that finally closes otherwise.</summary>
    public async Task<string?> GetResultAsync(WorkflowExecution execution, bool followContinueAsNew, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                return await GetResultAsync(execution, cancellationToken).ConfigureAwait(false);
            }
            catch (WorkflowContinuedAsNewException ex) when (followContinueAsNew)
            {
                execution = ex.NewExecution;
            }
        }
    }

    /// <summary>The result of a close event, null when the event does not close the run; throws for closes other than completion.</summary>
    private static CloseResult? Close(WorkflowExecution execution, HistoryEvent e) => e.EventType switch
    {
        EventType.WorkflowExecutionCompleted => new CloseResult(e.WorkflowExecutionCompletedEventAttributes?.Result),
        EventType.WorkflowExecutionFailed => throw new WorkflowFailedException(execution, CloseStatus.Failed,
            e.WorkflowExecutionFailedEventAttributes?.Reason, e.WorkflowExecutionFailedEventAttributes?.Details),
        EventType.WorkflowExecutionTimedOut => throw new WorkflowTimedOutException(execution,
            e.WorkflowExecutionTimedOutEventAttributes?.TimeoutType ?? WorkflowExecutionTimeoutType.StartToClose),
        EventType.WorkflowExecutionCanceled => throw new WorkflowCanceledException(execution, e.WorkflowExecutionCanceledEventAttributes?.Details),
        EventType.WorkflowExecutionTerminated => throw new WorkflowTerminatedException(execution,
            e.WorkflowExecutionTerminatedEventAttributes?.Reason, e.WorkflowExecutionTerminatedEventAttributes?.Details,
            e.WorkflowExecutionTerminatedEventAttributes?.Cause),
        EventType.WorkflowExecutionContinuedAsNew => throw new WorkflowContinuedAsNewException(execution,
            new WorkflowExecution { WorkflowId = execution.WorkflowId, RunId = e.WorkflowExecutionContinuedAsNewEventAttributes?.NewExecutionRunId ?? "" }),
        _ => null,
    };

    private sealed record CloseResult(string? Result);

    internal static WorkflowExecution Copy(WorkflowExecution execution) =>
        new() { WorkflowId = execution.WorkflowId, RunId = execution.RunId };

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>SWF durations are whole seconds as strings; an infinite span is "NONE". Parts of a second round up,
    /// so a timeout is never shorter than asked.</summary>
    internal static string? Duration(TimeSpan? span) => span switch
    {
        null => null,
        { } s when s == Timeout.InfiniteTimeSpan => "NONE",
        { } s when s < TimeSpan.Zero => throw new ArgumentOutOfRangeException(nameof(span), s, "A timeout cannot be negative."),
        { } s => ((long)Math.Ceiling(s.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>A workflow run closed without completing.</summary>
public class WorkflowFailedException(WorkflowExecution execution, CloseStatus status, string? reason, string? details)
    : Exception(Describe(execution, status, reason, details))
{
    // The reason of a run Flow failed is an exception's type name; what went wrong is the first line of the details
    // (the message; the stack follows), so the message carries that line too, cut short.
    private static string Describe(WorkflowExecution execution, CloseStatus status, string? reason, string? details)
    {
        var text = $"Workflow {execution.WorkflowId} ({execution.RunId}) closed as {status}: {reason}";
        if (string.IsNullOrWhiteSpace(details))
            return text;
        var first = details.AsSpan().TrimStart();
        var end = first.IndexOfAny('\r', '\n');
        if (end >= 0)
            first = first[..end];
        first = first.TrimEnd();
        if (first.IsEmpty)
            return text;
        return first.Length > 500 ? $"{text}: {first[..500]}…" : $"{text}: {first}";
    }

    public WorkflowExecution Execution { get; } = execution;
    public CloseStatus Status { get; } = status;
    public string? Reason { get; } = reason;
    public string? Details { get; } = details;
}

/// <summary>The run hit its execution start-to-close timeout.</summary>
public sealed class WorkflowTimedOutException(WorkflowExecution execution, WorkflowExecutionTimeoutType timeoutType)
    : WorkflowFailedException(execution, CloseStatus.TimedOut, "Timed out (" + timeoutType + ")", null)
{
    public WorkflowExecutionTimeoutType TimeoutType { get; } = timeoutType;
}

/// <summary>The run was canceled (after a cancel request, by its own CancelWorkflowExecution decision).</summary>
public sealed class WorkflowCanceledException(WorkflowExecution execution, string? details)
    : WorkflowFailedException(execution, CloseStatus.Canceled, "Canceled", details);

/// <summary>The run was terminated (TerminateWorkflowExecution, a parent's child policy, or a timeout of a decision).</summary>
public sealed class WorkflowTerminatedException(WorkflowExecution execution, string? reason, string? details, WorkflowExecutionTerminatedCause? cause)
    : WorkflowFailedException(execution, CloseStatus.Terminated, reason ?? cause?.ToString() ?? "Terminated", details)
{
    public WorkflowExecutionTerminatedCause? Cause { get; } = cause;
}

/// <summary>The run closed by continuing as a new run; <see cref="NewExecution"/> carries on.</summary>
public sealed class WorkflowContinuedAsNewException(WorkflowExecution execution, WorkflowExecution newExecution)
    : WorkflowFailedException(execution, CloseStatus.ContinuedAsNew, "Continued as new run " + newExecution.RunId, null)
{
    public WorkflowExecution NewExecution { get; } = newExecution;
}
