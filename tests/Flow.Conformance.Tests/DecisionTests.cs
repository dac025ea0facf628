using Flow.Swf;
using static Flow.Conformance.Tests.Sandbox;

namespace Flow.Conformance.Tests;

/// <summary>Every decision type both services support, with the history each leaves, compared event by event.</summary>
public sealed class DecisionTests
{
    /// <summary>See <see cref="A_scheduled_activity_records_its_effective_timeouts_on_flow_dev_and_only_the_decisions_on_moto"/>.</summary>
    internal static readonly string[] ScheduledTimeouts = ["scheduleToStartTimeout", "scheduleToCloseTimeout", "startToCloseTimeout", "heartbeatTimeout"];

    [Test]
    public async Task An_activity_scheduled_heartbeaten_and_completed_leaves_the_same_history()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order", input: "order #1");
            await s.DecideAsync(Schedule("charge-1", "42.00"));
            var task = await s.ActivityTaskAsync();
            Assert.That(task.Input, Is.EqualTo("42.00"));
            var beat = await s.Client.RecordActivityTaskHeartbeatAsync(new RecordActivityTaskHeartbeatInput { TaskToken = task.TaskToken, Details = "half" });
            Assert.That(beat.CancelRequested, Is.False);
            await s.Client.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = task.TaskToken, Result = "paid" });
            await s.DecideAsync(Complete("done"));
            return await s.NormalizedHistoryAsync(run, ScheduledTimeouts);
        });

        Both.AssertSameHistory(moto, dev);
        Assert.That(dev, Has.Count.EqualTo(11));
    }

    [Test]
    public async Task A_scheduled_activity_records_its_effective_timeouts_on_flow_dev_and_only_the_decisions_on_moto()
    {
        // API reference, ActivityTaskScheduledEventAttributes and ScheduleActivityTaskDecisionAttributes: a timeout
        // left out of the decision is the activity type's default (a missing one fails the decision with
        // DEFAULT_*_UNDEFINED), and the event records the timeouts the task runs under. moto records only
        // what the decision spelled out.
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            await s.DecideAsync(Schedule("charge-1"));
            return (await s.HistoryAsync(run)).Single(e => e.EventType == EventType.ActivityTaskScheduled).ActivityTaskScheduledEventAttributes!;
        });

        Assert.That(new[] { dev.ScheduleToStartTimeout, dev.ScheduleToCloseTimeout, dev.StartToCloseTimeout, dev.HeartbeatTimeout },
            Is.EqualTo(new[] { "60", "120", "60", "NONE" }), "flow dev: the type's defaults");
        Assert.That(new[] { moto.ScheduleToStartTimeout, moto.ScheduleToCloseTimeout, moto.StartToCloseTimeout, moto.HeartbeatTimeout },
            Is.All.Null, "moto (observed): nothing the decision left out");
    }

    [Test]
    public async Task A_failed_activity_then_a_failed_workflow_leave_the_same_history()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            await s.DecideAsync(Schedule("charge-1"));
            var task = await s.ActivityTaskAsync();
            await s.Client.RespondActivityTaskFailedAsync(new RespondActivityTaskFailedInput { TaskToken = task.TaskToken, Reason = "declined", Details = "card" });
            await s.DecideAsync(Fail("payment", "declined twice"));
            return await s.NormalizedHistoryAsync(run, ScheduledTimeouts);
        });

        Both.AssertSameHistory(moto, dev);
        Assert.That(dev[^1], Does.Contain("WorkflowExecutionFailed").And.Contain("declined twice"));
    }

    [Test]
    public async Task A_timer_that_fires_and_a_marker_leave_the_same_history()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            await s.DecideAsync(Marker("version", "2"), StartTimer("wait", "1"));
            await s.DecideAsync(Complete());
            return await s.NormalizedHistoryAsync(run);
        });

        Both.AssertSameHistory(moto, dev);
        Assert.That(dev.Select(e => e.Split('"')[3]), Is.EqualTo(new[]
        {
            "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
            "MarkerRecorded", "TimerStarted", "TimerFired",
            "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted",
        }));
    }

    [Test]
    public async Task A_canceled_timer_is_TimerCanceled_on_flow_dev_and_TimerCancelled_on_moto()
    {
        // API reference, HistoryEvent.eventType: the valid value is "TimerCanceled" (one l), with
        // timerCanceledEventAttributes. moto writes "TimerCancelled", which no SWF client can read: ours
        // rejects the history; the sequence is compared here as raw strings.
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            await s.DecideAsync(StartTimer("deadline", "600"));
            await s.SignalAsync("order", "approved", "yes");
            await s.DecideAsync(CancelTimer("deadline"), Complete());
            return (run, s, await s.WireEventTypesAsync(run));
        });

        string[] expected =
        [
            "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "TimerStarted",
            "WorkflowExecutionSignaled", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
            "TimerCanceled", "WorkflowExecutionCompleted",
        ];
        Assert.That(dev.Item3, Is.EqualTo(expected));
        Assert.That(moto.Item3, Is.EqualTo(expected.Select(t => t == "TimerCanceled" ? "TimerCancelled" : t)));
        Assert.That(await dev.s.HistoryAsync(dev.run), Has.Some.Matches<HistoryEvent>(e => e.TimerCanceledEventAttributes?.TimerId == "deadline"));
        var unreadable = Assert.CatchAsync<SwfException>(() => moto.s.HistoryAsync(moto.run));
        Assert.That(unreadable!.ErrorCode, Is.EqualTo("InvalidResponse"));
    }

    [Test]
    public async Task A_workflow_that_cancels_itself_leaves_the_same_history()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            await s.DecideAsync(CancelWorkflow("no longer needed"));
            return await s.NormalizedHistoryAsync(run);
        });

        Both.AssertSameHistory(moto, dev);
        Assert.That(dev[^1], Does.Contain("WorkflowExecutionCanceled"));
    }

    [Test]
    public async Task Scheduling_an_unregistered_activity_type_fails_the_decision_the_same_way()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            var bad = Schedule("x");
            bad.ScheduleActivityTaskDecisionAttributes!.ActivityType = new ActivityType { Name = "Nope", Version = "1" };
            await s.DecideAsync(bad);
            await s.DecideAsync(Complete());
            return await s.NormalizedHistoryAsync(run);
        });

        Both.AssertSameHistory(moto, dev);
        Assert.That(dev[4], Does.Contain("ScheduleActivityTaskFailed").And.Contain("ACTIVITY_TYPE_DOES_NOT_EXIST"));
    }

    [Test]
    public async Task A_timer_id_in_use_and_an_unknown_timer_id_fail_their_decisions_alike_but_only_flow_dev_schedules_a_decision_for_them()
    {
        // API reference, StartTimerFailedEventAttributes / CancelTimerFailedEventAttributes: the failure is
        // recorded so the decider can handle it ("useful for diagnosing problems"), which it can only do at
        // a next decision task; SWF schedules one after a decision's failure event, as moto itself does for
        // ScheduleActivityTaskFailed. moto records StartTimerFailed/CancelTimerFailed and schedules nothing,
        // which leaves the workflow stuck. CancelTimerFailedEventAttributes.timerId is required ("the timerId
        // provided in the CancelTimer decision that failed"); moto leaves it out.
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            await s.DecideAsync(StartTimer("t", "600"), StartTimer("t", "600"), CancelTimer("other"));
            var failed = (await s.HistoryAsync(run)).Single(e => e.EventType == EventType.CancelTimerFailed).CancelTimerFailedEventAttributes!;
            return (failed.TimerId, await s.NormalizedHistoryAsync(run, "timerId"));
        });

        Assert.That(dev.TimerId, Is.EqualTo("other"));
        Assert.That(moto.TimerId, Is.Empty, "moto (observed): no timerId");
        var motoHistory = moto.Item2;
        Both.AssertSameHistory(motoHistory, [.. dev.Item2.Take(motoHistory.Count)]);
        Assert.That(dev.Item2[5], Does.Contain("StartTimerFailed").And.Contain("TIMER_ID_ALREADY_IN_USE"));
        Assert.That(dev.Item2[6], Does.Contain("CancelTimerFailed").And.Contain("TIMER_ID_UNKNOWN"));
        Assert.That(dev.Item2.Skip(motoHistory.Count).Select(e => e.Split('"')[3]), Is.EqualTo(new[] { "DecisionTaskScheduled" }), "flow dev");
        Assert.That(motoHistory, Has.Count.EqualTo(7), "moto (observed): no decision task follows");
    }

    [Test]
    public async Task Completing_while_a_signal_arrived_during_the_decision_fails_with_UNHANDLED_DECISION_on_flow_dev_only()
    {
        // API reference, CompleteWorkflowExecutionFailedEventAttributes.cause UNHANDLED_DECISION: a close decision
        // is rejected when new events (here a signal) arrived while the decision task ran, so the decider sees
        // them first. flow dev records CompleteWorkflowExecutionFailed and schedules a new decision task;
        // moto closes the workflow. (Both apply the rule to CancelWorkflowExecution; see the next test.)
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            var task = await s.DecisionAsync();
            await s.SignalAsync("order", "late", "x");
            await s.RespondAsync(task, Complete());
            return await s.WireEventTypesAsync(run);
        });

        string[] common = ["WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "WorkflowExecutionSignaled", "DecisionTaskScheduled", "DecisionTaskCompleted"];
        Assert.That(dev, Is.EqualTo(common.Append("CompleteWorkflowExecutionFailed")));
        Assert.That(moto, Is.EqualTo(common.Append("WorkflowExecutionCompleted")));
    }

    [Test]
    public async Task Canceling_while_a_signal_arrived_during_the_decision_fails_with_UNHANDLED_DECISION_the_same_way()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            var task = await s.DecisionAsync();
            await s.SignalAsync("order", "late", "x");
            await s.RespondAsync(task, CancelWorkflow());
            return await s.NormalizedHistoryAsync(run);
        });

        Both.AssertSameHistory(moto, dev);
        Assert.That(dev[^1], Does.Contain("CancelWorkflowExecutionFailed").And.Contain("UNHANDLED_DECISION"));
    }

    [Test]
    public async Task RequestCancelActivityTask_records_the_request_on_flow_dev_and_is_a_server_error_on_moto()
    {
        // API reference, Decision: RequestCancelActivityTask "attempts to cancel a previously scheduled activity
        // task" and records ActivityTaskCancelRequested; a heartbeat then answers cancelRequested = true and the
        // worker may answer RespondActivityTaskCanceled. moto has neither the decision nor RespondActivityTaskCanceled.
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            await s.DecideAsync(Schedule("charge-1"));
            var activity = await s.ActivityTaskAsync();
            await s.SignalAsync("order", "stop", "now");
            try
            {
                await s.DecideAsync(RequestCancelActivity("charge-1"));
            }
            catch (SwfException e)
            {
                return e.ErrorCode;
            }
            var beat = await s.Client.RecordActivityTaskHeartbeatAsync(new RecordActivityTaskHeartbeatInput { TaskToken = activity.TaskToken });
            Assert.That(beat.CancelRequested, Is.True);
            await s.Client.RespondActivityTaskCanceledAsync(new RespondActivityTaskCanceledInput { TaskToken = activity.TaskToken, Details = "stopped" });
            await s.DecideAsync(CancelWorkflow());
            return string.Join(",", (await s.HistoryAsync(run)).Select(e => e.EventType).Skip(9));
        });

        Assert.That(dev, Is.EqualTo("DecisionTaskCompleted,ActivityTaskCancelRequested,ActivityTaskCanceled,DecisionTaskScheduled,DecisionTaskStarted,DecisionTaskCompleted,WorkflowExecutionCanceled"));
        Assert.That(moto, Does.StartWith("HttpStatus5"), "moto (observed): NotImplementedError, a 500");
    }
}
