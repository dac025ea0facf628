using Flow.Swf;
using Flow.Workflows;

namespace Flow.Runtime.Tests.Workflows;

/// <summary>A retried call keeps one id: attempt n ≥ 2 is "{id}#{n}", and the wait between attempts has its own
/// timer counter, so a retry shifts no other call's id.</summary>
public class AttemptIdTests
{
    private static readonly RetryPolicy Policy = new() { MaximumAttempts = 3, InitialInterval = TimeSpan.FromSeconds(10), BackoffCoefficient = 2 };

    private static void Fails(HistoryBuilder h, long scheduled) =>
        h.Do(EventType.ActivityTaskFailed, e => e.ActivityTaskFailedEventAttributes = new() { ScheduledEventId = scheduled, StartedEventId = scheduled + 1, Reason = "Transient" });

    /// <summary>One retried activity (fails once), then a plain activity, a timer and a child, in that order.</summary>
    private static Func<string?, Task<string?>> RetriedThenOthers(ActivityOptions retried) => async _ =>
    {
        await Workflow.ExecuteActivityAsync(Defs.Act, "retried", retried);
        await Workflow.ExecuteActivityAsync(Defs.Act, "later");
        await Workflow.DelayAsync(TimeSpan.FromSeconds(5));
        return await Workflow.ExecuteChildWorkflowAsync(Defs.Child, null);
    };

    /// <summary>The history of <see cref="RetriedThenOthers"/> up to the later calls, with the ids the engine gives.</summary>
    private static (HistoryBuilder History, List<string> Ids) Run(ActivityOptions retried)
    {
        var h = new HistoryBuilder().Started();
        var ids = new List<string>();
        var workflow = RetriedThenOthers(retried);
        void Decide()
        {
            var decided = Defs.Executor(workflow).ProcessDecisionTask(h.Task(h.Decide()));
            h.DecisionCompleted();
            foreach (var d in decided.Decisions)
            {
                if (d.ScheduleActivityTaskDecisionAttributes is { } a) { ids.Add(a.ActivityId); h.ActivityScheduled(a.ActivityId); }
                if (d.StartTimerDecisionAttributes is { } t) { ids.Add(t.TimerId); h.TimerStarted(t.TimerId, t.StartToFireTimeout); }
                if (d.StartChildWorkflowExecutionDecisionAttributes is { } c) ids.Add(c.WorkflowId);
            }
        }
        Decide();                                          // attempt 1
        Fails(h, h.LastId);
        Decide();                                          // the wait before attempt 2
        h.TimerFired(ids[^1], h.LastId);
        Decide();                                          // attempt 2
        h.ActivityCompleted(h.LastId, "\"ok\"");
        Decide();                                          // the later activity
        h.ActivityCompleted(h.LastId, "\"ok\"");
        Decide();                                          // the later timer
        h.TimerFired(ids[^1], h.LastId);
        Decide();                                          // the child
        return (h, ids);
    }

    [Test]
    public void Attempts_of_an_activity_share_its_id_with_an_attempt_suffix_and_later_calls_keep_theirs()
    {
        var (_, ids) = Run(new ActivityOptions { RetryPolicy = Policy });

        // As without the retry: activities "1", "2", timer "t1", child "run-1.1". The wait is "r1", on its own counter.
        Assert.That(ids, Is.EqualTo(new[] { "1", "r1", "1#2", "2", "t1", "run-1.1" }));
    }

    [Test]
    public void A_user_supplied_activity_id_gets_a_distinct_id_per_attempt()
    {
        var (_, ids) = Run(new ActivityOptions { RetryPolicy = Policy, ActivityId = "charge" });

        Assert.That(ids, Is.EqualTo(new[] { "charge", "r1", "charge#2", "1", "t1", "run-1.1" }));
    }

    [Test]
    public void A_history_with_retries_replays_from_scratch_without_a_disagreement()
    {
        var (h, _) = Run(new ActivityOptions { RetryPolicy = Policy });
        var i = h.ChildInitiated("run-1.1");
        h.ChildStarted(i, "run-1.1");
        h.Do(EventType.ChildWorkflowExecutionCompleted, e => e.ChildWorkflowExecutionCompletedEventAttributes = new()
        {
            InitiatedEventId = i, StartedEventId = i + 1, Result = "\"done\"",
            WorkflowExecution = new() { WorkflowId = "run-1.1", RunId = "child-run" }, WorkflowType = Defs.Child.ToWorkflowType(),
        });
        h.Decided();
        h.Completed("\"done\"");
        var task = h.Task(startedId: 0);
        task.Events = [.. h.Events];

        var replayed = Defs.Executor(RetriedThenOthers(new ActivityOptions { RetryPolicy = Policy })).ProcessDecisionTask(task);

        Assert.That(replayed.Decisions, Is.Empty);
    }

