using Flow.Swf;

namespace Flow.Testing;

/// <summary>The client tests use: the environment starts its workers on the first call.</summary>
internal sealed class StartingSwfClient(WorkflowTestEnvironment env, ISwfClient inner) : ISwfClient
{
    private readonly WorkflowTestEnvironment _env = env;
    private readonly ISwfClient _inner = inner;

    public async Task<WorkflowExecutionCount> CountClosedWorkflowExecutionsAsync(CountClosedWorkflowExecutionsInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.CountClosedWorkflowExecutionsAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<WorkflowExecutionCount> CountOpenWorkflowExecutionsAsync(CountOpenWorkflowExecutionsInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.CountOpenWorkflowExecutionsAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PendingTaskCount> CountPendingActivityTasksAsync(CountPendingActivityTasksInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.CountPendingActivityTasksAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PendingTaskCount> CountPendingDecisionTasksAsync(CountPendingDecisionTasksInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.CountPendingDecisionTasksAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteActivityTypeAsync(DeleteActivityTypeInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.DeleteActivityTypeAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteWorkflowTypeAsync(DeleteWorkflowTypeInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.DeleteWorkflowTypeAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeprecateActivityTypeAsync(DeprecateActivityTypeInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.DeprecateActivityTypeAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeprecateDomainAsync(DeprecateDomainInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.DeprecateDomainAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeprecateWorkflowTypeAsync(DeprecateWorkflowTypeInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.DeprecateWorkflowTypeAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ActivityTypeDetail> DescribeActivityTypeAsync(DescribeActivityTypeInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.DescribeActivityTypeAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DomainDetail> DescribeDomainAsync(DescribeDomainInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.DescribeDomainAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<WorkflowExecutionDetail> DescribeWorkflowExecutionAsync(DescribeWorkflowExecutionInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.DescribeWorkflowExecutionAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<WorkflowTypeDetail> DescribeWorkflowTypeAsync(DescribeWorkflowTypeInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.DescribeWorkflowTypeAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<History> GetWorkflowExecutionHistoryAsync(GetWorkflowExecutionHistoryInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.GetWorkflowExecutionHistoryAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ActivityTypeInfos> ListActivityTypesAsync(ListActivityTypesInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.ListActivityTypesAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<WorkflowExecutionInfos> ListClosedWorkflowExecutionsAsync(ListClosedWorkflowExecutionsInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.ListClosedWorkflowExecutionsAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DomainInfos> ListDomainsAsync(ListDomainsInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.ListDomainsAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<WorkflowExecutionInfos> ListOpenWorkflowExecutionsAsync(ListOpenWorkflowExecutionsInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.ListOpenWorkflowExecutionsAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ListTagsForResourceOutput> ListTagsForResourceAsync(ListTagsForResourceInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.ListTagsForResourceAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<WorkflowTypeInfos> ListWorkflowTypesAsync(ListWorkflowTypesInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.ListWorkflowTypesAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ActivityTask> PollForActivityTaskAsync(PollForActivityTaskInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.PollForActivityTaskAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DecisionTask> PollForDecisionTaskAsync(PollForDecisionTaskInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.PollForDecisionTaskAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ActivityTaskStatus> RecordActivityTaskHeartbeatAsync(RecordActivityTaskHeartbeatInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.RecordActivityTaskHeartbeatAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task RegisterActivityTypeAsync(RegisterActivityTypeInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.RegisterActivityTypeAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task RegisterDomainAsync(RegisterDomainInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.RegisterDomainAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task RegisterWorkflowTypeAsync(RegisterWorkflowTypeInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.RegisterWorkflowTypeAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task RequestCancelWorkflowExecutionAsync(RequestCancelWorkflowExecutionInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.RequestCancelWorkflowExecutionAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task RespondActivityTaskCanceledAsync(RespondActivityTaskCanceledInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.RespondActivityTaskCanceledAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task RespondActivityTaskCompletedAsync(RespondActivityTaskCompletedInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.RespondActivityTaskCompletedAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task RespondActivityTaskFailedAsync(RespondActivityTaskFailedInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.RespondActivityTaskFailedAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task RespondDecisionTaskCompletedAsync(RespondDecisionTaskCompletedInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.RespondDecisionTaskCompletedAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task SignalWorkflowExecutionAsync(SignalWorkflowExecutionInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.SignalWorkflowExecutionAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Run> StartWorkflowExecutionAsync(StartWorkflowExecutionInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.StartWorkflowExecutionAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task TagResourceAsync(TagResourceInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.TagResourceAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task TerminateWorkflowExecutionAsync(TerminateWorkflowExecutionInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.TerminateWorkflowExecutionAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task UndeprecateActivityTypeAsync(UndeprecateActivityTypeInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.UndeprecateActivityTypeAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task UndeprecateDomainAsync(UndeprecateDomainInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.UndeprecateDomainAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task UndeprecateWorkflowTypeAsync(UndeprecateWorkflowTypeInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.UndeprecateWorkflowTypeAsync(input, cancellationToken).ConfigureAwait(false);
    }

    public async Task UntagResourceAsync(UntagResourceInput input, CancellationToken cancellationToken = default)
    {
        await _env.StartAsync(cancellationToken).ConfigureAwait(false);
        await _inner.UntagResourceAsync(input, cancellationToken).ConfigureAwait(false);
    }
}
