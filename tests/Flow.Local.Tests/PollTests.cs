using Flow.Swf;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

public class PollTests
{
    Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    Task<DecisionTask> PollDecisions() =>
        _h.Swf.PollForDecisionTaskAsync(new PollForDecisionTaskInput { Domain = Domain, TaskList = new TaskList { Name = Decisions } });

    Task<ActivityTask> PollActivities() =>
        _h.Swf.PollForActivityTaskAsync(new PollForActivityTaskInput { Domain = Domain, TaskList = new TaskList { Name = ActivityList } });

    [Test]
    public async Task A_waiting_poll_is_released_when_a_task_arrives()
    {
        var poll = PollDecisions();
        Assert.That(poll.IsCompleted, Is.False);
        var wf = _h.Start();
        var task = await poll.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(task.WorkflowExecution.RunId, Is.EqualTo(wf.RunId));
        Assert.That(task.TaskToken, Is.Not.Empty);
    }

    [Test]
    public async Task An_empty_poll_answers_with_an_empty_task_after_the_hold()
    {
        var decisions = PollDecisions();
        var activities = PollActivities();
        _h.Advance(TimeSpan.FromSeconds(59));
        Assert.That(decisions.IsCompleted || activities.IsCompleted, Is.False);
        _h.Advance(TimeSpan.FromSeconds(1));
        var d = await decisions.WaitAsync(TimeSpan.FromSeconds(10));
        var a = await activities.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That((d.TaskToken, d.StartedEventId, d.Events.Count), Is.EqualTo(("", 0L, 0)));
        Assert.That(a.TaskToken, Is.Empty);
    }

    [Test]
    public async Task Concurrent_pollers_get_distinct_tasks()
    {
        var polls = Enumerable.Range(0, 5).Select(_ => PollActivities()).ToList();
        _h.Start();
        _h.Decide(_h.PollDecision(), [.. Enumerable.Range(0, 5).Select(i => ScheduleActivity($"a{i}"))]);
        var tasks = await Task.WhenAll(polls).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(tasks.Select(t => t.ActivityId).Distinct().Count(), Is.EqualTo(5));
    }

