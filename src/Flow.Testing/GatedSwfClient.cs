using Flow.Swf;

namespace Flow.Testing;

/// <summary>
/// The environment's view of every call into the engine: each runs under the environment's shared gate (time moves
/// only under the exclusive one), and polls are tracked, so the environment knows when every poller of a worker is
/// parked in the engine with nothing handed to it. <c>worker</c> tells the environment's workers' clients from the one
/// tests call through (a task a test polls itself never holds time).
/// </summary>
internal sealed class GatedSwfClient(WorkflowTestEnvironment env, ISwfClient inner, bool worker) : ISwfClient
{
    private readonly WorkflowTestEnvironment _env = env;
    private readonly ISwfClient _inner = inner;
    private readonly HashSet<Task> _polls = [];

    /// <summary>True when <paramref name="pollers"/> polls are parked in the engine and none has been answered yet.</summary>
    public bool AllParked(int pollers)
    {
        lock (_polls)
        {
            if (_polls.Count < pollers)
                return false;
            foreach (var p in _polls)
                if (p.IsCompleted)
                    return false;
            return true;
        }
    }

    private async Task<T> Poll<T>(Func<Task<T>> call)
    {
        var inner = _env.Call(() =>
        {
            var t = call();
            lock (_polls)
                _polls.Add(t);
            return t;
        });
        _env.Wake();
        try
        {
            var task = await inner.ConfigureAwait(false);
            _env.Seen(task!, worker);
            return task;
        }
        finally
        {
            lock (_polls)
                _polls.Remove(inner);
            _env.Wake();
        }
    }

    public Task<WorkflowExecutionCount> CountClosedWorkflowExecutionsAsync(CountClosedWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.CountClosedWorkflowExecutionsAsync(input, cancellationToken));

    public Task<WorkflowExecutionCount> CountOpenWorkflowExecutionsAsync(CountOpenWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.CountOpenWorkflowExecutionsAsync(input, cancellationToken));

    public Task<PendingTaskCount> CountPendingActivityTasksAsync(CountPendingActivityTasksInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.CountPendingActivityTasksAsync(input, cancellationToken));

    public Task<PendingTaskCount> CountPendingDecisionTasksAsync(CountPendingDecisionTasksInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.CountPendingDecisionTasksAsync(input, cancellationToken));

    public Task DeleteActivityTypeAsync(DeleteActivityTypeInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.DeleteActivityTypeAsync(input, cancellationToken));

    public Task DeleteWorkflowTypeAsync(DeleteWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.DeleteWorkflowTypeAsync(input, cancellationToken));

    public Task DeprecateActivityTypeAsync(DeprecateActivityTypeInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.DeprecateActivityTypeAsync(input, cancellationToken));

    public Task DeprecateDomainAsync(DeprecateDomainInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.DeprecateDomainAsync(input, cancellationToken));

    public Task DeprecateWorkflowTypeAsync(DeprecateWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.DeprecateWorkflowTypeAsync(input, cancellationToken));

    public Task<ActivityTypeDetail> DescribeActivityTypeAsync(DescribeActivityTypeInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.DescribeActivityTypeAsync(input, cancellationToken));

    public Task<DomainDetail> DescribeDomainAsync(DescribeDomainInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.DescribeDomainAsync(input, cancellationToken));

    public Task<WorkflowExecutionDetail> DescribeWorkflowExecutionAsync(DescribeWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.DescribeWorkflowExecutionAsync(input, cancellationToken));

    public Task<WorkflowTypeDetail> DescribeWorkflowTypeAsync(DescribeWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.DescribeWorkflowTypeAsync(input, cancellationToken));

    public Task<History> GetWorkflowExecutionHistoryAsync(GetWorkflowExecutionHistoryInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.GetWorkflowExecutionHistoryAsync(input, cancellationToken));

    public Task<ActivityTypeInfos> ListActivityTypesAsync(ListActivityTypesInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.ListActivityTypesAsync(input, cancellationToken));

