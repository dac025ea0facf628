using System.Globalization;
using Flow.Swf;
using Flow.Workflows;

namespace Flow.Runtime.Tests.Workflows;

/// <summary>SWF refuses a decision for a rate or a count limit (ACTIVITY_CREATION_RATE_EXCEEDED, OPEN_TIMERS_LIMIT_EXCEEDED, ...):
/// the call waits and its decision goes out again, under the same id, after a backoff timer; the run never fails of it.</summary>
public class RefusedDecisionTests
{
    public enum Kind { Activity, Timer, Child, Signal, CancelExternal }

    private static readonly object[] Transient =
    [
        new object[] { Kind.Activity, ScheduleActivityTaskFailedCause.ActivityCreationRateExceeded },
        new object[] { Kind.Activity, ScheduleActivityTaskFailedCause.OpenActivitiesLimitExceeded },
        new object[] { Kind.Timer, StartTimerFailedCause.TimerCreationRateExceeded },
        new object[] { Kind.Timer, StartTimerFailedCause.OpenTimersLimitExceeded },
        new object[] { Kind.Child, StartChildWorkflowExecutionFailedCause.ChildCreationRateExceeded },
        new object[] { Kind.Child, StartChildWorkflowExecutionFailedCause.OpenChildrenLimitExceeded },
        new object[] { Kind.Child, StartChildWorkflowExecutionFailedCause.OpenWorkflowsLimitExceeded },
        new object[] { Kind.Signal, SignalExternalWorkflowExecutionFailedCause.SignalExternalWorkflowExecutionRateExceeded },
        new object[] { Kind.CancelExternal, RequestCancelExternalWorkflowExecutionFailedCause.RequestCancelExternalWorkflowExecutionRateExceeded },
    ];

