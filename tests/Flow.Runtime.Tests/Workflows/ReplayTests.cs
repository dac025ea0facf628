using Flow.Swf;
using Flow.Workflows;

namespace Flow.Runtime.Tests.Workflows;

public class ReplayTests
{
    private static async Task<string?> TwoActivities(string? input)
    {
        var a = await Workflow.ExecuteActivityAsync(Defs.Act, input);
        var b = await Workflow.ExecuteActivityAsync(Defs.Act, a);
        return b;
    }

    [Test]
    public void The_first_decision_schedules_the_first_activity_with_id_1()
    {
        var h = new HistoryBuilder().Started("\"in\"");
        h.Decide();

        var result = Defs.Executor(TwoActivities).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.ScheduleActivityTask }));
        var a = result.Decisions[0].ScheduleActivityTaskDecisionAttributes!;
        Assert.That((a.ActivityId, a.ActivityType.Name, a.ActivityType.Version, a.Input, a.TaskList?.Name, a.StartToCloseTimeout),
            Is.EqualTo(("1", "act", "1", "\"in\"", "work", "60")));
    }

    [Test]
    public void A_completed_activity_feeds_its_result_to_the_next_one()
    {
        var h = new HistoryBuilder().Started("\"in\"");
        h.Decided();
        var s = h.ActivityScheduled("1");
        h.ActivityStarted(s);
        h.ActivityCompleted(s, "\"one\"");
        h.Decide();

        var result = Defs.Executor(TwoActivities).ProcessDecisionTask(h.Task());

        var a = result.Decisions.Single().ScheduleActivityTaskDecisionAttributes!;
        Assert.That((a.ActivityId, a.Input), Is.EqualTo(("2", "\"one\"")));
    }

    [Test]
    public void The_workflow_completes_with_its_result_after_the_last_activity()
    {
        var h = new HistoryBuilder().Started("\"in\"");
        h.Decided();
        var s1 = h.ActivityScheduled("1");
        h.ActivityCompleted(s1, "\"one\"");
        h.Decided();
        var s2 = h.ActivityScheduled("2");
        h.ActivityCompleted(s2, "\"two\"");
        h.Decide();

        var result = Defs.Executor(TwoActivities).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.CompleteWorkflowExecution }));
        Assert.That(result.Decisions[0].CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("\"two\""));
    }

    [Test]
    public void Incremental_events_after_the_last_applied_one_give_the_same_decisions_as_a_full_replay()
    {
        var h = new HistoryBuilder().Started("\"in\"");
        var first = h.Decide();
        var executor = Defs.Executor(TwoActivities);
        executor.ProcessDecisionTask(h.Task());
        Assert.That(executor.LastAppliedEventId, Is.EqualTo(first));

        h.DecisionCompleted();
        var s = h.ActivityScheduled("1");
        h.ActivityCompleted(s, "\"one\"");
        h.Decide();

        var incremental = executor.ProcessDecisionTask(h.Task(after: first));
        var full = Defs.Executor(TwoActivities).ProcessDecisionTask(h.Task());
        Assert.That(Defs.Json(incremental.Decisions), Is.EqualTo(Defs.Json(full.Decisions)));
    }

    [Test]
    public void UtcNow_is_the_time_of_the_decision_tasks_DecisionTaskStarted_event()
    {
        var seen = new List<DateTimeOffset>();
        var h = new HistoryBuilder().Started();
        h.Decided();
        var t = h.TimerStarted("t1", "5");
        h.TimerFired("t1", t);
        var started = h.Decide();

        Defs.Executor(async _ =>
        {
            seen.Add(Workflow.UtcNow);
            await Workflow.DelayAsync(TimeSpan.FromSeconds(5));
            seen.Add(Workflow.UtcNow);
            return null;
        }).ProcessDecisionTask(h.Task());

        Assert.That(seen, Is.EqualTo(new[] { h.Events[2].EventTimestamp, h.Events[(int)started - 1].EventTimestamp }));
    }

    [Test]
    public void Events_that_arrive_while_a_decision_is_open_are_applied_after_that_decisions_own_events()
    {
        // 1 started, 2-4 decision (schedules activity 1 at 5), 6-7 decision started; 8 completion arrives during it;
        // the decision at 7 (which saw nothing new) records a marker; then the completion is applied.
        var order = new List<string>();
        var h = new HistoryBuilder().Started();
        h.Decided();
        var s = h.ActivityScheduled("1");
        h.Signaled("poke", null);
        h.Decide();
        h.ActivityCompleted(s, "\"one\"");
        h.Scheduled();
        h.DecisionCompleted();
        h.Marker("poked", null);
        h.Decide();

        var result = Defs.Executor(() => new TestWorkflow(async _ =>
        {
            order.Add("activity " + await Workflow.ExecuteActivityAsync(Defs.Act, null));
            return "done";
        })
        {
            Signals = { ["poke"] = _ => { order.Add("poke"); Workflow.RecordMarker("poked", null); return Task.CompletedTask; } },
        }).ProcessDecisionTask(h.Task());

        Assert.That(order, Is.EqualTo(new[] { "poke", "activity \"one\"" }));
        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.CompleteWorkflowExecution }));
    }

    [Test]
    public void A_timed_out_decision_task_merges_its_news_into_the_next_decision()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();
        h.DecisionTimedOut();
        h.Signaled("poke", null);
        h.Decide();

        var result = Defs.Executor(() => new TestWorkflow(async _ =>
        {
            await Workflow.ExecuteActivityAsync(Defs.Act, null);
            return null;
        })
        {
            Signals = { ["poke"] = _ => { Workflow.RecordMarker("poked", null); return Task.CompletedTask; } },
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.ScheduleActivityTask, DecisionType.RecordMarker }));
    }

    [Test]
    public void A_decision_task_started_but_never_completed_merges_its_news_into_the_next_one()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();
        h.Signaled("poke", null);
        h.Decide();
        var notes = new List<string>();

        var result = Defs.Executor(() => new TestWorkflow(async _ =>
        {
            notes.Add($"execute at {Workflow.UtcNow:ss}");
            await Workflow.WaitConditionAsync(() => false);
            return null;
        })
        {
            Signals = { ["poke"] = _ => { notes.Add($"poke at {Workflow.UtcNow:ss}"); return Task.CompletedTask; } },
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions, Is.Empty);
        Assert.That(notes, Is.EqualTo(new[] { "execute at 05", "poke at 05" }));
    }

    [Test]
    public void A_different_activity_type_in_history_is_a_non_determinism_error_naming_both_sides()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.ActivityScheduled("1", Defs.Other);
        h.Decide();

        var error = Assert.Throws<NonDeterminismException>(() => Defs.Executor(TwoActivities).ProcessDecisionTask(h.Task()));
        Assert.That(error!.Message, Does.Contain("event 5").And.Contain("other 1").And.Contain("act 1"));
    }

    /// <summary>What the history recorded in the first decision, code that asks for something else there, and what the
    /// error must name on each side.</summary>
    private static readonly Dictionary<string, (Action<HistoryBuilder> Recorded, Func<Task> Code, string History, string Asked)> Mismatches = new()
    {
        ["activity version"] = (h => h.ActivityScheduled("1", new ActivityDefinition("act", "2")), () => Workflow.ExecuteActivityAsync(Defs.Act, null), "act 2", "act 1"),
        ["activity id"] = (h => h.ActivityScheduled("7"), () => Workflow.ExecuteActivityAsync(Defs.Act, null), "\"7\"", "\"1\""),
        ["child version"] = (h => h.ChildInitiated("run-1.1", new WorkflowDefinition("Child", "2")), () => Workflow.ExecuteChildWorkflowAsync(Defs.Child, null), "Child 2", "Child 1"),
        ["child type"] = (h => h.ChildInitiated("run-1.1", new WorkflowDefinition("Other", "1")), () => Workflow.ExecuteChildWorkflowAsync(Defs.Child, null), "Other 1", "Child 1"),
        ["kind"] = (h => h.TimerStarted("t1", "10"), () => Workflow.ExecuteActivityAsync(Defs.Act, null), "StartTimer", "ScheduleActivityTask"),
        ["marker name"] = (h => h.Marker("before", null), () => { Workflow.RecordMarker("after", null); return Workflow.WaitConditionAsync(() => false); }, "\"before\"", "\"after\""),
        ["signal name"] = (h => h.Add(EventType.SignalExternalWorkflowExecutionInitiated, e => e.SignalExternalWorkflowExecutionInitiatedEventAttributes = new()
            { WorkflowId = "other", SignalName = "ping", DecisionTaskCompletedEventId = h.LastCompleted }),
            () => Workflow.SignalExternalWorkflowAsync("other", null, "pong", null), "signal ping", "signal pong"),
    };

    [TestCase("activity version")]
    [TestCase("activity id")]
    [TestCase("child version")]
    [TestCase("child type")]
    [TestCase("kind")]
    [TestCase("marker name")]
    [TestCase("signal name")]
    public void Strict_replay_names_the_event_and_both_sides_when_they_differ_in(string what)
    {
        var (recorded, code, history, asked) = Mismatches[what];
        var h = new HistoryBuilder().Started();
        h.Decided();
        recorded(h);
        h.Decide();

        var error = Assert.Throws<NonDeterminismException>(() => Defs.Executor(async _ => { await code(); return null; }).ProcessDecisionTask(h.Task()));

        Assert.That(error!.Message, Does.StartWith("History event 5 ("));
        var split = error.Message.IndexOf("but the workflow code asked for", StringComparison.Ordinal);
        Assert.That(split, Is.GreaterThan(0), error.Message);
        Assert.That(error.Message[..split], Does.Contain(history), "the history's side");
        Assert.That(error.Message[split..], Does.Contain(asked), "the code's side");
    }

    [Test]
    public void A_different_timer_duration_is_a_non_determinism_error()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.TimerStarted("t1", "10");
        h.Decide();

        var error = Assert.Throws<NonDeterminismException>(() => Defs.Executor(async _ =>
        {
            await Workflow.DelayAsync(TimeSpan.FromSeconds(5));
            return null;
        }).ProcessDecisionTask(h.Task()));
        Assert.That(error!.Message, Does.Contain("10 s").And.Contain("5 s"));
    }

    [Test]
    public void A_decision_in_history_that_the_code_does_not_make_is_a_non_determinism_error()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.ActivityScheduled("1");
        h.Decide();

        var error = Assert.Throws<NonDeterminismException>(() => Defs.Executor(async _ =>
        {
            await Workflow.WaitConditionAsync(() => false);
            return null;
        }).ProcessDecisionTask(h.Task()));
        Assert.That(error!.Message, Does.Contain("event 5").And.Contain("no such decision"));
    }

    [Test]
    public void A_decision_the_code_makes_that_history_lacks_is_a_non_determinism_error()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.Signaled("x", null);
        h.Decide();

        var error = Assert.Throws<NonDeterminismException>(() => Defs.Executor(TwoActivities).ProcessDecisionTask(h.Task()));
        Assert.That(error!.Message, Does.Contain("ScheduleActivityTask").And.Contain("event 4"));
    }

    [Test]
    public void With_FailWorkflowOnNonDeterminism_the_error_fails_the_workflow_instead()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.ActivityScheduled("1", Defs.Other);
        h.Decide();

        var result = Defs.Executor(TwoActivities, new ReplayOptions { FailWorkflowOnNonDeterminism = true }).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.FailWorkflowExecution }));
        Assert.That(result.Decisions[0].FailWorkflowExecutionDecisionAttributes!.Reason, Does.Contain("NonDeterminism"));
    }

    [Test]
    public void After_a_non_determinism_error_the_executor_asks_for_the_full_history()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.ActivityScheduled("1", Defs.Other);
        var started = h.Decide();
        var executor = Defs.Executor(TwoActivities);
        Assert.Throws<NonDeterminismException>(() => executor.ProcessDecisionTask(h.Task()));

        Assert.That(executor.LastAppliedEventId, Is.Not.EqualTo(started));
        Assert.Throws<InvalidOperationException>(() => executor.ProcessDecisionTask(h.Task(after: 3)));
    }

    [TestCase(EventType.LambdaFunctionScheduled)]
    [TestCase(EventType.LambdaFunctionStarted)]
    [TestCase(EventType.LambdaFunctionCompleted)]
    [TestCase(EventType.LambdaFunctionFailed)]
    [TestCase(EventType.LambdaFunctionTimedOut)]
    [TestCase(EventType.ScheduleLambdaFunctionFailed)]
    [TestCase(EventType.StartLambdaFunctionFailed)]
    public void Every_Lambda_event_in_history_is_a_clear_unsupported_error(EventType lambda)
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var id = h.Add(lambda).EventId; // attributes do not matter: the event type alone is refused
        h.Decide();

        var error = Assert.Throws<NotSupportedException>(() => Defs.Executor(TwoActivities).ProcessDecisionTask(h.Task()));
        Assert.That(error!.Message, Does.Contain($"History event {id} is {lambda}").And.Contain("does not support AWS Lambda tasks"));
    }

    [TestCase(EventType.WorkflowExecutionTerminated)]
    [TestCase(EventType.WorkflowExecutionTimedOut)]
    public void A_run_closed_by_SWF_while_a_decision_task_was_open_replays_without_a_disagreement(EventType close)
    {
        var h = new HistoryBuilder().Started("\"in\"");
        h.Decided();
        var s1 = h.ActivityScheduled("1");
        h.ActivityCompleted(s1, "\"one\"");
        h.Decide();
        h.Add(close, e =>
        {
            if (close == EventType.WorkflowExecutionTerminated)
                e.WorkflowExecutionTerminatedEventAttributes = new() { ChildPolicy = ChildPolicy.Terminate, Reason = "operator" };
            else
                e.WorkflowExecutionTimedOutEventAttributes = new() { ChildPolicy = ChildPolicy.Terminate, TimeoutType = WorkflowExecutionTimeoutType.StartToClose };
        });

        var result = Defs.Executor(TwoActivities).ProcessDecisionTask(WithAll(h.Task(startedId: 0), h));

        Assert.That(result.Decisions, Is.Empty);
    }

    [Test]
    public void The_GetState_value_is_sent_as_execution_context_with_every_decision()
    {
        var count = 0;
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(() => new TestWorkflow(async _ =>
        {
            count = 7;
            await Workflow.WaitConditionAsync(() => false);
            return null;
        })
        { State = () => $"{{\"count\":{count}}}" }).ProcessDecisionTask(h.Task());

        Assert.That(result.ExecutionContext, Is.EqualTo("{\"count\":7}"));
    }

    [Test]
    public void A_closed_history_replays_without_decisions()
    {
        var h = new HistoryBuilder().Started("\"in\"");
        h.Decided();
        var s1 = h.ActivityScheduled("1");
        h.ActivityCompleted(s1, "\"one\"");
        h.Decided();
        var s2 = h.ActivityScheduled("2");
        h.ActivityCompleted(s2, "\"two\"");
        h.Decided();
        h.Completed("\"two\"");

        var result = Defs.Executor(TwoActivities).ProcessDecisionTask(h.Task(startedId: 0) is var t ? WithAll(t, h) : null!);

        Assert.That(result.Decisions, Is.Empty);
    }

    private static DecisionTask WithAll(DecisionTask task, HistoryBuilder h)
    {
        task.Events = [.. h.Events];
        return task;
    }
}