    [Test]
    public async Task Pollers_on_threads_never_share_a_task()
    {
        for (var i = 0; i < 50; i++)
            _h.Start($"wf-{i}");
        using var cts = new CancellationTokenSource();
        var polls = Enumerable.Range(0, 60).Select(_ => Task.Run(() =>
            _h.Swf.PollForDecisionTaskAsync(new PollForDecisionTaskInput { Domain = Domain, TaskList = new TaskList { Name = Decisions } }, cts.Token))).ToList();
        // Ten polls find nothing and wait; end them once the fifty tasks are handed out.
        while (polls.Count(p => p.IsCompletedSuccessfully) < 50)
            await Task.Delay(1);
        cts.Cancel();
        await Task.WhenAll(polls).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(10));
        var real = polls.Where(p => p.IsCompletedSuccessfully).Select(p => p.Result).ToList();
        Assert.That(real, Has.Count.EqualTo(50));
        Assert.That(real.Select(t => t.WorkflowExecution.WorkflowId).Distinct().Count(), Is.EqualTo(50));
        Assert.That(polls.Count(p => p.IsCanceled), Is.EqualTo(10));
    }

    [Test]
    public void A_canceled_poll_ends_canceled_and_gets_no_task()
    {
        using var cts = new CancellationTokenSource();
        var poll = PollActivities();
        var canceled = _h.Swf.PollForActivityTaskAsync(new PollForActivityTaskInput { Domain = Domain, TaskList = new TaskList { Name = "other" } }, cts.Token);
        cts.Cancel();
        Assert.That(() => canceled.GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(poll.IsCompleted, Is.False);
    }

    [Test]
    public void Higher_priority_activity_tasks_are_handed_out_first()
    {
        _h.Start();
        _h.Decide(_h.PollDecision(), ScheduleActivity("low"), ScheduleActivity("high", configure: a => a.TaskPriority = "5"));
        Assert.That(_h.PollActivity().ActivityId, Is.EqualTo("high"));
        Assert.That(_h.PollActivity().ActivityId, Is.EqualTo("low"));
    }

    [Test]
    public void Pending_task_counts_follow_the_task_lists()
    {
        _h.Start("a");
        _h.Start("b");
        Assert.That(Run(_h.Swf.CountPendingDecisionTasksAsync(new CountPendingDecisionTasksInput { Domain = Domain, TaskList = new TaskList { Name = Decisions } })).Count,
            Is.EqualTo(2));
        _h.PollDecision();
        Assert.That(Run(_h.Swf.CountPendingDecisionTasksAsync(new CountPendingDecisionTasksInput { Domain = Domain, TaskList = new TaskList { Name = Decisions } })).Count,
            Is.EqualTo(1));
    }

    [Test]
    public void Polling_an_unknown_domain_is_an_unknown_resource()
    {
        Assert.That(() => Run(_h.Swf.PollForDecisionTaskAsync(new PollForDecisionTaskInput { Domain = "nope", TaskList = new TaskList { Name = "x" } })),
            Throws.TypeOf<UnknownResourceException>());
    }

    [Test]
    public void A_decision_tasks_history_comes_in_pages_and_can_start_at_the_previous_started_event()
    {
        var wf = _h.Start();
        for (var i = 0; i < 3; i++)
        {
            var d = _h.PollDecision();
            _h.Decide(d, StartTimer($"t{i}", "1"));
            _h.Advance(TimeSpan.FromSeconds(1));
        }
        var first = _h.PollDecision(configure: p => p.MaximumPageSize = 4);
        Assert.That(first.Events.Select(e => e.EventId), Is.EqualTo(new long[] { 1, 2, 3, 4 }));
        var all = first.Events.ToList();
        var token = first.NextPageToken;
        while (token is not null)
        {
            var page = Run(_h.Swf.PollForDecisionTaskAsync(new PollForDecisionTaskInput
            {
                Domain = Domain, TaskList = new TaskList { Name = Decisions }, NextPageToken = token, MaximumPageSize = 4,
            }));
            Assert.That(page.TaskToken, Is.EqualTo(first.TaskToken));
            all.AddRange(page.Events);
            token = page.NextPageToken;
        }
        Assert.That(all.Select(e => e.EventId), Is.EqualTo(Enumerable.Range(1, (int)first.StartedEventId).Select(i => (long)i)));
        _h.Decide(first, StartTimer("t9", "1"));
        _h.Advance(TimeSpan.FromSeconds(1));

        var next = _h.PollDecision(configure: p => p.StartAtPreviousStartedEvent = true);
        Assert.That(next.PreviousStartedEventId, Is.EqualTo(first.StartedEventId));
        Assert.That(next.Events.First().EventId, Is.EqualTo(first.StartedEventId));
        Assert.That(next.Events.Last().EventId, Is.EqualTo(next.StartedEventId));

        var reversed = Run(_h.Swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput
        {
            Domain = Domain, Execution = wf, ReverseOrder = true, MaximumPageSize = 2,
        }));
        Assert.That(reversed.Events.Select(e => e.EventId), Is.EqualTo(new[] { next.StartedEventId, next.StartedEventId - 1 }));
        Assert.That(reversed.NextPageToken, Is.Not.Null);
        var descending = reversed.Events.Select(e => e.EventId).ToList();
        for (var token2 = reversed.NextPageToken; token2 is not null;)
        {
            var page = Run(_h.Swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput
            {
                Domain = Domain, Execution = wf, ReverseOrder = true, MaximumPageSize = 2, NextPageToken = token2,
            }));
            Assert.That(page.Events, Has.Count.InRange(1, 2));
            descending.AddRange(page.Events.Select(e => e.EventId));
            token2 = page.NextPageToken;
        }
        Assert.That(descending, Is.EqualTo(Enumerable.Range(1, (int)next.StartedEventId).Reverse().Select(i => (long)i)));
    }
}
