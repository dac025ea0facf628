using Flow.Swf;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

/// <summary>Every paged list resumes after the last item it returned: however the collection changes between pages, no
/// item that still matches is listed twice or left out.</summary>
public class PagingTests
{
    public enum Listing { Domains, ActivityTypes, WorkflowTypes, OpenExecutions, ClosedExecutions }

    Harness _h = null!;
    DateTimeOffset _t0;
    readonly Dictionary<string, DateTimeOffset> _closedAt = [];
    int _added;

    [SetUp]
    public void SetUp()
    {
        _h = new Harness();
        _t0 = _h.Time.GetUtcNow();
        _closedAt.Clear();
        _added = 0;
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test, Combinatorial]
    public void Items_listed_and_then_gone_from_the_list_make_the_next_page_skip_nothing(
        [Values] Listing listing, [Values(false, true)] bool reverse)
    {
        Make(listing, reverse);
        var expected = All(listing, reverse);
        var seen = new List<string>();
        string? token = null;
        do
        {
            var (items, next) = Page(listing, reverse, token);
            seen.AddRange(items);
            foreach (var item in items)
                Remove(listing, item);
            token = next;
        }
        while (token is not null);
        Assert.That(seen, Is.EqualTo(expected));
    }

    [Test, Combinatorial]
    public void Items_added_between_pages_make_the_next_page_repeat_nothing(
        [Values] Listing listing, [Values(false, true)] bool reverse)
    {
        Make(listing, reverse);
        var expected = All(listing, reverse);
        var seen = new List<string>();
        string? token = null;
        do
        {
            var (items, next) = Page(listing, reverse, token);
            seen.AddRange(items);
            Add(listing, reverse);
            token = next;
        }
        while (token is not null);
        Assert.That(seen, Is.Unique);
        Assert.That(seen.Where(expected.Contains), Is.EqualTo(expected));
    }

