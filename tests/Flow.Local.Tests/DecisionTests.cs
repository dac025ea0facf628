using Flow.Swf;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

public class DecisionTests
{
    Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    List<HistoryEvent> DecideAndRead(WorkflowExecution wf, params Decision[] decisions)
    {
        var d = _h.PollDecision();
        _h.Decide(d, decisions);
        return _h.History(wf).Where(e => e.EventId > d.StartedEventId + 1).ToList();
    }

    [Test]
    public void Scheduling_an_unregistered_activity_fails_with_ACTIVITY_TYPE_DOES_NOT_EXIST_and_schedules_a_decision()
    {
        var wf = _h.Start();
        var events = DecideAndRead(wf, ScheduleActivity("a", configure: a => a.ActivityType = new ActivityType { Name = "Nope", Version = "1" }));
        Assert.That(events.Select(e => e.EventType), Is.EqualTo(new[] { EventType.ScheduleActivityTaskFailed, EventType.DecisionTaskScheduled }));
        var failed = events[0].ScheduleActivityTaskFailedEventAttributes!;
        Assert.That((failed.Cause, failed.ActivityId, failed.DecisionTaskCompletedEventId), Is.EqualTo((ScheduleActivityTaskFailedCause.ActivityTypeDoesNotExist, "a", 4L)));
    }

    [Test]
    public void Scheduling_a_deprecated_activity_fails_with_ACTIVITY_TYPE_DEPRECATED()
    {
        Run(_h.Swf.DeprecateActivityTypeAsync(new DeprecateActivityTypeInput { Domain = Domain, ActivityType = new ActivityType { Name = "Work", Version = "1" } }));
        var wf = _h.Start();
        var events = DecideAndRead(wf, ScheduleActivity("a"));
        Assert.That(events[0].ScheduleActivityTaskFailedEventAttributes!.Cause, Is.EqualTo(ScheduleActivityTaskFailedCause.ActivityTypeDeprecated));
    }

    [Test]
    public void Reusing_an_open_activity_id_fails_with_ACTIVITY_ID_ALREADY_IN_USE()
    {
        var wf = _h.Start();
        var events = DecideAndRead(wf, ScheduleActivity("a"), ScheduleActivity("a"));
        Assert.That(events.Select(e => e.EventType), Is.EqualTo(new[]
        {
            EventType.ActivityTaskScheduled, EventType.ScheduleActivityTaskFailed, EventType.DecisionTaskScheduled,
        }));
        Assert.That(events[1].ScheduleActivityTaskFailedEventAttributes!.Cause, Is.EqualTo(ScheduleActivityTaskFailedCause.ActivityIdAlreadyInUse));
    }

    [TestCase("taskList", ScheduleActivityTaskFailedCause.DefaultTaskListUndefined)]
    [TestCase("s2s", ScheduleActivityTaskFailedCause.DefaultScheduleToStartTimeoutUndefined)]
    [TestCase("s2c", ScheduleActivityTaskFailedCause.DefaultScheduleToCloseTimeoutUndefined)]
    [TestCase("stc", ScheduleActivityTaskFailedCause.DefaultStartToCloseTimeoutUndefined)]
    [TestCase("hb", ScheduleActivityTaskFailedCause.DefaultHeartbeatTimeoutUndefined)]
    public void An_activity_without_a_needed_value_or_default_fails_with_its_DEFAULT_UNDEFINED_cause(string missing, ScheduleActivityTaskFailedCause cause)
    {
        Run(_h.Swf.RegisterActivityTypeAsync(new RegisterActivityTypeInput { Domain = Domain, Name = "Bare", Version = "1" }));
        var wf = _h.Start();
        var events = DecideAndRead(wf, ScheduleActivity("a", configure: a =>
        {
            a.ActivityType = new ActivityType { Name = "Bare", Version = "1" };
            a.TaskList = missing == "taskList" ? null : new TaskList { Name = "x" };
            a.ScheduleToStartTimeout = missing == "s2s" ? null : "10";
            a.ScheduleToCloseTimeout = missing == "s2c" ? null : "10";
            a.StartToCloseTimeout = missing == "stc" ? null : "10";
            a.HeartbeatTimeout = missing == "hb" ? null : "10";
        }));
        Assert.That(events[0].ScheduleActivityTaskFailedEventAttributes!.Cause, Is.EqualTo(cause));
    }

