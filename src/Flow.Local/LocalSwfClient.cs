using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Flow.Swf;

namespace Flow.Local;

/// <summary>An <see cref="ISwfClient"/> that calls a <see cref="LocalSwf"/> engine in process: same inputs,
/// outputs and faults as SWF, without HTTP. Inputs and outputs pass through SWF's JSON shapes, as over the
/// wire, so neither side ever holds an object the other can still change.</summary>
public sealed class LocalSwfClient : ISwfClient
{
    readonly LocalSwf _engine;
    readonly bool _copy;
    readonly bool _awaitCommits;

    public LocalSwfClient(LocalSwf engine)
        : this(engine, copy: true, awaitCommits: false)
    {
    }

    /// <summary>Without copies, for a caller that already holds its own copy of every input and only
    /// serialises each output (the HTTP front): there the JSON round trips would be pure cost. With
    /// <paramref name="awaitCommits"/>, a call's task completes once the store's own committer has saved it, instead
    /// of the calling thread committing: for a server with many calls at once. Without it (in process), a call that
    /// needs no waiting completes before it returns, which tests on a fake clock rely on.</summary>
    internal LocalSwfClient(LocalSwf engine, bool copy, bool awaitCommits)
    {
        _engine = engine;
        _copy = copy;
        _awaitCommits = awaitCommits;
    }