    [Test]
    public void Listing_open_executions_and_terminating_each_page_terminates_them_all()
    {
        for (var i = 0; i < 6; i++)
        {
            _h.Advance(TimeSpan.FromSeconds(1));
            _h.Start($"wf-{i}");
        }
        string? token = null;
        do
        {
            var page = Run(_h.Swf.ListOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
            {
                Domain = Domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = _t0 }, MaximumPageSize = 2, NextPageToken = token,
            }));
            foreach (var info in page.ExecutionInfos)
                Run(_h.Swf.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = Domain, WorkflowId = info.Execution.WorkflowId }));
            token = page.NextPageToken;
        }
        while (token is not null);
        Assert.That(Run(_h.Swf.CountOpenWorkflowExecutionsAsync(new CountOpenWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = _t0 },
        })).Count, Is.Zero);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void History_pages_continue_at_the_next_event_when_events_are_added_between_pages(bool reverse)
    {
        var wf = _h.Start();
        for (var i = 0; i < 4; i++)
            Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "s" }));
        var first = _h.History(wf).Count;
        var ids = new List<long>();
        string? token = null;
        do
        {
            var page = Run(_h.Swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput
            {
                Domain = Domain, Execution = wf, MaximumPageSize = 2, ReverseOrder = reverse, NextPageToken = token,
            }));
            ids.AddRange(page.Events.Select(e => e.EventId));
            Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "s" }));
            token = page.NextPageToken;
        }
        while (token is not null);
        var inOrder = reverse ? Enumerable.Reverse(ids).ToList() : ids;
        Assert.That(inOrder, Is.EqualTo(Enumerable.Range(1, inOrder.Count).Select(i => (long)i)), "every event once, none skipped");
        Assert.That(inOrder, Has.Count.GreaterThanOrEqualTo(first));
    }

    // ---- six items of each kind, and ways to take one out of the list or put a new one before the cursor ----

    void Make(Listing listing, bool reverse)
    {
        for (var i = 0; i < 6; i++)
        {
            switch (listing)
            {
                case Listing.Domains:
                    Run(_h.Swf.RegisterDomainAsync(new RegisterDomainInput { Name = $"p{i}", WorkflowExecutionRetentionPeriodInDays = "1" }));
                    break;
                case Listing.ActivityTypes:
                    Run(_h.Swf.RegisterActivityTypeAsync(new RegisterActivityTypeInput { Domain = Domain, Name = "Paged", Version = $"v{i}" }));
                    break;
                case Listing.WorkflowTypes:
                    Run(_h.Swf.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput { Domain = Domain, Name = "Paged", Version = $"v{i}" }));
                    break;
                default:
                    _h.Advance(TimeSpan.FromSeconds(1));
                    _h.Start($"wf-{i}");
                    break;
            }
        }
        if (listing != Listing.ClosedExecutions)
            return;
        // Closed in the order they are listed, a second apart, so retention forgets them in that order too.
        var order = Run(_h.Swf.ListOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = _t0 }, ReverseOrder = reverse,
        })).ExecutionInfos.Select(i => i.Execution.WorkflowId).ToList();
        foreach (var id in order)
        {
            _h.Advance(TimeSpan.FromSeconds(1));
            Run(_h.Swf.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = Domain, WorkflowId = id }));
            _closedAt[id] = _h.Time.GetUtcNow();
        }
    }

    List<string> All(Listing listing, bool reverse)
    {
        var (items, next) = Page(listing, reverse, null, size: 1000);
        Assert.That(next, Is.Null);
        Assert.That(items, Has.Count.GreaterThanOrEqualTo(6));
        return items;
    }

    (List<string> Items, string? Next) Page(Listing listing, bool reverse, string? token, int size = 2)
    {
        var since = new ExecutionTimeFilter { OldestDate = _t0 };
        switch (listing)
        {
            case Listing.Domains:
                var d = Run(_h.Swf.ListDomainsAsync(new ListDomainsInput
                {
                    RegistrationStatus = RegistrationStatus.Registered, MaximumPageSize = size, ReverseOrder = reverse, NextPageToken = token,
                }));
                return ([.. d.Items.Select(i => i.Name)], d.NextPageToken);
            case Listing.ActivityTypes:
                var a = Run(_h.Swf.ListActivityTypesAsync(new ListActivityTypesInput
                {
                    Domain = Domain, Name = "Paged", RegistrationStatus = RegistrationStatus.Registered, MaximumPageSize = size,
                    ReverseOrder = reverse, NextPageToken = token,
                }));
                return ([.. a.TypeInfos.Select(i => i.ActivityType.Version)], a.NextPageToken);
            case Listing.WorkflowTypes:
                var w = Run(_h.Swf.ListWorkflowTypesAsync(new ListWorkflowTypesInput
                {
                    Domain = Domain, Name = "Paged", RegistrationStatus = RegistrationStatus.Registered, MaximumPageSize = size,
                    ReverseOrder = reverse, NextPageToken = token,
                }));
                return ([.. w.TypeInfos.Select(i => i.WorkflowType.Version)], w.NextPageToken);
            case Listing.OpenExecutions:
                var o = Run(_h.Swf.ListOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
                {
                    Domain = Domain, StartTimeFilter = since, MaximumPageSize = size, ReverseOrder = reverse, NextPageToken = token,
                }));
                return ([.. o.ExecutionInfos.Select(i => i.Execution.WorkflowId)], o.NextPageToken);
            default:
                var c = Run(_h.Swf.ListClosedWorkflowExecutionsAsync(new ListClosedWorkflowExecutionsInput
                {
                    Domain = Domain, StartTimeFilter = since, MaximumPageSize = size, ReverseOrder = reverse, NextPageToken = token,
                }));
                return ([.. c.ExecutionInfos.Select(i => i.Execution.WorkflowId)], c.NextPageToken);
        }
    }

    /// <summary>Takes a listed item out of the list: deprecated, terminated, or (closed) forgotten by retention.</summary>
    void Remove(Listing listing, string item)
    {
        switch (listing)
        {
            case Listing.Domains:
                Run(_h.Swf.DeprecateDomainAsync(new DeprecateDomainInput { Name = item }));
                break;
            case Listing.ActivityTypes:
                Run(_h.Swf.DeprecateActivityTypeAsync(new DeprecateActivityTypeInput
                {
                    Domain = Domain, ActivityType = new ActivityType { Name = "Paged", Version = item },
                }));
                break;
            case Listing.WorkflowTypes:
                Run(_h.Swf.DeprecateWorkflowTypeAsync(new DeprecateWorkflowTypeInput
                {
                    Domain = Domain, WorkflowType = new WorkflowType { Name = "Paged", Version = item },
                }));
                break;
            case Listing.OpenExecutions:
                Run(_h.Swf.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = Domain, WorkflowId = item }));
                break;
            default:
                // The domain keeps closed executions one day.
                var forgotten = _closedAt[item] + TimeSpan.FromDays(1);
                if (forgotten > _h.Time.GetUtcNow())
                    _h.Advance(forgotten - _h.Time.GetUtcNow());
                break;
        }
    }

    /// <summary>Adds an item that sorts before the cursor where it can (executions start newest, so in reverse order
    /// they come at the end).</summary>
    void Add(Listing listing, bool reverse)
    {
        var n = _added++;
        var name = reverse ? $"z{n}" : $"a{n}";
        switch (listing)
        {
            case Listing.Domains:
                Run(_h.Swf.RegisterDomainAsync(new RegisterDomainInput { Name = name, WorkflowExecutionRetentionPeriodInDays = "1" }));
                break;
            case Listing.ActivityTypes:
                Run(_h.Swf.RegisterActivityTypeAsync(new RegisterActivityTypeInput { Domain = Domain, Name = "Paged", Version = name }));
                break;
            case Listing.WorkflowTypes:
                Run(_h.Swf.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput { Domain = Domain, Name = "Paged", Version = name }));
                break;
            case Listing.OpenExecutions:
                _h.Advance(TimeSpan.FromSeconds(1));
                _h.Start($"new-{n}");
                break;
            default:
                _h.Advance(TimeSpan.FromSeconds(1));
                _h.Start($"new-{n}");
                Run(_h.Swf.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = Domain, WorkflowId = $"new-{n}" }));
                break;
        }
    }
}