    [Test]
    public void A_history_with_an_attempt_under_another_id_is_non_deterministic()
    {
        var (h, _) = Run(new ActivityOptions { RetryPolicy = Policy });
        var attempt2 = h.Events.Single(e => e.ActivityTaskScheduledEventAttributes?.ActivityId == "1#2");
        attempt2.ActivityTaskScheduledEventAttributes!.ActivityId = "3"; // what a counter per attempt would have said

        var error = Assert.Throws<NonDeterminismException>(() =>
            Defs.Executor(RetriedThenOthers(new ActivityOptions { RetryPolicy = Policy })).ProcessDecisionTask(h.Task()))!;

        Assert.That(error.Message, Does.Contain("\"3\"").And.Contain("\"1#2\""));
    }

    [Test]
    public void Attempts_of_a_generated_child_id_share_it_with_an_attempt_suffix()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.ChildInitiated("run-1.1");
        h.ChildStarted(i, "run-1.1");
        h.Do(EventType.ChildWorkflowExecutionFailed, e => e.ChildWorkflowExecutionFailedEventAttributes = new()
        {
            InitiatedEventId = i, StartedEventId = i + 1, Reason = "Transient",
            WorkflowExecution = new() { WorkflowId = "run-1.1", RunId = "child-run" }, WorkflowType = Defs.Child.ToWorkflowType(),
        });
        h.Decided();
        var t = h.TimerStarted("r1", "10");
        h.TimerFired("r1", t);
        h.Decide();

        var result = Defs.Executor(_ => Workflow.ExecuteChildWorkflowAsync(Defs.Child, null, new ChildWorkflowOptions { RetryPolicy = Policy }))
            .ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().StartChildWorkflowExecutionDecisionAttributes!.WorkflowId, Is.EqualTo("run-1.1#2"));
    }

    [Test]
    public void A_chosen_child_workflow_id_is_kept_for_every_attempt()
    {
        // SWF's workflowId is unique among open executions only, and the failed attempt is closed: a business id stays.
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.ChildInitiated("order-7");
        h.ChildStarted(i, "order-7");
        h.Do(EventType.ChildWorkflowExecutionFailed, e => e.ChildWorkflowExecutionFailedEventAttributes = new()
        {
            InitiatedEventId = i, StartedEventId = i + 1, Reason = "Transient",
            WorkflowExecution = new() { WorkflowId = "order-7", RunId = "child-run" }, WorkflowType = Defs.Child.ToWorkflowType(),
        });
        h.Decided();
        var t = h.TimerStarted("r1", "10");
        h.TimerFired("r1", t);
        h.Decide();

        var result = Defs.Executor(_ => Workflow.ExecuteChildWorkflowAsync(Defs.Child, null, new ChildWorkflowOptions { RetryPolicy = Policy, WorkflowId = "order-7" }))
            .ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().StartChildWorkflowExecutionDecisionAttributes!.WorkflowId, Is.EqualTo("order-7"));
    }

    [TestCase("charge#2")]
    [TestCase("charge#10")]
    public void A_user_activity_id_that_ends_like_an_attempt_suffix_is_refused_at_the_call(string id)
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(_ => Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { ActivityId = id })).ProcessDecisionTask(h.Task());

        var fail = result.Decisions.Single().FailWorkflowExecutionDecisionAttributes!;
        Assert.That(fail.Reason, Is.EqualTo("System.ArgumentException"));
        Assert.That(fail.Details, Does.Contain(id).And.Contain("attempt"));
    }

    [TestCase("1", 1)]
    [TestCase("1#2", 2)]
    [TestCase("run-1.4#13", 13)]
    [TestCase("a#b#3", 3)]
    [TestCase("a#b", 1)]
    [TestCase("a#1", 1)]
    [TestCase("a#02", 1)]
    [TestCase("a#", 1)]
    [TestCase("a#99999999999", 1)]
    [TestCase("#", 1)]
    public void The_attempt_parses_back_from_the_id(string id, int attempt)
    {
        Assert.That(AttemptId.Parse(id), Is.EqualTo(attempt));
        if (attempt > 1)
            Assert.That(AttemptId.For(id[..id.LastIndexOf('#')], attempt), Is.EqualTo(id));
    }
}
