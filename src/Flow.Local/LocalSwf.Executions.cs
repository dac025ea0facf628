using System.Runtime.InteropServices;
using Flow.Swf;

namespace Flow.Local;

// Starting, signaling, canceling, terminating, closing, describing and listing executions.
public sealed partial class LocalSwf
{
    internal Run StartWorkflowExecution(StartWorkflowExecutionInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        Domain(input.Domain);
        var type = FindType(input.Domain, "w", input.WorkflowType.Name, input.WorkflowType.Version)
            ?? throw Faults.UnknownResource($"Unknown type: WorkflowType=[name={input.WorkflowType.Name}, version={input.WorkflowType.Version}]");
        if (type.Status == RegistrationStatus.Deprecated)
            throw Faults.TypeDeprecated(Describe(type));
        var c = type.Workflow!;
        var taskList = input.TaskList?.Name ?? c.DefaultTaskList?.Name
            ?? throw Faults.DefaultUndefined("No task list was specified and the workflow type has no default task list.");
        var esc = input.ExecutionStartToCloseTimeout ?? c.DefaultExecutionStartToCloseTimeout
            ?? throw Faults.DefaultUndefined("No executionStartToCloseTimeout was specified and the workflow type has no default.");
        var tsc = input.TaskStartToCloseTimeout ?? c.DefaultTaskStartToCloseTimeout
            ?? throw Faults.DefaultUndefined("No taskStartToCloseTimeout was specified and the workflow type has no default.");
        var policy = input.ChildPolicy ?? c.DefaultChildPolicy
            ?? throw Faults.DefaultUndefined("No childPolicy was specified and the workflow type has no default.");
        CheckExecutionTimeout(esc, "executionStartToCloseTimeout");
        CheckDuration(tsc, "taskStartToCloseTimeout");
        if (_openByWorkflowId.ContainsKey((input.Domain, input.WorkflowId)))
            throw Faults.AlreadyStarted($"Workflow execution already started: {input.WorkflowId}");
        if (OpenCount(input.Domain) >= OpenExecutionLimit)
            throw Faults.LimitExceeded($"SWF allows {OpenExecutionLimit} open executions per domain, children included.");
        var e = StartRun(new RunSpec(input.Domain, input.WorkflowId, NewRunId(), input.WorkflowType, input.Input, esc, tsc, taskList,
            input.TaskPriority ?? c.DefaultTaskPriority, policy, input.TagList, input.LambdaRole ?? c.DefaultLambdaRole));
        return new Run { RunId = e.RunId };
    });

    internal sealed record RunSpec(
        string Domain, string WorkflowId, string RunId, WorkflowType Type, string? Input, string ExecutionStartToCloseTimeout,
        string TaskStartToCloseTimeout, string TaskList, string? TaskPriority, ChildPolicy ChildPolicy, List<string>? TagList,
        string? LambdaRole, WorkflowExecution? Parent = null, long? ParentInitiatedEventId = null, string? ContinuedExecutionRunId = null);

    ExecutionState StartRun(RunSpec s)
    {
        var now = Now();
        var e = new ExecutionState
        {
            Domain = s.Domain, WorkflowId = s.WorkflowId, RunId = s.RunId,
            WorkflowType = new WorkflowType { Name = s.Type.Name, Version = s.Type.Version },
            StartTimestamp = now, Parent = s.Parent, ParentInitiatedEventId = s.ParentInitiatedEventId,
            TagList = s.TagList is null ? null : [.. s.TagList],
            ExecutionStartToCloseTimeout = s.ExecutionStartToCloseTimeout, TaskStartToCloseTimeout = s.TaskStartToCloseTimeout,
            TaskList = s.TaskList, TaskPriority = s.TaskPriority, ChildPolicy = s.ChildPolicy, LambdaRole = s.LambdaRole,
        };
        _byRunId[e.RunId] = e;
        _openByWorkflowId[(e.Domain, e.WorkflowId)] = e;
        CollectionsMarshal.GetValueRefOrAddDefault(_openCounts, e.Domain, out _)++;
        if (!_executionsByDomain.TryGetValue(e.Domain, out var list))
            _executionsByDomain[e.Domain] = list = [];
        list.Add(e);
        AddEvent(e, EventType.WorkflowExecutionStarted, ev => ev.WorkflowExecutionStartedEventAttributes = new()
        {
            Input = s.Input, ExecutionStartToCloseTimeout = s.ExecutionStartToCloseTimeout, TaskStartToCloseTimeout = s.TaskStartToCloseTimeout,
            ChildPolicy = s.ChildPolicy, TaskList = new TaskList { Name = s.TaskList }, TaskPriority = s.TaskPriority,
            WorkflowType = e.WorkflowType, TagList = e.TagList, ContinuedExecutionRunId = s.ContinuedExecutionRunId,
            ParentWorkflowExecution = s.Parent, ParentInitiatedEventId = s.ParentInitiatedEventId, LambdaRole = s.LambdaRole,
        });
        if (Duration(s.ExecutionStartToCloseTimeout) is { } d)
        {
            e.ExecutionDue = now + d;
            _dues.Enqueue(new Due(DueKind.Execution, e.RunId, null, 0, now + d), now + d);
        }
        ScheduleDecision(e);
        return e;
    }

    internal void SignalWorkflowExecution(SignalWorkflowExecutionInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var e = RequireOpen(input.Domain, input.WorkflowId, input.RunId);
        AddEvent(e, EventType.WorkflowExecutionSignaled, ev => ev.WorkflowExecutionSignaledEventAttributes = new()
        {
            SignalName = input.SignalName, Input = input.Input,
        });
        ScheduleDecision(e);
    });

    internal void RequestCancelWorkflowExecution(RequestCancelWorkflowExecutionInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var e = RequireOpen(input.Domain, input.WorkflowId, input.RunId);
        e.CancelRequested = true;
        AddEvent(e, EventType.WorkflowExecutionCancelRequested, ev => ev.WorkflowExecutionCancelRequestedEventAttributes = new());
        ScheduleDecision(e);
    });

    internal void TerminateWorkflowExecution(TerminateWorkflowExecutionInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var e = RequireOpen(input.Domain, input.WorkflowId, input.RunId);
        Terminate(e, input.Reason, input.Details, input.ChildPolicy ?? e.ChildPolicy, null);
    });

    void Terminate(ExecutionState e, string? reason, string? details, ChildPolicy policy, WorkflowExecutionTerminatedCause? cause)
    {
        AddEvent(e, EventType.WorkflowExecutionTerminated, ev => ev.WorkflowExecutionTerminatedEventAttributes = new()
        {
            Reason = reason, Details = details, ChildPolicy = policy, Cause = cause,
        });
        Close(e, CloseStatus.Terminated, policy, new CloseDetails());
    }

    internal sealed record CloseDetails(string? Result = null, string? Reason = null, string? Details = null);

    /// <summary>Closes an execution: drops its tasks and timers, applies its child policy, tells its parent.</summary>
    void Close(ExecutionState e, CloseStatus status, ChildPolicy policy, CloseDetails details, ExecutionState? continuedAs = null)
    {
        e.CloseStatus = status;
        e.CloseTimestamp = Now();
        // A closed run's history is seldom read again: its events' JSON need not be kept in memory twice.
        foreach (var ev in e.Events)
            ev.Json = null;
        _openCounts[e.Domain]--;
        if (_openByWorkflowId.TryGetValue((e.Domain, e.WorkflowId), out var current) && current == e)
            _openByWorkflowId.Remove((e.Domain, e.WorkflowId));
        if (e.DecisionNode is { } dn)
        {
            dn.List!.Remove(dn);
            e.DecisionNode = null;
        }
        foreach (var node in e.ActivityNodes.Values)
            node.List!.Remove(node);
        e.ActivityNodes.Clear();
        e.Activities.Clear();
        e.Timers.Clear();
        e.DecisionScheduledId = 0;
        e.DecisionStartedId = 0;
        e.DecisionStartToCloseDue = null;
        e.DecisionScheduleToStartDue = null;
        e.ExecutionDue = null;
        Touch(e);
        ScheduleRetention(e);

        var children = e.Children.Values.ToList();
        e.Children.Clear();
        foreach (var child in children)
        {
            if (child.RunId is null || FindOpen(e.Domain, child.WorkflowId, null) is not { } c || c.Parent?.RunId != e.RunId)
                continue;
            if (policy == ChildPolicy.Terminate)
                Terminate(c, null, null, c.ChildPolicy, WorkflowExecutionTerminatedCause.ChildPolicyApplied);
            else if (policy == ChildPolicy.RequestCancel)
            {
                c.CancelRequested = true;
                AddEvent(c, EventType.WorkflowExecutionCancelRequested, ev => ev.WorkflowExecutionCancelRequestedEventAttributes = new()
                {
                    Cause = WorkflowExecutionCancelRequestedCause.ChildPolicyApplied,
                });
                ScheduleDecision(c);
            }
        }

        if (e.Parent is not { } p || !_byRunId.TryGetValue(p.RunId, out var parent) || !parent.IsOpen
            || e.ParentInitiatedEventId is not { } initiated || !parent.Children.TryGetValue(initiated, out var entry))
            return;
        if (continuedAs is not null)
        {
            // The parent keeps waiting: its child is now the new run.
            entry.RunId = continuedAs.RunId;
            Touch(parent);
            return;
        }
        parent.Children.Remove(initiated);
        var we = new WorkflowExecution { WorkflowId = e.WorkflowId, RunId = e.RunId };
        var wt = e.WorkflowType;
        var started = entry.StartedEventId;
        switch (status)
        {
            case CloseStatus.Completed:
                AddEvent(parent, EventType.ChildWorkflowExecutionCompleted, ev => ev.ChildWorkflowExecutionCompletedEventAttributes = new()
                {
                    WorkflowExecution = we, WorkflowType = wt, Result = details.Result, InitiatedEventId = initiated, StartedEventId = started,
                });
                break;
            case CloseStatus.Failed:
                AddEvent(parent, EventType.ChildWorkflowExecutionFailed, ev => ev.ChildWorkflowExecutionFailedEventAttributes = new()
                {
                    WorkflowExecution = we, WorkflowType = wt, Reason = details.Reason, Details = details.Details,
                    InitiatedEventId = initiated, StartedEventId = started,
                });
                break;
            case CloseStatus.Canceled:
                AddEvent(parent, EventType.ChildWorkflowExecutionCanceled, ev => ev.ChildWorkflowExecutionCanceledEventAttributes = new()
                {
                    WorkflowExecution = we, WorkflowType = wt, Details = details.Details, InitiatedEventId = initiated, StartedEventId = started,
                });
                break;
            case CloseStatus.Terminated:
                AddEvent(parent, EventType.ChildWorkflowExecutionTerminated, ev => ev.ChildWorkflowExecutionTerminatedEventAttributes = new()
                {
                    WorkflowExecution = we, WorkflowType = wt, InitiatedEventId = initiated, StartedEventId = started,
                });
                break;
            case CloseStatus.TimedOut:
                AddEvent(parent, EventType.ChildWorkflowExecutionTimedOut, ev => ev.ChildWorkflowExecutionTimedOutEventAttributes = new()
                {
                    WorkflowExecution = we, WorkflowType = wt, TimeoutType = WorkflowExecutionTimeoutType.StartToClose,
                    InitiatedEventId = initiated, StartedEventId = started,
                });
                break;
        }
        ScheduleDecision(parent);
    }

    int OpenCount(string domain) => _openCounts.GetValueOrDefault(domain);

    /// <summary>A closed execution is kept for its domain's retention period, then forgotten.</summary>
    void ScheduleRetention(ExecutionState e)
    {
        if (!_domains.TryGetValue(e.Domain, out var d) || RetentionDays(d.RetentionPeriodInDays) is not { } days)
            return;
        var at = e.CloseTimestamp!.Value + TimeSpan.FromDays(days);
        _dues.Enqueue(new Due(DueKind.Retention, e.RunId, null, 0, at), at);
    }

    void Forget(ExecutionState e)
    {
        if (!_byRunId.Remove(e.RunId))
            return;
        _executionsByDomain.GetValueOrDefault(e.Domain)?.Remove(e);
        _changes.DeletedExecutions.Add(e);
    }

    internal WorkflowExecutionDetail DescribeWorkflowExecution(DescribeWorkflowExecutionInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var e = Execution(input.Domain, input.Execution);
        return new WorkflowExecutionDetail
        {
            ExecutionInfo = Info(e),
            ExecutionConfiguration = new WorkflowExecutionConfiguration
            {
                TaskStartToCloseTimeout = e.TaskStartToCloseTimeout, ExecutionStartToCloseTimeout = e.ExecutionStartToCloseTimeout,
                TaskList = new TaskList { Name = e.TaskList }, TaskPriority = e.TaskPriority, ChildPolicy = e.ChildPolicy, LambdaRole = e.LambdaRole,
            },
            OpenCounts = new WorkflowExecutionOpenCounts
            {
                OpenActivityTasks = e.Activities.Count,
                OpenDecisionTasks = e.DecisionScheduledId != 0 || e.DecisionStartedId != 0 ? 1 : 0,
                OpenTimers = e.Timers.Count,
                OpenChildWorkflowExecutions = e.Children.Count,
                OpenLambdaFunctions = e.OpenLambdaFunctions,
            },
            LatestActivityTaskTimestamp = e.LatestActivityTaskTimestamp,
            LatestExecutionContext = e.LatestExecutionContext,
        };
    });

    static WorkflowExecutionInfo Info(ExecutionState e) => new()
    {
        Execution = new WorkflowExecution { WorkflowId = e.WorkflowId, RunId = e.RunId },
        WorkflowType = e.WorkflowType,
        StartTimestamp = e.StartTimestamp,
        CloseTimestamp = e.CloseTimestamp,
        ExecutionStatus = e.IsOpen ? ExecutionStatus.Open : ExecutionStatus.Closed,
        CloseStatus = e.CloseStatus,
        Parent = e.Parent,
        TagList = e.TagList,
        CancelRequested = e.CancelRequested,
    };

    // ---- list and count ----

    sealed record ExecutionQuery(
        string Domain, bool Open, ExecutionTimeFilter? Start, ExecutionTimeFilter? CloseTime, WorkflowExecutionFilter? Execution,
        WorkflowTypeFilter? Type, TagFilter? Tag, CloseStatusFilter? Status);

    /// <summary>The executions a list or count request matches, in no order: a count needs none, a list sorts only its page.</summary>
    IEnumerable<ExecutionState> Matching(ExecutionQuery q)
    {
        Domain(q.Domain, mustBeRegistered: false);
        var exclusive = (q.Execution is null ? 0 : 1) + (q.Type is null ? 0 : 1) + (q.Tag is null ? 0 : 1) + (q.Status is null ? 0 : 1);
        if (exclusive > 1)
            throw Faults.Validation("executionFilter, typeFilter, tagFilter and closeStatusFilter are mutually exclusive: specify at most one.");
        if (!q.Open && (q.Start is null) == (q.CloseTime is null))
            throw Faults.Validation("Specify exactly one of startTimeFilter and closeTimeFilter.");
        static bool In(ExecutionTimeFilter f, DateTimeOffset t) => t >= f.OldestDate && (f.LatestDate is not { } l || t <= l);
        return (_executionsByDomain.GetValueOrDefault(q.Domain) ?? [])
            .Where(e => e.IsOpen == q.Open
                && (q.Start is null || In(q.Start, e.StartTimestamp))
                && (q.CloseTime is null || In(q.CloseTime, e.CloseTimestamp!.Value))
                && (q.Execution is null || e.WorkflowId == q.Execution.WorkflowId)
                && (q.Type is null || (e.WorkflowType.Name == q.Type.Name && (q.Type.Version is null || e.WorkflowType.Version == q.Type.Version)))
                && (q.Tag is null || (e.TagList?.Contains(q.Tag.Tag) ?? false))
                && (q.Status is null || e.CloseStatus == q.Status.Status));
    }

    // SWF lists newest first by default: by start time, or by close time when filtered by it; the run id breaks ties.
    static PageKey ByStart(ExecutionState e) => new(e.StartTimestamp.UtcTicks, e.RunId, "");

    static PageKey ByClose(ExecutionState e) => new(e.CloseTimestamp!.Value.UtcTicks, e.RunId, "");

    internal WorkflowExecutionInfos ListOpenWorkflowExecutions(ListOpenWorkflowExecutionsInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var matching = Matching(new(input.Domain, true, input.StartTimeFilter, null, input.ExecutionFilter, input.TypeFilter, input.TagFilter, null));
        var query = input.WithNextPageToken(null);
        query.MaximumPageSize = null;
        var (page, next) = Page(matching, ByStart, true, Info, input.NextPageToken, input.MaximumPageSize, input.ReverseOrder,
            nameof(ListOpenWorkflowExecutions), QueryOf(query, SwfJsonContext.Default.ListOpenWorkflowExecutionsInput));
        return new WorkflowExecutionInfos { ExecutionInfos = page, NextPageToken = next };
    });

    internal WorkflowExecutionInfos ListClosedWorkflowExecutions(ListClosedWorkflowExecutionsInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var matching = Matching(new(input.Domain, false, input.StartTimeFilter, input.CloseTimeFilter, input.ExecutionFilter, input.TypeFilter,
            input.TagFilter, input.CloseStatusFilter));
        var query = input.WithNextPageToken(null);
        query.MaximumPageSize = null;
        var (page, next) = Page(matching, input.CloseTimeFilter is null ? ByStart : ByClose, true, Info, input.NextPageToken,
            input.MaximumPageSize, input.ReverseOrder, nameof(ListClosedWorkflowExecutions),
            QueryOf(query, SwfJsonContext.Default.ListClosedWorkflowExecutionsInput));
        return new WorkflowExecutionInfos { ExecutionInfos = page, NextPageToken = next };
    });

    internal WorkflowExecutionCount CountOpenWorkflowExecutions(CountOpenWorkflowExecutionsInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var n = Matching(new(input.Domain, true, input.StartTimeFilter, null, input.ExecutionFilter, input.TypeFilter, input.TagFilter, null)).Count();
        return new WorkflowExecutionCount { Count = n, Truncated = false };
    });

    internal WorkflowExecutionCount CountClosedWorkflowExecutions(CountClosedWorkflowExecutionsInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var n = Matching(new(input.Domain, false, input.StartTimeFilter, input.CloseTimeFilter, input.ExecutionFilter, input.TypeFilter,
            input.TagFilter, input.CloseStatusFilter)).Count();
        return new WorkflowExecutionCount { Count = n, Truncated = false };
    });

    // ---- history ----

    internal History GetWorkflowExecutionHistory(GetWorkflowExecutionHistoryInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var e = Execution(input.Domain, input.Execution);
        var (events, next) = HistoryPage(e, input.NextPageToken, input.MaximumPageSize, input.ReverseOrder == true, 1, e.Events.Count, "h");
        return new History { Events = events, NextPageToken = next };
    });

    /// <summary>One page of events with ids in [first, last]; the token carries where the next page starts.</summary>
    (List<HistoryEvent> Events, string? Next) HistoryPage(
        ExecutionState e, string? token, int? maximumPageSize, bool reverse, long first, long last, string kind, params string[] extra)
    {
        long cursor = reverse ? last : first;
        if (token is not null)
        {
            var p = ReadToken(token);
            if (p is null || p.Length < 6 || p[0] != kind || p[1] != e.RunId)
                throw Faults.Validation("Invalid nextPageToken.");
            cursor = ParseLong(p[2]);
            first = ParseLong(p[3]);
            last = ParseLong(p[4]);
            reverse = p[5] == "r";
            // Every token this engine hands out points inside the history; any other was not ours.
            if (p[5] is not ("f" or "r") || first < 1 || cursor < first || cursor > last || last > e.Events.Count)
                throw Faults.Validation("Invalid nextPageToken.");
        }
        var size = maximumPageSize is null or 0 ? 1000 : maximumPageSize.Value;
        var events = new List<HistoryEvent>();
        while (events.Count < size && cursor >= first && cursor <= last && cursor <= e.Events.Count)
        {
            events.Add(e.Events[(int)cursor - 1]);
            cursor += reverse ? -1 : 1;
        }
        var more = cursor >= first && cursor <= last && cursor <= e.Events.Count;
        string? next = more ? Token([kind, e.RunId, Number(cursor), Number(first), Number(last), reverse ? "r" : "f", .. extra]) : null;
        return (events, next);
    }
}