    /// <summary>The one call each kind makes, reporting how it ended.</summary>
    private static async Task<string?> Call(Kind kind, CancellationToken token = default)
    {
        try
        {
            switch (kind)
            {
                case Kind.Activity: return await Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { CancellationToken = token });
                case Kind.Timer: await Workflow.DelayAsync(TimeSpan.FromSeconds(5), token); return "fired";
                case Kind.Child: return await Workflow.ExecuteChildWorkflowAsync(Defs.Child, null, new ChildWorkflowOptions { CancellationToken = token });
                case Kind.Signal: await Workflow.SignalExternalWorkflowAsync("other", null, "go", null, token); return "signaled";
                default: await Workflow.RequestCancelExternalWorkflowAsync("other"); return "cancel requested";
            }
        }
        catch (Exception e)
        {
            return "threw " + e.GetType().Name;
        }
    }

    /// <summary>The event SWF records when it refuses the call's decision; <paramref name="initiated"/> is the
    /// *Initiated event of a refusal that came after SWF had accepted the decision.</summary>
    private static void Refuse(HistoryBuilder h, Kind kind, object cause, long initiated = 0)
    {
        var completed = h.LastCompleted;
        switch (kind)
        {
            case Kind.Activity:
                h.Do(EventType.ScheduleActivityTaskFailed, e => e.ScheduleActivityTaskFailedEventAttributes = new()
                { ActivityId = "1", ActivityType = Defs.Act.ToActivityType(), Cause = (ScheduleActivityTaskFailedCause)cause, DecisionTaskCompletedEventId = completed });
                break;
            case Kind.Timer:
                h.Do(EventType.StartTimerFailed, e => e.StartTimerFailedEventAttributes = new()
                { TimerId = "t1", Cause = (StartTimerFailedCause)cause, DecisionTaskCompletedEventId = completed });
                break;
            case Kind.Child:
                h.Do(EventType.StartChildWorkflowExecutionFailed, e => e.StartChildWorkflowExecutionFailedEventAttributes = new()
                {
                    WorkflowId = "run-1.1", WorkflowType = Defs.Child.ToWorkflowType(), Cause = (StartChildWorkflowExecutionFailedCause)cause,
                    InitiatedEventId = initiated, DecisionTaskCompletedEventId = completed,
                });
                break;
            case Kind.Signal:
                h.Do(EventType.SignalExternalWorkflowExecutionFailed, e => e.SignalExternalWorkflowExecutionFailedEventAttributes = new()
                { WorkflowId = "other", Cause = (SignalExternalWorkflowExecutionFailedCause)cause, InitiatedEventId = initiated, DecisionTaskCompletedEventId = completed });
                break;
            default:
                h.Do(EventType.RequestCancelExternalWorkflowExecutionFailed, e => e.RequestCancelExternalWorkflowExecutionFailedEventAttributes = new()
                { WorkflowId = "other", Cause = (RequestCancelExternalWorkflowExecutionFailedCause)cause, InitiatedEventId = initiated, DecisionTaskCompletedEventId = completed });
                break;
        }
    }

    private static long Initiated(HistoryBuilder h, Kind kind) => kind switch
    {
        Kind.Child => h.ChildInitiated("run-1.1"),
        Kind.Signal => h.Add(EventType.SignalExternalWorkflowExecutionInitiated, e => e.SignalExternalWorkflowExecutionInitiatedEventAttributes = new()
            { WorkflowId = "other", SignalName = "go", DecisionTaskCompletedEventId = h.LastCompleted }).EventId,
        _ => h.Add(EventType.RequestCancelExternalWorkflowExecutionInitiated, e => e.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes = new()
            { WorkflowId = "other", DecisionTaskCompletedEventId = h.LastCompleted }).EventId,
    };

    private static int Seconds(Decision timer) => int.Parse(timer.StartTimerDecisionAttributes!.StartToFireTimeout, CultureInfo.InvariantCulture);

    [TestCaseSource(nameof(Transient))]
    public void A_decision_refused_for_a_rate_or_a_limit_waits_on_a_backoff_timer_instead_of_failing_the_call(Kind kind, object cause)
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        Refuse(h, kind, cause);
        h.Decide();

        var result = Defs.Executor(_ => Call(kind)).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.StartTimer }), "no close: the call still waits");
        Assert.That(result.Decisions[0].StartTimerDecisionAttributes!.TimerId, Is.EqualTo("_flow_backoff_1"));
        Assert.That(Seconds(result.Decisions[0]), Is.InRange(1, 2));
    }

    [TestCase(Kind.Child, StartChildWorkflowExecutionFailedCause.OpenWorkflowsLimitExceeded)]
    [TestCase(Kind.Signal, SignalExternalWorkflowExecutionFailedCause.SignalExternalWorkflowExecutionRateExceeded)]
    [TestCase(Kind.CancelExternal, RequestCancelExternalWorkflowExecutionFailedCause.RequestCancelExternalWorkflowExecutionRateExceeded)]
    public void A_refusal_that_comes_after_SWF_initiated_the_decision_also_waits_on_a_backoff_timer(Kind kind, object cause)
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var initiated = Initiated(h, kind);
        Refuse(h, kind, cause, initiated);
        h.Decide();

        var result = Defs.Executor(_ => Call(kind)).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.StartTimer }));
        Assert.That(result.Decisions[0].StartTimerDecisionAttributes!.TimerId, Is.EqualTo("_flow_backoff_1"));
    }

    [TestCaseSource(nameof(Transient))]
    public void When_the_backoff_timer_fires_the_same_decision_goes_out_again_under_the_same_id(Kind kind, object cause)
    {
        var h = new HistoryBuilder().Started();
        var executor = Defs.Executor(_ => Call(kind));
        var first = executor.ProcessDecisionTask(h.Task(h.Decide()));
        var previous = h.LastId;
        h.DecisionCompleted();
        Refuse(h, kind, cause);
        var backoff = executor.ProcessDecisionTask(h.Task(h.Decide(), after: previous)).Decisions.Single();
        previous = h.LastId;
        h.DecisionCompleted();
        var t = h.TimerStarted("_flow_backoff_1", backoff.StartTimerDecisionAttributes!.StartToFireTimeout);
        h.TimerFired("_flow_backoff_1", t);

        var again = executor.ProcessDecisionTask(h.Task(h.Decide(), after: previous));

        Assert.That(Defs.Json(again.Decisions), Is.EqualTo(Defs.Json(first.Decisions)));
    }

    [Test]
    public void A_refused_activity_that_then_completes_gives_its_result_and_replays_from_the_full_history()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        Refuse(h, Kind.Activity, ScheduleActivityTaskFailedCause.ActivityCreationRateExceeded);
        var live = Defs.Executor(_ => Call(Kind.Activity));
        var backoff = live.ProcessDecisionTask(h.Task(h.Decide())).Decisions.Single();
        var previous = h.LastId;
        h.DecisionCompleted();
        var t = h.TimerStarted("_flow_backoff_1", backoff.StartTimerDecisionAttributes!.StartToFireTimeout);
        h.TimerFired("_flow_backoff_1", t);
        live.ProcessDecisionTask(h.Task(h.Decide(), after: previous));
        previous = h.LastId;
        h.DecisionCompleted();
        var s = h.ActivityScheduled("1");
        h.ActivityStarted(s);
        h.ActivityCompleted(s, "\"ok\"");
        h.Decide();

        var incremental = live.ProcessDecisionTask(h.Task(after: previous));
        var full = Defs.Executor(_ => Call(Kind.Activity)).ProcessDecisionTask(h.Task());

        Assert.That(incremental.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("\"ok\""));
        Assert.That(Defs.Json(full.Decisions), Is.EqualTo(Defs.Json(incremental.Decisions)));
    }

    [Test]
    public void Each_further_refusal_of_the_same_call_doubles_the_backoff_up_to_a_minute()
    {
        var h = new HistoryBuilder().Started();
        var executor = Defs.Executor(_ => Call(Kind.Activity));
        executor.ProcessDecisionTask(h.Task(h.Decide()));
        var seconds = new List<int>();
        for (int n = 1; n <= 8; n++)
        {
            var previous = h.LastId;
            h.DecisionCompleted();
            Refuse(h, Kind.Activity, ScheduleActivityTaskFailedCause.OpenActivitiesLimitExceeded);
            var timer = executor.ProcessDecisionTask(h.Task(h.Decide(), after: previous)).Decisions.Single();
            Assert.That(timer.StartTimerDecisionAttributes!.TimerId, Is.EqualTo("_flow_backoff_" + n));
            seconds.Add(Seconds(timer));
            previous = h.LastId;
            h.DecisionCompleted();
            var t = h.TimerStarted(timer.StartTimerDecisionAttributes.TimerId, timer.StartTimerDecisionAttributes.StartToFireTimeout);
            h.TimerFired(timer.StartTimerDecisionAttributes.TimerId, t);
            Assert.That(executor.ProcessDecisionTask(h.Task(h.Decide(), after: previous)).Types(), Is.EqualTo(new[] { DecisionType.ScheduleActivityTask }));
        }

        var ceilings = new[] { 2, 4, 8, 16, 32, 60, 60, 60 };
        for (int n = 0; n < ceilings.Length; n++)
            Assert.That(seconds[n], Is.InRange(ceilings[n] / 2, ceilings[n]), $"refusal {n + 1}: {string.Join(", ", seconds)}");
    }

    [Test]
    public void A_call_cancelled_while_it_waits_for_its_backoff_timer_ends_cancelled_and_the_timer_then_issues_nothing()
    {
        var h = new HistoryBuilder().Started();
        var cts = new CancellationTokenSource();
        var finish = false;
        var executor = Defs.Executor(() => new TestWorkflow(async _ =>
        {
            var outcome = await Call(Kind.Activity, cts.Token);
            await Workflow.WaitConditionAsync(() => finish);
            return outcome;
        })
        {
            Signals =
            {
                ["stop"] = _ => { cts.Cancel(); return Task.CompletedTask; },
                ["finish"] = _ => { finish = true; return Task.CompletedTask; },
            },
        });
        executor.ProcessDecisionTask(h.Task(h.Decide()));
        var previous = h.LastId;
        h.DecisionCompleted();
        Refuse(h, Kind.Activity, ScheduleActivityTaskFailedCause.ActivityCreationRateExceeded);
        var timer = executor.ProcessDecisionTask(h.Task(h.Decide(), after: previous)).Decisions.Single();
        previous = h.LastId;
        h.DecisionCompleted();
        var t = h.TimerStarted("_flow_backoff_1", timer.StartTimerDecisionAttributes!.StartToFireTimeout);
        h.Signaled("stop", null);
        // Never scheduled, so there is no RequestCancelActivityTask to send.
        Assert.That(executor.ProcessDecisionTask(h.Task(h.Decide(), after: previous)).Decisions, Is.Empty);
        previous = h.LastId;
        h.DecisionCompleted();
        h.TimerFired("_flow_backoff_1", t);
        Assert.That(executor.ProcessDecisionTask(h.Task(h.Decide(), after: previous)).Decisions, Is.Empty);
        previous = h.LastId;
        h.DecisionCompleted();
        h.Signaled("finish", null);

        var closed = executor.ProcessDecisionTask(h.Task(h.Decide(), after: previous));

        Assert.That(closed.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("threw ActivityCanceledException"));
    }

    [Test]
    public void A_backoff_timer_refused_for_the_open_timers_limit_sends_the_call_again_when_news_arrive()
    {
        var h = new HistoryBuilder().Started();
        var executor = Defs.Executor(() => new TestWorkflow(async _ =>
        {
            var activity = Call(Kind.Activity);
            await Workflow.WaitConditionAsync(() => false, TimeSpan.FromHours(1)); // a timer of its own, whose firing is news
            return await activity;
        }));
        executor.ProcessDecisionTask(h.Task(h.Decide()));
        var previous = h.LastId;
        h.DecisionCompleted();
        Refuse(h, Kind.Activity, ScheduleActivityTaskFailedCause.OpenActivitiesLimitExceeded);
        var own = h.TimerStarted("t1", "3600");
        executor.ProcessDecisionTask(h.Task(h.Decide(), after: previous));
        previous = h.LastId;
        h.DecisionCompleted();
        h.Do(EventType.StartTimerFailed, e => e.StartTimerFailedEventAttributes = new()
        { TimerId = "_flow_backoff_1", Cause = StartTimerFailedCause.OpenTimersLimitExceeded, DecisionTaskCompletedEventId = h.LastCompleted });

        var quiet = executor.ProcessDecisionTask(h.Task(h.Decide(), after: previous));
        previous = h.LastId;
        h.DecisionCompleted();
        h.TimerFired("t1", own);
        var news = executor.ProcessDecisionTask(h.Task(h.Decide(), after: previous));

        Assert.That(quiet.Decisions, Is.Empty, "no timer can start: wait for something to change");
        Assert.That(news.Types(), Is.EqualTo(new[] { DecisionType.ScheduleActivityTask }));
        Assert.That(news.Decisions[0].ScheduleActivityTaskDecisionAttributes!.ActivityId, Is.EqualTo("1"));
    }

    [Test]
    public void A_backoff_timer_refused_for_the_timer_rate_sends_the_call_again_at_the_next_decision()
    {
        var h = new HistoryBuilder().Started();
        var executor = Defs.Executor(_ => Call(Kind.Activity));
        executor.ProcessDecisionTask(h.Task(h.Decide()));
        var previous = h.LastId;
        h.DecisionCompleted();
        Refuse(h, Kind.Activity, ScheduleActivityTaskFailedCause.ActivityCreationRateExceeded);
        executor.ProcessDecisionTask(h.Task(h.Decide(), after: previous));
        previous = h.LastId;
        h.DecisionCompleted();
        h.Do(EventType.StartTimerFailed, e => e.StartTimerFailedEventAttributes = new()
        { TimerId = "_flow_backoff_1", Cause = StartTimerFailedCause.TimerCreationRateExceeded, DecisionTaskCompletedEventId = h.LastCompleted });

        var again = executor.ProcessDecisionTask(h.Task(h.Decide(), after: previous));

        Assert.That(again.Types(), Is.EqualTo(new[] { DecisionType.ScheduleActivityTask }));
    }

    [TestCase(Kind.Activity)]
    [TestCase(Kind.Timer)]
    [TestCase(Kind.Child)]
    public void A_refusal_for_another_cause_still_fails_the_call(Kind kind)
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        Refuse(h, kind, kind switch
        {
            Kind.Activity => ScheduleActivityTaskFailedCause.ActivityTypeDoesNotExist,
            Kind.Timer => StartTimerFailedCause.TimerIdAlreadyInUse,
            _ => (object)StartChildWorkflowExecutionFailedCause.WorkflowTypeDoesNotExist,
        });
        h.Decide();

        var result = Defs.Executor(_ => Call(kind)).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Does.StartWith("threw "));
    }
}