    [Test]
    public void Canceling_an_activity_that_has_not_started_records_the_request_and_the_cancellation()
    {
        var wf = _h.Start();
        var d = _h.PollDecision();
        _h.Decide(d, ScheduleActivity("a"), new Decision
        {
            DecisionType = DecisionType.RequestCancelActivityTask,
            RequestCancelActivityTaskDecisionAttributes = new RequestCancelActivityTaskDecisionAttributes { ActivityId = "a" },
        });
        Assert.That(_h.EventTypes(wf).Skip(4), Is.EqualTo(new[]
        {
            EventType.ActivityTaskScheduled, EventType.ActivityTaskCancelRequested, EventType.ActivityTaskCanceled, EventType.DecisionTaskScheduled,
        }));
        Assert.That(Run(_h.Swf.CountPendingActivityTasksAsync(new CountPendingActivityTasksInput { Domain = Domain, TaskList = new TaskList { Name = Activities } })).Count,
            Is.EqualTo(0));
    }

    [Test]
    public void Canceling_a_started_activity_makes_its_heartbeat_answer_cancelRequested()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(), ScheduleActivity("a"));
        var task = _h.PollActivity();
        Assert.That(Run(_h.Swf.RecordActivityTaskHeartbeatAsync(new RecordActivityTaskHeartbeatInput { TaskToken = task.TaskToken })).CancelRequested, Is.False);
        Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "cancel" }));
        _h.Decide(_h.PollDecision(), new Decision
        {
            DecisionType = DecisionType.RequestCancelActivityTask,
            RequestCancelActivityTaskDecisionAttributes = new RequestCancelActivityTaskDecisionAttributes { ActivityId = "a" },
        });
        Assert.That(Run(_h.Swf.RecordActivityTaskHeartbeatAsync(new RecordActivityTaskHeartbeatInput { TaskToken = task.TaskToken })).CancelRequested, Is.True);
        Run(_h.Swf.RespondActivityTaskCanceledAsync(new RespondActivityTaskCanceledInput { TaskToken = task.TaskToken }));
        var canceled = _h.History(wf).Single(e => e.EventType == EventType.ActivityTaskCanceled).ActivityTaskCanceledEventAttributes!;
        var requested = _h.History(wf).Single(e => e.EventType == EventType.ActivityTaskCancelRequested);
        Assert.That(canceled.LatestCancelRequestedEventId, Is.EqualTo(requested.EventId));
    }

    [Test]
    public void Canceling_an_unknown_activity_fails_with_ACTIVITY_ID_UNKNOWN()
    {
        var wf = _h.Start();
        var events = DecideAndRead(wf, new Decision
        {
            DecisionType = DecisionType.RequestCancelActivityTask,
            RequestCancelActivityTaskDecisionAttributes = new RequestCancelActivityTaskDecisionAttributes { ActivityId = "nope" },
        });
        Assert.That(events[0].RequestCancelActivityTaskFailedEventAttributes!.Cause, Is.EqualTo(RequestCancelActivityTaskFailedCause.ActivityIdUnknown));
    }

    [Test]
    public void A_timer_fires_after_its_time_and_schedules_a_decision()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(), StartTimer("t", "10"));
        _h.Advance(TimeSpan.FromSeconds(9));
        Assert.That(_h.EventTypes(wf).Last(), Is.EqualTo(EventType.TimerStarted));
        _h.Advance(TimeSpan.FromSeconds(1));
        var h = _h.History(wf);
        Assert.That(h.Skip(5).Select(e => e.EventType), Is.EqualTo(new[] { EventType.TimerFired, EventType.DecisionTaskScheduled }));
        Assert.That(h[5].TimerFiredEventAttributes!.StartedEventId, Is.EqualTo(5));
        Assert.That(h[5].EventTimestamp - h[4].EventTimestamp, Is.EqualTo(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void A_timer_id_in_use_fails_with_TIMER_ID_ALREADY_IN_USE_and_an_unknown_one_cannot_be_canceled()
    {
        var wf = _h.Start();
        var events = DecideAndRead(wf, StartTimer("t", "10"), StartTimer("t", "10"),
            new Decision { DecisionType = DecisionType.CancelTimer, CancelTimerDecisionAttributes = new CancelTimerDecisionAttributes { TimerId = "u" } });
        Assert.That(events.Select(e => e.EventType), Is.EqualTo(new[]
        {
            EventType.TimerStarted, EventType.StartTimerFailed, EventType.CancelTimerFailed, EventType.DecisionTaskScheduled,
        }));
        Assert.That(events[1].StartTimerFailedEventAttributes!.Cause, Is.EqualTo(StartTimerFailedCause.TimerIdAlreadyInUse));
        Assert.That(events[2].CancelTimerFailedEventAttributes!.Cause, Is.EqualTo(CancelTimerFailedCause.TimerIdUnknown));
    }

    [Test]
    public void A_canceled_timer_never_fires()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(), StartTimer("t", "10"),
            new Decision { DecisionType = DecisionType.CancelTimer, CancelTimerDecisionAttributes = new CancelTimerDecisionAttributes { TimerId = "t" } });
        _h.Advance(TimeSpan.FromSeconds(20));
        Assert.That(_h.EventTypes(wf).Skip(4), Is.EqualTo(new[] { EventType.TimerStarted, EventType.TimerCanceled }));
    }

    [Test]
    public void A_marker_is_recorded_with_its_details()
    {
        var wf = _h.Start();
        var events = DecideAndRead(wf, new Decision
        {
            DecisionType = DecisionType.RecordMarker,
            RecordMarkerDecisionAttributes = new RecordMarkerDecisionAttributes { MarkerName = "m", Details = "d" },
        });
        Assert.That((events[0].MarkerRecordedEventAttributes!.MarkerName, events[0].MarkerRecordedEventAttributes!.Details), Is.EqualTo(("m", "d")));
        Assert.That(events, Has.Count.EqualTo(1), "a marker schedules no decision");
    }

    [Test]
    public void Failing_and_canceling_the_workflow_close_it_with_their_status()
    {
        var wf1 = _h.Start("f");
        _h.Decide(_h.PollDecision(), new Decision
        {
            DecisionType = DecisionType.FailWorkflowExecution,
            FailWorkflowExecutionDecisionAttributes = new FailWorkflowExecutionDecisionAttributes { Reason = "r", Details = "d" },
        });
        var wf2 = _h.Start("c");
        _h.Decide(_h.PollDecision(), new Decision
        {
            DecisionType = DecisionType.CancelWorkflowExecution,
            CancelWorkflowExecutionDecisionAttributes = new CancelWorkflowExecutionDecisionAttributes { Details = "x" },
        });
        Assert.That(_h.History(wf1).Last().WorkflowExecutionFailedEventAttributes!.Reason, Is.EqualTo("r"));
        Assert.That(_h.History(wf2).Last().WorkflowExecutionCanceledEventAttributes!.Details, Is.EqualTo("x"));
        Assert.That(_h.Describe(wf1).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.Failed));
        Assert.That(_h.Describe(wf2).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.Canceled));
    }

    [Test]
    public void A_close_decision_fails_with_UNHANDLED_DECISION_when_events_arrived_since_the_task_started()
    {
        var wf = _h.Start();
        var d = _h.PollDecision();
        Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "s" }));
        _h.Decide(d, Complete());
        var h = _h.History(wf);
        Assert.That(h.Skip(3).Select(e => e.EventType), Is.EqualTo(new[]
        {
            EventType.WorkflowExecutionSignaled, EventType.DecisionTaskScheduled, EventType.DecisionTaskCompleted, EventType.CompleteWorkflowExecutionFailed,
        }));
        Assert.That(h.Last().CompleteWorkflowExecutionFailedEventAttributes!.Cause, Is.EqualTo(CompleteWorkflowExecutionFailedCause.UnhandledDecision));
        Assert.That(_h.Describe(wf).ExecutionInfo.ExecutionStatus, Is.EqualTo(ExecutionStatus.Open));
        _h.Decide(_h.PollDecision(), Complete());
        Assert.That(_h.Describe(wf).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.Completed));
    }

    [Test]
    public void A_batch_with_a_malformed_decision_is_rejected_whole()
    {
        var wf = _h.Start();
        var d = _h.PollDecision();
        Assert.That(() => _h.Decide(d, ScheduleActivity("a"), new Decision { DecisionType = DecisionType.StartTimer }),
            Throws.TypeOf<SwfValidationException>().With.Property("ErrorCode").EqualTo("ValidationException"));
        Assert.That(() => _h.Decide(d, StartTimer("t", "soon")), Throws.TypeOf<SwfValidationException>());
        Assert.That(() => _h.Decide(d, Complete(), StartTimer("t", "1")), Throws.TypeOf<SwfValidationException>());
        Assert.That(() => _h.Decide(d, ScheduleActivity(new string('x', 300))), Throws.TypeOf<SwfValidationException>());
        Assert.That(_h.History(wf), Has.Count.EqualTo(3), "nothing was recorded");
        _h.Decide(d, ScheduleActivity("a"));
        Assert.That(_h.EventTypes(wf).Last(), Is.EqualTo(EventType.ActivityTaskScheduled), "the task is still open after a rejected batch");
    }

    [Test]
    public void A_lambda_decision_fails_because_no_lambda_runs_here()
    {
        var wf = _h.Start();
        var events = DecideAndRead(wf, new Decision
        {
            DecisionType = DecisionType.ScheduleLambdaFunction,
            ScheduleLambdaFunctionDecisionAttributes = new ScheduleLambdaFunctionDecisionAttributes { Id = "l", Name = "fn" },
        });
        Assert.That(events[0].EventType, Is.EqualTo(EventType.ScheduleLambdaFunctionFailed));
    }

    [Test]
    public void A_task_list_override_routes_the_next_decision_and_falls_back_after_its_schedule_to_start_timeout()
    {
        var wf = _h.Start();
        var d = _h.PollDecision();
        Run(_h.Swf.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput
        {
            TaskToken = d.TaskToken, Decisions = [StartTimer("t", "1")], TaskList = new TaskList { Name = "sticky" }, TaskListScheduleToStartTimeout = "5",
        }));
        _h.Advance(TimeSpan.FromSeconds(1));
        var scheduled = _h.History(wf).Last().DecisionTaskScheduledEventAttributes!;
        Assert.That((scheduled.TaskList.Name, scheduled.ScheduleToStartTimeout), Is.EqualTo(("sticky", "5")));
        _h.Advance(TimeSpan.FromSeconds(5));
        var h = _h.History(wf);
        Assert.That(h[^2].DecisionTaskTimedOutEventAttributes!.TimeoutType, Is.EqualTo(DecisionTaskTimeoutType.ScheduleToStart));
        Assert.That(h[^1].DecisionTaskScheduledEventAttributes!.TaskList.Name, Is.EqualTo(Decisions));
        _h.PollDecision();
    }

    [Test]
    public void The_thousand_and_first_open_activity_fails_with_OPEN_ACTIVITIES_LIMIT_EXCEEDED()
    {
        var wf = _h.Start();
        for (var batch = 0; batch < 11; batch++)
        {
            if (batch > 0)
                Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "more" }));
            var size = batch < 10 ? 100 : 1;
            _h.Decide(_h.PollDecision(), [.. Enumerable.Range(0, size).Select(i => ScheduleActivity($"a{batch}-{i}"))]);
        }
        Assert.That(_h.Describe(wf).OpenCounts.OpenActivityTasks, Is.EqualTo(1000));
        var failed = Run(_h.Swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput
        {
            Domain = Domain, Execution = wf, ReverseOrder = true, MaximumPageSize = 2,
        })).Events[1];
        Assert.That(failed.ScheduleActivityTaskFailedEventAttributes!.Cause, Is.EqualTo(ScheduleActivityTaskFailedCause.OpenActivitiesLimitExceeded));
    }
}