    public Task<WorkflowExecutionInfos> ListClosedWorkflowExecutionsAsync(ListClosedWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.ListClosedWorkflowExecutionsAsync(input, cancellationToken));

    public Task<DomainInfos> ListDomainsAsync(ListDomainsInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.ListDomainsAsync(input, cancellationToken));

    public Task<WorkflowExecutionInfos> ListOpenWorkflowExecutionsAsync(ListOpenWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.ListOpenWorkflowExecutionsAsync(input, cancellationToken));

    public Task<ListTagsForResourceOutput> ListTagsForResourceAsync(ListTagsForResourceInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.ListTagsForResourceAsync(input, cancellationToken));

    public Task<WorkflowTypeInfos> ListWorkflowTypesAsync(ListWorkflowTypesInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.ListWorkflowTypesAsync(input, cancellationToken));

    public Task<ActivityTask> PollForActivityTaskAsync(PollForActivityTaskInput input, CancellationToken cancellationToken = default) =>
        Poll(() => _inner.PollForActivityTaskAsync(input, cancellationToken));

    public Task<DecisionTask> PollForDecisionTaskAsync(PollForDecisionTaskInput input, CancellationToken cancellationToken = default) =>
        Poll(() => _inner.PollForDecisionTaskAsync(input, cancellationToken));

    public Task<ActivityTaskStatus> RecordActivityTaskHeartbeatAsync(RecordActivityTaskHeartbeatInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.RecordActivityTaskHeartbeatAsync(input, cancellationToken));

    public Task RegisterActivityTypeAsync(RegisterActivityTypeInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.RegisterActivityTypeAsync(input, cancellationToken));

    public Task RegisterDomainAsync(RegisterDomainInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.RegisterDomainAsync(input, cancellationToken));

    public Task RegisterWorkflowTypeAsync(RegisterWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.RegisterWorkflowTypeAsync(input, cancellationToken));

    public Task RequestCancelWorkflowExecutionAsync(RequestCancelWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.RequestCancelWorkflowExecutionAsync(input, cancellationToken));

    public Task RespondActivityTaskCanceledAsync(RespondActivityTaskCanceledInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.RespondActivityTaskCanceledAsync(input, cancellationToken));

    public Task RespondActivityTaskCompletedAsync(RespondActivityTaskCompletedInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.RespondActivityTaskCompletedAsync(input, cancellationToken));

    public Task RespondActivityTaskFailedAsync(RespondActivityTaskFailedInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.RespondActivityTaskFailedAsync(input, cancellationToken));

    public Task RespondDecisionTaskCompletedAsync(RespondDecisionTaskCompletedInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.RespondDecisionTaskCompletedAsync(input, cancellationToken));

    public Task SignalWorkflowExecutionAsync(SignalWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.SignalWorkflowExecutionAsync(input, cancellationToken));

    public Task<Run> StartWorkflowExecutionAsync(StartWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.StartWorkflowExecutionAsync(input, cancellationToken));

    public Task TagResourceAsync(TagResourceInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.TagResourceAsync(input, cancellationToken));

    public Task TerminateWorkflowExecutionAsync(TerminateWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.TerminateWorkflowExecutionAsync(input, cancellationToken));

    public Task UndeprecateActivityTypeAsync(UndeprecateActivityTypeInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.UndeprecateActivityTypeAsync(input, cancellationToken));

    public Task UndeprecateDomainAsync(UndeprecateDomainInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.UndeprecateDomainAsync(input, cancellationToken));

    public Task UndeprecateWorkflowTypeAsync(UndeprecateWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.UndeprecateWorkflowTypeAsync(input, cancellationToken));

    public Task UntagResourceAsync(UntagResourceInput input, CancellationToken cancellationToken = default) =>
        _env.Call(() => _inner.UntagResourceAsync(input, cancellationToken));
}
