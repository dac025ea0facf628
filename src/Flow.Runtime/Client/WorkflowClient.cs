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

    /// <summary>StartWorkflowExecution with the definition's defaults filled from <paramref name="options"/>.</summary>
    public Task<WorkflowExecution> StartAsync(WorkflowDefinition workflow, string workflowId, string? input,
        WorkflowStartOptions? options = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task SignalAsync(WorkflowExecution execution, string signalName, string? input, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    public Task RequestCancelAsync(WorkflowExecution execution, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    public Task TerminateAsync(WorkflowExecution execution, string? reason = null, string? details = null,
        ChildPolicy? childPolicy = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<WorkflowExecutionDetail> DescribeAsync(WorkflowExecution execution, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>The latest executionContext the decider sent: the encoded [GetState] value.</summary>
    public Task<string?> GetStateAsync(WorkflowExecution execution, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Waits for the run to close and returns its encoded result; throws <see cref="WorkflowFailedException"/>
    /// (or a subclass for timed out, canceled, terminated, continued-as-new) when it did not complete.</summary>
    public Task<string?> GetResultAsync(WorkflowExecution execution, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();
}

/// <summary>A workflow run closed without completing.</summary>
public class WorkflowFailedException(WorkflowExecution execution, CloseStatus status, string? reason, string? details)
    : Exception($"Workflow {execution.WorkflowId} ({execution.RunId}) closed as {status}: {reason}")
{
    public WorkflowExecution Execution { get; } = execution;
    public CloseStatus Status { get; } = status;
    public string? Reason { get; } = reason;
    public string? Details { get; } = details;
}
