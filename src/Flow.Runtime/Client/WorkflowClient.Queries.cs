using System.Runtime.CompilerServices;
using System.Text.Json;
using Flow.Swf;

namespace Flow;

/// <summary>Which executions to list or count. SWF takes at most one of workflow id, type, tag and close status.</summary>
public sealed record WorkflowExecutionQuery
{
    /// <summary>Started at or after (default: the epoch, so every retained execution).</summary>
    public DateTimeOffset? StartedAfter { get; init; }
    public DateTimeOffset? StartedBefore { get; init; }

    /// <summary>Closed executions only: closed at or after / before. Set these or the start times, not both.</summary>
    public DateTimeOffset? ClosedAfter { get; init; }
    public DateTimeOffset? ClosedBefore { get; init; }

    public string? WorkflowId { get; init; }
    public string? WorkflowTypeName { get; init; }
    public string? WorkflowTypeVersion { get; init; }
    public string? Tag { get; init; }

    /// <summary>Closed executions only.</summary>
    public CloseStatus? CloseStatus { get; init; }

    /// <summary>Newest first.</summary>
    public bool ReverseOrder { get; init; }

    internal void CheckFilters(bool closed)
    {
        int filters = (WorkflowId is null ? 0 : 1) + (WorkflowTypeName is null ? 0 : 1) + (Tag is null ? 0 : 1) + (CloseStatus is null ? 0 : 1);
        if (filters > 1)
            throw new ArgumentException("SWF filters by at most one of WorkflowId, WorkflowTypeName, Tag and CloseStatus at a time.");
        if (!closed && (CloseStatus is not null || ClosedAfter is not null || ClosedBefore is not null))
            throw new ArgumentException("Open executions have no close time or close status to filter by.");
        if (closed && (ClosedAfter is not null || ClosedBefore is not null) && (StartedAfter is not null || StartedBefore is not null))
            throw new ArgumentException("SWF filters closed executions by start time or by close time, not both.");
    }

    internal ExecutionTimeFilter StartFilter() => new()
    {
        OldestDate = StartedAfter ?? DateTimeOffset.UnixEpoch,
        LatestDate = StartedBefore,
    };

    internal ExecutionTimeFilter? CloseFilter() => ClosedAfter is null && ClosedBefore is null
        ? null
        : new ExecutionTimeFilter { OldestDate = ClosedAfter ?? DateTimeOffset.UnixEpoch, LatestDate = ClosedBefore };

    internal WorkflowTypeFilter? TypeFilter() =>
        WorkflowTypeName is null ? null : new WorkflowTypeFilter { Name = WorkflowTypeName, Version = WorkflowTypeVersion };

    internal TagFilter? TagFilter() => Tag is null ? null : new TagFilter { Tag = Tag };

    internal WorkflowExecutionFilter? ExecutionFilter() => WorkflowId is null ? null : new WorkflowExecutionFilter { WorkflowId = WorkflowId };
}