    T Clone<T>(T value, JsonTypeInfo<T> info) => _copy ? JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(value, info), info)! : value;

    Task<T> Run<T>(Func<T> call, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<T>(cancellationToken);
        if (_awaitCommits)
            return _engine.CallAsync(call);
        try
        {
            return Task.FromResult(call());
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    /// <summary>A poll: its synchronous part (which may hand out a task, a change to save) under the same rule.</summary>
    async Task<T> Poll<T>(Func<Task<T>> poll) =>
        await (_awaitCommits ? await _engine.CallAsync(poll).ConfigureAwait(false) : poll()).ConfigureAwait(false);

    public Task<WorkflowExecutionCount> CountClosedWorkflowExecutionsAsync(CountClosedWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.CountClosedWorkflowExecutions(Clone(input, SwfJsonContext.Default.CountClosedWorkflowExecutionsInput)), SwfJsonContext.Default.WorkflowExecutionCount), cancellationToken);

    public Task<WorkflowExecutionCount> CountOpenWorkflowExecutionsAsync(CountOpenWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.CountOpenWorkflowExecutions(Clone(input, SwfJsonContext.Default.CountOpenWorkflowExecutionsInput)), SwfJsonContext.Default.WorkflowExecutionCount), cancellationToken);

    public Task<PendingTaskCount> CountPendingActivityTasksAsync(CountPendingActivityTasksInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.CountPendingActivityTasks(Clone(input, SwfJsonContext.Default.CountPendingActivityTasksInput)), SwfJsonContext.Default.PendingTaskCount), cancellationToken);

    public Task<PendingTaskCount> CountPendingDecisionTasksAsync(CountPendingDecisionTasksInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.CountPendingDecisionTasks(Clone(input, SwfJsonContext.Default.CountPendingDecisionTasksInput)), SwfJsonContext.Default.PendingTaskCount), cancellationToken);

    public Task DeleteActivityTypeAsync(DeleteActivityTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.DeleteActivityType(Clone(input, SwfJsonContext.Default.DeleteActivityTypeInput)); return true; }, cancellationToken);

    public Task DeleteWorkflowTypeAsync(DeleteWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.DeleteWorkflowType(Clone(input, SwfJsonContext.Default.DeleteWorkflowTypeInput)); return true; }, cancellationToken);

    public Task DeprecateActivityTypeAsync(DeprecateActivityTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.DeprecateActivityType(Clone(input, SwfJsonContext.Default.DeprecateActivityTypeInput)); return true; }, cancellationToken);

    public Task DeprecateDomainAsync(DeprecateDomainInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.DeprecateDomain(Clone(input, SwfJsonContext.Default.DeprecateDomainInput)); return true; }, cancellationToken);

    public Task DeprecateWorkflowTypeAsync(DeprecateWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.DeprecateWorkflowType(Clone(input, SwfJsonContext.Default.DeprecateWorkflowTypeInput)); return true; }, cancellationToken);

    public Task<ActivityTypeDetail> DescribeActivityTypeAsync(DescribeActivityTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.DescribeActivityType(Clone(input, SwfJsonContext.Default.DescribeActivityTypeInput)), SwfJsonContext.Default.ActivityTypeDetail), cancellationToken);

    public Task<DomainDetail> DescribeDomainAsync(DescribeDomainInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.DescribeDomain(Clone(input, SwfJsonContext.Default.DescribeDomainInput)), SwfJsonContext.Default.DomainDetail), cancellationToken);

    public Task<WorkflowExecutionDetail> DescribeWorkflowExecutionAsync(DescribeWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.DescribeWorkflowExecution(Clone(input, SwfJsonContext.Default.DescribeWorkflowExecutionInput)), SwfJsonContext.Default.WorkflowExecutionDetail), cancellationToken);

    public Task<WorkflowTypeDetail> DescribeWorkflowTypeAsync(DescribeWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.DescribeWorkflowType(Clone(input, SwfJsonContext.Default.DescribeWorkflowTypeInput)), SwfJsonContext.Default.WorkflowTypeDetail), cancellationToken);

    public Task<History> GetWorkflowExecutionHistoryAsync(GetWorkflowExecutionHistoryInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.GetWorkflowExecutionHistory(Clone(input, SwfJsonContext.Default.GetWorkflowExecutionHistoryInput)), SwfJsonContext.Default.History), cancellationToken);

    public Task<ActivityTypeInfos> ListActivityTypesAsync(ListActivityTypesInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.ListActivityTypes(Clone(input, SwfJsonContext.Default.ListActivityTypesInput)), SwfJsonContext.Default.ActivityTypeInfos), cancellationToken);

    public Task<WorkflowExecutionInfos> ListClosedWorkflowExecutionsAsync(ListClosedWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.ListClosedWorkflowExecutions(Clone(input, SwfJsonContext.Default.ListClosedWorkflowExecutionsInput)), SwfJsonContext.Default.WorkflowExecutionInfos), cancellationToken);

    public Task<DomainInfos> ListDomainsAsync(ListDomainsInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.ListDomains(Clone(input, SwfJsonContext.Default.ListDomainsInput)), SwfJsonContext.Default.DomainInfos), cancellationToken);

    public Task<WorkflowExecutionInfos> ListOpenWorkflowExecutionsAsync(ListOpenWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.ListOpenWorkflowExecutions(Clone(input, SwfJsonContext.Default.ListOpenWorkflowExecutionsInput)), SwfJsonContext.Default.WorkflowExecutionInfos), cancellationToken);

    public Task<ListTagsForResourceOutput> ListTagsForResourceAsync(ListTagsForResourceInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.ListTagsForResource(Clone(input, SwfJsonContext.Default.ListTagsForResourceInput)), SwfJsonContext.Default.ListTagsForResourceOutput), cancellationToken);

    public Task<WorkflowTypeInfos> ListWorkflowTypesAsync(ListWorkflowTypesInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.ListWorkflowTypes(Clone(input, SwfJsonContext.Default.ListWorkflowTypesInput)), SwfJsonContext.Default.WorkflowTypeInfos), cancellationToken);

    public async Task<ActivityTask> PollForActivityTaskAsync(PollForActivityTaskInput input, CancellationToken cancellationToken = default) =>
        Clone(await Poll(() => _engine.PollForActivityTaskAsync(Clone(input, SwfJsonContext.Default.PollForActivityTaskInput), cancellationToken)).ConfigureAwait(false), SwfJsonContext.Default.ActivityTask);

    public async Task<DecisionTask> PollForDecisionTaskAsync(PollForDecisionTaskInput input, CancellationToken cancellationToken = default) =>
        Clone(await Poll(() => _engine.PollForDecisionTaskAsync(Clone(input, SwfJsonContext.Default.PollForDecisionTaskInput), cancellationToken)).ConfigureAwait(false), SwfJsonContext.Default.DecisionTask);

    public Task<ActivityTaskStatus> RecordActivityTaskHeartbeatAsync(RecordActivityTaskHeartbeatInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.RecordActivityTaskHeartbeat(Clone(input, SwfJsonContext.Default.RecordActivityTaskHeartbeatInput)), SwfJsonContext.Default.ActivityTaskStatus), cancellationToken);

    public Task RegisterActivityTypeAsync(RegisterActivityTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RegisterActivityType(Clone(input, SwfJsonContext.Default.RegisterActivityTypeInput)); return true; }, cancellationToken);

    public Task RegisterDomainAsync(RegisterDomainInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RegisterDomain(Clone(input, SwfJsonContext.Default.RegisterDomainInput)); return true; }, cancellationToken);

    public Task RegisterWorkflowTypeAsync(RegisterWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RegisterWorkflowType(Clone(input, SwfJsonContext.Default.RegisterWorkflowTypeInput)); return true; }, cancellationToken);

    public Task RequestCancelWorkflowExecutionAsync(RequestCancelWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RequestCancelWorkflowExecution(Clone(input, SwfJsonContext.Default.RequestCancelWorkflowExecutionInput)); return true; }, cancellationToken);

    public Task RespondActivityTaskCanceledAsync(RespondActivityTaskCanceledInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RespondActivityTaskCanceled(Clone(input, SwfJsonContext.Default.RespondActivityTaskCanceledInput)); return true; }, cancellationToken);

    public Task RespondActivityTaskCompletedAsync(RespondActivityTaskCompletedInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RespondActivityTaskCompleted(Clone(input, SwfJsonContext.Default.RespondActivityTaskCompletedInput)); return true; }, cancellationToken);

    public Task RespondActivityTaskFailedAsync(RespondActivityTaskFailedInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RespondActivityTaskFailed(Clone(input, SwfJsonContext.Default.RespondActivityTaskFailedInput)); return true; }, cancellationToken);

    public Task RespondDecisionTaskCompletedAsync(RespondDecisionTaskCompletedInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.RespondDecisionTaskCompleted(Clone(input, SwfJsonContext.Default.RespondDecisionTaskCompletedInput)); return true; }, cancellationToken);

    public Task SignalWorkflowExecutionAsync(SignalWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.SignalWorkflowExecution(Clone(input, SwfJsonContext.Default.SignalWorkflowExecutionInput)); return true; }, cancellationToken);

    public Task<Run> StartWorkflowExecutionAsync(StartWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        Run(() => Clone(_engine.StartWorkflowExecution(Clone(input, SwfJsonContext.Default.StartWorkflowExecutionInput)), SwfJsonContext.Default.Run), cancellationToken);

    public Task TagResourceAsync(TagResourceInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.TagResource(Clone(input, SwfJsonContext.Default.TagResourceInput)); return true; }, cancellationToken);

    public Task TerminateWorkflowExecutionAsync(TerminateWorkflowExecutionInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.TerminateWorkflowExecution(Clone(input, SwfJsonContext.Default.TerminateWorkflowExecutionInput)); return true; }, cancellationToken);

    public Task UndeprecateActivityTypeAsync(UndeprecateActivityTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.UndeprecateActivityType(Clone(input, SwfJsonContext.Default.UndeprecateActivityTypeInput)); return true; }, cancellationToken);

    public Task UndeprecateDomainAsync(UndeprecateDomainInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.UndeprecateDomain(Clone(input, SwfJsonContext.Default.UndeprecateDomainInput)); return true; }, cancellationToken);

    public Task UndeprecateWorkflowTypeAsync(UndeprecateWorkflowTypeInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.UndeprecateWorkflowType(Clone(input, SwfJsonContext.Default.UndeprecateWorkflowTypeInput)); return true; }, cancellationToken);

    public Task UntagResourceAsync(UntagResourceInput input, CancellationToken cancellationToken = default) =>
        Run(() => { _engine.UntagResource(Clone(input, SwfJsonContext.Default.UntagResourceInput)); return true; }, cancellationToken);
}
