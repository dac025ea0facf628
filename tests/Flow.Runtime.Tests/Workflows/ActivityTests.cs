using Flow.Swf;
using Flow.Workflows;

namespace Flow.Runtime.Tests.Workflows;

public class ActivityTests
{
    /// <summary>Runs the workflow on a history where activity "1" was scheduled and then <paramref name="outcome"/> happened.</summary>
    private static (DecisionTaskResult Result, Exception? Seen) AfterOutcome(Action<HistoryBuilder, long> outcome, ActivityOptions? options = null)
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var s = h.ActivityScheduled("1");
        h.ActivityStarted(s);
        outcome(h, s);
        h.Decide();
        Exception? seen = null;
        var result = Defs.Executor(async _ =>
        {
            try
            {
                return await Workflow.ExecuteActivityAsync(Defs.Act, null, options);
            }
            catch (Exception e)
            {
                seen = e;
                return "caught";
            }
        }).ProcessDecisionTask(h.Task());
        return (result, seen);
    }

    [Test]
    public void A_failed_activity_surfaces_reason_and_the_decoded_error_of_the_activity_worker()
    {
        var (_, seen) = AfterOutcome((h, s) => h.Do(EventType.ActivityTaskFailed, e => e.ActivityTaskFailedEventAttributes = new()
        {
            ScheduledEventId = s, StartedEventId = s + 1, Reason = "System.IO.IOException",
            Details = "{\"type\":\"System.IO.IOException\",\"message\":\"disk full\",\"stack\":\"   at Copy()\"}",
        }));

        var failed = (ActivityFailedException)seen!;
        Assert.That((failed.ActivityId, failed.ActivityType.Name, failed.Reason, failed.ErrorType, failed.ErrorMessage, failed.ErrorStackTrace),
            Is.EqualTo(("1", "act", "System.IO.IOException", "System.IO.IOException", "disk full", "   at Copy()")));
        Assert.That(failed.Message, Does.Contain("disk full"));
    }

    [Test]
    public void Failure_details_that_are_not_Flows_JSON_are_kept_as_the_message()
    {
        var (_, seen) = AfterOutcome((h, s) => h.Do(EventType.ActivityTaskFailed, e => e.ActivityTaskFailedEventAttributes = new()
        { ScheduledEventId = s, StartedEventId = s + 1, Reason = "Oops", Details = "Traceback: line 1" }));

        var failed = (ActivityFailedException)seen!;
        Assert.That((failed.ErrorType, failed.ErrorMessage, failed.ErrorStackTrace), Is.EqualTo(("Oops", "Traceback: line 1", (string?)null)));
    }

    [TestCase(ActivityTaskTimeoutType.StartToClose)]
    [TestCase(ActivityTaskTimeoutType.ScheduleToStart)]
    [TestCase(ActivityTaskTimeoutType.ScheduleToClose)]
    [TestCase(ActivityTaskTimeoutType.Heartbeat)]
    public void A_timed_out_activity_surfaces_the_kind_of_timeout(ActivityTaskTimeoutType kind)
    {
        var (_, seen) = AfterOutcome((h, s) => h.Do(EventType.ActivityTaskTimedOut, e => e.ActivityTaskTimedOutEventAttributes = new()
        { ScheduledEventId = s, StartedEventId = s + 1, TimeoutType = kind, Details = "42%" }));

        var timedOut = (ActivityTimedOutException)seen!;
        Assert.That((timedOut.TimeoutType, timedOut.Details), Is.EqualTo((kind, "42%")));
    }

    [Test]
    public void A_canceled_activity_surfaces_as_an_OperationCanceledException_with_its_details()
    {
        var (_, seen) = AfterOutcome((h, s) => h.Do(EventType.ActivityTaskCanceled, e => e.ActivityTaskCanceledEventAttributes = new()
        { ScheduledEventId = s, StartedEventId = s + 1, Details = "stopped" }));

        Assert.That(seen, Is.InstanceOf<OperationCanceledException>());
        Assert.That(((ActivityCanceledException)seen!).Details, Is.EqualTo("stopped"));
    }

    [Test]
    public void ScheduleActivityTaskFailed_surfaces_its_cause()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.Do(EventType.ScheduleActivityTaskFailed, e => e.ScheduleActivityTaskFailedEventAttributes = new()
        { ActivityId = "1", ActivityType = Defs.Act.ToActivityType(), Cause = ScheduleActivityTaskFailedCause.ActivityTypeDoesNotExist, DecisionTaskCompletedEventId = 4 });
        h.Decide();
        Exception? seen = null;

        Defs.Executor(async _ =>
        {
            try { await Workflow.ExecuteActivityAsync(Defs.Act, null); }
            catch (Exception e) { seen = e; }
            return null;
        }).ProcessDecisionTask(h.Task());

        Assert.That(((ScheduleActivityTaskFailedException)seen!).Cause, Is.EqualTo(ScheduleActivityTaskFailedCause.ActivityTypeDoesNotExist));
        Assert.That(seen.Message, Is.EqualTo("SWF could not schedule activity act 1 (id 1): ACTIVITY_TYPE_DOES_NOT_EXIST."), "in SWF's words");
    }

    private static Task<string?> CancelAfterSignal(string? _)
    {
        var cts = new CancellationTokenSource();
        var activity = Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { CancellationToken = cts.Token });
        return Run();

        async Task<string?> Run()
        {
            await Workflow.WaitConditionAsync(() => Stop);
            cts.Cancel();
            try { return await activity; }
            catch (ActivityCanceledException) { return "canceled"; }
        }
    }

    [ThreadStatic] private static bool Stop;

    [Test]
    public void Cancelling_an_activitys_token_sends_RequestCancelActivityTask_and_fails_the_task_at_once()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.ActivityScheduled("1");
        h.Signaled("stop", null);
        h.Decide();

        var result = Defs.Executor(() => new TestWorkflow(CancelAfterSignal) { Signals = { ["stop"] = _ => { Stop = true; return Task.CompletedTask; } } })
            .ProcessDecisionTask(h.Task());
        Stop = false;

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.RequestCancelActivityTask, DecisionType.CompleteWorkflowExecution }));
        Assert.That(result.Decisions[0].RequestCancelActivityTaskDecisionAttributes!.ActivityId, Is.EqualTo("1"));
        Assert.That(result.Decisions[1].CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("canceled"));
    }

    [Test]
    public void Cancelling_an_activity_before_it_was_sent_sends_nothing_for_it()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            var cts = new CancellationTokenSource();
            var activity = Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { CancellationToken = cts.Token });
            cts.Cancel();
            try { await activity; } catch (ActivityCanceledException) { }
            return "done";
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.CompleteWorkflowExecution }));
    }

    [Test]
    public void ActivityTaskCancelRequested_and_RequestCancelActivityTaskFailed_replay_as_the_cancel_decision()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var s = h.ActivityScheduled("1");
        h.Signaled("stop", null);
        h.Decided();
        h.Do(EventType.ActivityTaskCancelRequested, e => e.ActivityTaskCancelRequestedEventAttributes = new() { ActivityId = "1", DecisionTaskCompletedEventId = h.LastCompleted });
        h.Completed("canceled");
        var task = h.Task(startedId: 0);
        task.Events = [.. h.Events];

        var result = Defs.Executor(() => new TestWorkflow(CancelAfterSignal) { Signals = { ["stop"] = _ => { Stop = true; return Task.CompletedTask; } } })
            .ProcessDecisionTask(task);
        Stop = false;
        Assert.That(result.Decisions, Is.Empty);

        // The same with SWF answering that the activity was already gone.
        h.Events[^2] = new HistoryEvent
        {
            EventId = h.Events[^2].EventId, EventType = EventType.RequestCancelActivityTaskFailed, EventTimestamp = h.Events[^2].EventTimestamp,
            RequestCancelActivityTaskFailedEventAttributes = new() { ActivityId = "1", Cause = RequestCancelActivityTaskFailedCause.ActivityIdUnknown, DecisionTaskCompletedEventId = h.LastCompleted },
        };
        task.Events = [.. h.Events];
        result = Defs.Executor(() => new TestWorkflow(CancelAfterSignal) { Signals = { ["stop"] = _ => { Stop = true; return Task.CompletedTask; } } })
            .ProcessDecisionTask(task);
        Stop = false;
        Assert.That(result.Decisions, Is.Empty);
        Assert.That(s, Is.EqualTo(5));
    }

    [Test]
    public void Per_call_options_override_the_activity_types_defaults()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(_ => Workflow.ExecuteActivityAsync(Defs.Act, "x", new ActivityOptions
        {
            ActivityId = "mine", TaskList = "fast", TaskPriority = 5, StartToCloseTimeout = TimeSpan.FromSeconds(1.5),
            ScheduleToStartTimeout = Timeout.InfiniteTimeSpan, HeartbeatTimeout = TimeSpan.FromMinutes(2),
        })).ProcessDecisionTask(h.Task());

        var a = result.Decisions.Single().ScheduleActivityTaskDecisionAttributes!;
        Assert.That((a.ActivityId, a.TaskList!.Name, a.TaskPriority, a.StartToCloseTimeout, a.ScheduleToStartTimeout, a.HeartbeatTimeout),
            Is.EqualTo(("mine", "fast", "5", "2", "NONE", "120")));
    }

    [Test]
    public void An_input_over_SWFs_limit_fails_in_workflow_code_before_anything_is_sent()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(_ => Workflow.ExecuteActivityAsync(Defs.Act, new string('x', 32769))).ProcessDecisionTask(h.Task());

        var fail = result.Decisions.Single().FailWorkflowExecutionDecisionAttributes!;
        Assert.That(fail.Reason, Is.EqualTo("System.ArgumentException"));
        Assert.That(fail.Details, Does.Contain("32769").And.Contain("32768"));
    }

    private static readonly RetryPolicy Retry = new()
    {
        MaximumAttempts = 3, InitialInterval = TimeSpan.FromSeconds(10), BackoffCoefficient = 2, NonRetryableReasons = ["Fatal"],
    };

    private static void Fails(HistoryBuilder h, long scheduled, string reason) =>
        h.Do(EventType.ActivityTaskFailed, e => e.ActivityTaskFailedEventAttributes = new() { ScheduledEventId = scheduled, StartedEventId = scheduled + 1, Reason = reason });

    [Test]
    public void A_retry_policy_waits_on_a_durable_timer_then_schedules_a_new_attempt()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var s = h.ActivityScheduled("1");
        h.ActivityStarted(s);
        Fails(h, s, "Transient");
        h.Decided();
        var t = h.TimerStarted("r1", "10");
        h.TimerFired("r1", t);
        h.Decide();
        var workflow = (Func<string?, Task<string?>>)(_ => Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { RetryPolicy = Retry }));

        var atFailure = Defs.Executor(workflow).ProcessDecisionTask(h.Task(startedId: 9));
        var afterTimer = Defs.Executor(workflow).ProcessDecisionTask(h.Task());

        Assert.That(atFailure.Decisions.Single().StartTimerDecisionAttributes!.StartToFireTimeout, Is.EqualTo("10"));
        Assert.That(afterTimer.Decisions.Single().ScheduleActivityTaskDecisionAttributes!.ActivityId, Is.EqualTo("1#2"));
    }

    [Test]
    public void A_non_retryable_reason_fails_at_once()
    {
        var (result, seen) = AfterOutcome((h, s) => Fails(h, s, "Fatal"), new ActivityOptions { RetryPolicy = Retry });

        Assert.That(seen, Is.InstanceOf<ActivityFailedException>());
        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.CompleteWorkflowExecution }));
    }

    [Test]
    public void The_last_attempts_failure_is_what_the_workflow_sees()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var s = h.ActivityScheduled(attempt == 1 ? "1" : "1#" + attempt);
            Fails(h, s, "Transient" + attempt);
            if (attempt == 3)
                break;
            h.Decided();
            var t = h.TimerStarted("r" + attempt, (10 << (attempt - 1)).ToString());
            h.TimerFired("r" + attempt, t);
            h.Decided();
        }
        h.Decide();
        Exception? seen = null;

        var result = Defs.Executor(async _ =>
        {
            try { return await Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { RetryPolicy = Retry }); }
            catch (Exception e) { seen = e; return "gave up"; }
        }).ProcessDecisionTask(h.Task());

        Assert.That(((ActivityFailedException)seen!).Reason, Is.EqualTo("Transient3"));
        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.CompleteWorkflowExecution }));
    }
}

public class ReturnedTaskTests
{
    [Test]
    public void A_workflow_that_returns_the_activity_task_itself_completes_when_the_activity_does()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var s = h.ActivityScheduled("1");
        h.ActivityStarted(s);
        h.Do(EventType.ActivityTaskCompleted, e => e.ActivityTaskCompletedEventAttributes = new() { ScheduledEventId = s, StartedEventId = s + 1, Result = "\"done\"" });
        h.Decide();

        // Not async: the instance hands back the engine's own task, with no await of its own.
        var result = Defs.Executor(_ => Workflow.ExecuteActivityAsync(Defs.Act, null)).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.CompleteWorkflowExecution }));
        Assert.That(result.Decisions[0].CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("\"done\""));
    }
}