public sealed partial class WorkflowClient
{
    /// <summary>Open executions, page after page.</summary>
    public async IAsyncEnumerable<WorkflowExecutionInfo> ListOpenAsync(WorkflowExecutionQuery? query = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= new WorkflowExecutionQuery();
        query.CheckFilters(closed: false);
        string? token = null;
        do
        {
            var page = await Swf.ListOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
            {
                Domain = Domain,
                StartTimeFilter = query.StartFilter(),
                TypeFilter = query.TypeFilter(),
                TagFilter = query.TagFilter(),
                ExecutionFilter = query.ExecutionFilter(),
                ReverseOrder = query.ReverseOrder ? true : null,
                NextPageToken = token,
            }, cancellationToken).ConfigureAwait(false);
            foreach (var info in page.ExecutionInfos)
                yield return info;
            token = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token));
    }

    /// <summary>Closed executions, page after page.</summary>
    public async IAsyncEnumerable<WorkflowExecutionInfo> ListClosedAsync(WorkflowExecutionQuery? query = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= new WorkflowExecutionQuery();
        query.CheckFilters(closed: true);
        var closeFilter = query.CloseFilter();
        string? token = null;
        do
        {
            var page = await Swf.ListClosedWorkflowExecutionsAsync(new ListClosedWorkflowExecutionsInput
            {
                Domain = Domain,
                StartTimeFilter = closeFilter is null ? query.StartFilter() : null,
                CloseTimeFilter = closeFilter,
                TypeFilter = query.TypeFilter(),
                TagFilter = query.TagFilter(),
                ExecutionFilter = query.ExecutionFilter(),
                CloseStatusFilter = query.CloseStatus is { } status ? new CloseStatusFilter { Status = status } : null,
                ReverseOrder = query.ReverseOrder ? true : null,
                NextPageToken = token,
            }, cancellationToken).ConfigureAwait(false);
            foreach (var info in page.ExecutionInfos)
                yield return info;
            token = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token));
    }

    public Task<WorkflowExecutionCount> CountOpenAsync(WorkflowExecutionQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new WorkflowExecutionQuery();
        query.CheckFilters(closed: false);
        return Swf.CountOpenWorkflowExecutionsAsync(new CountOpenWorkflowExecutionsInput
        {
            Domain = Domain,
            StartTimeFilter = query.StartFilter(),
            TypeFilter = query.TypeFilter(),
            TagFilter = query.TagFilter(),
            ExecutionFilter = query.ExecutionFilter(),
        }, cancellationToken);
    }

    public Task<WorkflowExecutionCount> CountClosedAsync(WorkflowExecutionQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new WorkflowExecutionQuery();
        query.CheckFilters(closed: true);
        var closeFilter = query.CloseFilter();
        return Swf.CountClosedWorkflowExecutionsAsync(new CountClosedWorkflowExecutionsInput
        {
            Domain = Domain,
            StartTimeFilter = closeFilter is null ? query.StartFilter() : null,
            CloseTimeFilter = closeFilter,
            TypeFilter = query.TypeFilter(),
            TagFilter = query.TagFilter(),
            ExecutionFilter = query.ExecutionFilter(),
            CloseStatusFilter = query.CloseStatus is { } status ? new CloseStatusFilter { Status = status } : null,
        }, cancellationToken);
    }

    /// <summary>Every event of the run, oldest first.</summary>
    public async Task<List<HistoryEvent>> GetHistoryAsync(WorkflowExecution execution, CancellationToken cancellationToken = default)
    {
        var events = new List<HistoryEvent>();
        string? token = null;
        do
        {
            var page = await Swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput
            {
                Domain = Domain,
                Execution = Copy(execution),
                MaximumPageSize = 1000,
                NextPageToken = token,
            }, cancellationToken).ConfigureAwait(false);
            events.AddRange(page.Events);
            token = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token));
        return events;
    }

    /// <summary>The run's history as JSON in GetWorkflowExecutionHistory's response shape, <c>{"events":[...]}</c>:
    /// the same document <c>aws swf get-workflow-execution-history</c> prints, so either feeds the replayer.</summary>
    public async Task<string> GetHistoryJsonAsync(WorkflowExecution execution, CancellationToken cancellationToken = default)
    {
        var history = new History { Events = await GetHistoryAsync(execution, cancellationToken).ConfigureAwait(false) };
        return JsonSerializer.Serialize(history, SwfJsonContext.Default.History);
    }

    /// <summary>Writes <see cref="GetHistoryJsonAsync"/>'s document to a stream.</summary>
    public async Task WriteHistoryJsonAsync(WorkflowExecution execution, Stream destination, CancellationToken cancellationToken = default)
    {
        var history = new History { Events = await GetHistoryAsync(execution, cancellationToken).ConfigureAwait(false) };
        await JsonSerializer.SerializeAsync(destination, history, SwfJsonContext.Default.History, cancellationToken).ConfigureAwait(false);
    }
}
