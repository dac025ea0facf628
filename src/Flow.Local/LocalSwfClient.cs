using Flow.Swf;

namespace Flow.Local;

/// <summary>An <see cref="ISwfClient"/> that calls a <see cref="LocalSwf"/> engine in process: same inputs,
/// outputs and faults as SWF, without HTTP.</summary>
public sealed class LocalSwfClient(LocalSwf engine) : ISwfClient
{
    readonly LocalSwf _engine = engine;

    static Task<T> Run<T>(Func<T> call, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<T>(cancellationToken);
        try
        {
            return Task.FromResult(call());
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    public Task<WorkflowExecutionCount> CountClosedWorkflowExecutionsAsync(CountClosedWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.CountClosedWorkflowExecutions(input), cancellationToken);

    public Task<WorkflowExecutionCount> CountOpenWorkflowExecutionsAsync(CountOpenWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.CountOpenWorkflowExecutions(input), cancellationToken);

    public Task<PendingTaskCount> CountPendingActivityTasksAsync(CountPendingActivityTasksInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.CountPendingActivityTasks(input), cancellationToken);

    public Task<PendingTaskCount> CountPendingDecisionTasksAsync(CountPendingDecisionTasksInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.CountPendingDecisionTasks(input), cancellationToken);

    public Task DeleteActivityTypeAsync(DeleteActivityTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.DeleteActivityType(input); return true; }, cancellationToken);

    public Task DeleteWorkflowTypeAsync(DeleteWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.DeleteWorkflowType(input); return true; }, cancellationToken);

    public Task DeprecateActivityTypeAsync(DeprecateActivityTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.DeprecateActivityType(input); return true; }, cancellationToken);

    public Task DeprecateDomainAsync(DeprecateDomainInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.DeprecateDomain(input); return true; }, cancellationToken);

    public Task DeprecateWorkflowTypeAsync(DeprecateWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.DeprecateWorkflowType(input); return true; }, cancellationToken);

    public Task<ActivityTypeDetail> DescribeActivityTypeAsync(DescribeActivityTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.DescribeActivityType(input), cancellationToken);

    public Task<DomainDetail> DescribeDomainAsync(DescribeDomainInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.DescribeDomain(input), cancellationToken);

    public Task<WorkflowExecutionDetail> DescribeWorkflowExecutionAsync(DescribeWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.DescribeWorkflowExecution(input), cancellationToken);

    public Task<WorkflowTypeDetail> DescribeWorkflowTypeAsync(DescribeWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.DescribeWorkflowType(input), cancellationToken);

    public Task<History> GetWorkflowExecutionHistoryAsync(GetWorkflowExecutionHistoryInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.GetWorkflowExecutionHistory(input), cancellationToken);

    public Task<ActivityTypeInfos> ListActivityTypesAsync(ListActivityTypesInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.ListActivityTypes(input), cancellationToken);

    public Task<WorkflowExecutionInfos> ListClosedWorkflowExecutionsAsync(ListClosedWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.ListClosedWorkflowExecutions(input), cancellationToken);

    public Task<DomainInfos> ListDomainsAsync(ListDomainsInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.ListDomains(input), cancellationToken);

    public Task<WorkflowExecutionInfos> ListOpenWorkflowExecutionsAsync(ListOpenWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.ListOpenWorkflowExecutions(input), cancellationToken);

    public Task<ListTagsForResourceOutput> ListTagsForResourceAsync(ListTagsForResourceInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.ListTagsForResource(input), cancellationToken);

    public Task<WorkflowTypeInfos> ListWorkflowTypesAsync(ListWorkflowTypesInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.ListWorkflowTypes(input), cancellationToken);

    public Task<ActivityTask> PollForActivityTaskAsync(PollForActivityTaskInput input, CancellationToken cancellationToken = default) =>
        _engine.PollForActivityTaskAsync(input, cancellationToken);

    public Task<DecisionTask> PollForDecisionTaskAsync(PollForDecisionTaskInput input, CancellationToken cancellationToken = default) =>
        _engine.PollForDecisionTaskAsync(input, cancellationToken);

    public Task<ActivityTaskStatus> RecordActivityTaskHeartbeatAsync(RecordActivityTaskHeartbeatInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.RecordActivityTaskHeartbeat(input), cancellationToken);

    public Task RegisterActivityTypeAsync(RegisterActivityTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RegisterActivityType(input); return true; }, cancellationToken);

    public Task RegisterDomainAsync(RegisterDomainInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RegisterDomain(input); return true; }, cancellationToken);

    public Task RegisterWorkflowTypeAsync(RegisterWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RegisterWorkflowType(input); return true; }, cancellationToken);

    public Task RequestCancelWorkflowExecutionAsync(RequestCancelWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RequestCancelWorkflowExecution(input); return true; }, cancellationToken);

    public Task RespondActivityTaskCanceledAsync(RespondActivityTaskCanceledInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RespondActivityTaskCanceled(input); return true; }, cancellationToken);

    public Task RespondActivityTaskCompletedAsync(RespondActivityTaskCompletedInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RespondActivityTaskCompleted(input); return true; }, cancellationToken);

    public Task RespondActivityTaskFailedAsync(RespondActivityTaskFailedInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RespondActivityTaskFailed(input); return true; }, cancellationToken);

    public Task RespondDecisionTaskCompletedAsync(RespondDecisionTaskCompletedInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RespondDecisionTaskCompleted(input); return true; }, cancellationToken);

    public Task SignalWorkflowExecutionAsync(SignalWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.SignalWorkflowExecution(input); return true; }, cancellationToken);

    public Task<Run> StartWorkflowExecutionAsync(StartWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        Run(() => _engine.StartWorkflowExecution(input), cancellationToken);

    public Task TagResourceAsync(TagResourceInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.TagResource(input); return true; }, cancellationToken);

    public Task TerminateWorkflowExecutionAsync(TerminateWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.TerminateWorkflowExecution(input); return true; }, cancellationToken);

    public Task UndeprecateActivityTypeAsync(UndeprecateActivityTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.UndeprecateActivityType(input); return true; }, cancellationToken);

    public Task UndeprecateDomainAsync(UndeprecateDomainInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.UndeprecateDomain(input); return true; }, cancellationToken);

    public Task UndeprecateWorkflowTypeAsync(UndeprecateWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.UndeprecateWorkflowType(input); return true; }, cancellationToken);

    public Task UntagResourceAsync(UntagResourceInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.UntagResource(input); return true; }, cancellationToken);
}
