using System.Runtime.CompilerServices;

namespace Flow.Swf;

/// <summary>
/// Follows SWF's nextPageToken for the paged operations, over any <see cref="ISwfClient"/> (the wire
/// client or the local engine). Filters, page size, reverseOrder and startAtPreviousStartedEvent are
/// taken from the input as given; the caller's input object is never changed.
/// </summary>
public static class SwfPaging
{
    /// <summary>Every event of a workflow execution's history, page by page (newest first with reverseOrder).</summary>
    public static IAsyncEnumerable<HistoryEvent> GetWorkflowExecutionHistoryEventsAsync(
        this ISwfClient client, GetWorkflowExecutionHistoryInput input, CancellationToken cancellationToken = default) =>
        Items(client, input, static (c, i, ct) => c.GetWorkflowExecutionHistoryAsync(i, ct), static (i, t) => i.WithNextPageToken(t),
            static p => (p.Events, p.NextPageToken), cancellationToken);

    /// <summary>Every domain with the given registration status.</summary>
    public static IAsyncEnumerable<DomainInfo> ListAllDomainsAsync(
        this ISwfClient client, ListDomainsInput input, CancellationToken cancellationToken = default) =>
        Items(client, input, static (c, i, ct) => c.ListDomainsAsync(i, ct), static (i, t) => i.WithNextPageToken(t),
            static p => (p.Items, p.NextPageToken), cancellationToken);

    /// <summary>Every activity type in a domain that matches the input's name and status.</summary>
    public static IAsyncEnumerable<ActivityTypeInfo> ListAllActivityTypesAsync(
        this ISwfClient client, ListActivityTypesInput input, CancellationToken cancellationToken = default) =>
        Items(client, input, static (c, i, ct) => c.ListActivityTypesAsync(i, ct), static (i, t) => i.WithNextPageToken(t),
            static p => (p.TypeInfos, p.NextPageToken), cancellationToken);

    /// <summary>Every workflow type in a domain that matches the input's name and status.</summary>
    public static IAsyncEnumerable<WorkflowTypeInfo> ListAllWorkflowTypesAsync(
        this ISwfClient client, ListWorkflowTypesInput input, CancellationToken cancellationToken = default) =>
        Items(client, input, static (c, i, ct) => c.ListWorkflowTypesAsync(i, ct), static (i, t) => i.WithNextPageToken(t),
            static p => (p.TypeInfos, p.NextPageToken), cancellationToken);

    /// <summary>Every open workflow execution that matches the input's filters.</summary>
    public static IAsyncEnumerable<WorkflowExecutionInfo> ListAllOpenWorkflowExecutionsAsync(
        this ISwfClient client, ListOpenWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        Items(client, input, static (c, i, ct) => c.ListOpenWorkflowExecutionsAsync(i, ct), static (i, t) => i.WithNextPageToken(t),
            static p => (p.ExecutionInfos, p.NextPageToken), cancellationToken);

    /// <summary>Every closed workflow execution that matches the input's filters.</summary>
    public static IAsyncEnumerable<WorkflowExecutionInfo> ListAllClosedWorkflowExecutionsAsync(
        this ISwfClient client, ListClosedWorkflowExecutionsInput input, CancellationToken cancellationToken = default) =>
        Items(client, input, static (c, i, ct) => c.ListClosedWorkflowExecutionsAsync(i, ct), static (i, t) => i.WithNextPageToken(t),
            static p => (p.ExecutionInfos, p.NextPageToken), cancellationToken);

    /// <summary>
    /// Polls once for a decision task and yields its pages: the task as polled, then each further page
    /// of its history (SWF returns those when PollForDecisionTask is repeated with the same input and
    /// the nextPageToken). Yields nothing when the poll ends without a task.
    /// </summary>
    public static async IAsyncEnumerable<DecisionTask> PollForDecisionTaskPagesAsync(
        this ISwfClient client, PollForDecisionTaskInput input, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(input);
        var task = await client.PollForDecisionTaskAsync(input, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(task.TaskToken))
            yield break;
        yield return task;
        await foreach (var page in client.GetFollowingDecisionTaskPagesAsync(input, task, cancellationToken).ConfigureAwait(false))
            yield return page;
    }

    /// <summary>All events of a polled decision task: those of <paramref name="firstPage"/>, then those of
    /// each further page, fetched with <paramref name="input"/> (the input the task was polled with).</summary>
    public static async IAsyncEnumerable<HistoryEvent> GetDecisionTaskEventsAsync(
        this ISwfClient client, PollForDecisionTaskInput input, DecisionTask firstPage,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(firstPage);
        foreach (var e in firstPage.Events)
            yield return e;
        await foreach (var page in client.GetFollowingDecisionTaskPagesAsync(input, firstPage, cancellationToken).ConfigureAwait(false))
        {
            foreach (var e in page.Events)
                yield return e;
        }
    }

    private static async IAsyncEnumerable<DecisionTask> GetFollowingDecisionTaskPagesAsync(
        this ISwfClient client, PollForDecisionTaskInput input, DecisionTask firstPage,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(input);
        string? token = firstPage.NextPageToken;
        while (!string.IsNullOrEmpty(token))
        {
            var page = await client.PollForDecisionTaskAsync(input.WithNextPageToken(token), cancellationToken).ConfigureAwait(false);
            yield return page;
            token = page.NextPageToken;
        }
    }

    private static async IAsyncEnumerable<TItem> Items<TInput, TPage, TItem>(
        ISwfClient client, TInput input,
        Func<ISwfClient, TInput, CancellationToken, Task<TPage>> call,
        Func<TInput, string?, TInput> withToken,
        Func<TPage, (List<TItem>? Items, string? NextPageToken)> split,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TInput : class
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(input);
        var request = input;
        while (true)
        {
            var (items, next) = split(await call(client, request, cancellationToken).ConfigureAwait(false));
            if (items is not null)
            {
                foreach (var item in items)
                    yield return item;
            }
            if (string.IsNullOrEmpty(next))
                yield break;
            request = withToken(input, next);
        }
    }
}
