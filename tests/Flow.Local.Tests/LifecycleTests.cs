using Flow.Swf;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

public class LifecycleTests
{
    Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void A_workflow_with_one_activity_records_the_history_SWF_records()
    {
        var wf = _h.Start(input: "in");
        var d1 = _h.PollDecision();
        Assert.That(d1.Events.Select(e => e.EventType), Is.EqualTo(new[]
        {
            EventType.WorkflowExecutionStarted, EventType.DecisionTaskScheduled, EventType.DecisionTaskStarted,
        }));
        Assert.That(d1.StartedEventId, Is.EqualTo(3));
        Assert.That(d1.PreviousStartedEventId, Is.EqualTo(0));
        Assert.That(d1.WorkflowExecution.RunId, Is.EqualTo(wf.RunId));
        _h.Decide(d1, ScheduleActivity("a1", "x"));

        var a = _h.PollActivity();
        Assert.That((a.ActivityId, a.Input, a.StartedEventId), Is.EqualTo(("a1", "x", 6L)));
        Run(_h.Swf.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = a.TaskToken, Result = "done" }));

        var d2 = _h.PollDecision();
        Assert.That(d2.PreviousStartedEventId, Is.EqualTo(3));
        _h.Decide(d2, Complete("ok"));

        var history = _h.History(wf);
        Assert.That(history.Select(e => e.EventType), Is.EqualTo(new[]
        {
            EventType.WorkflowExecutionStarted, EventType.DecisionTaskScheduled, EventType.DecisionTaskStarted, EventType.DecisionTaskCompleted,
            EventType.ActivityTaskScheduled, EventType.ActivityTaskStarted, EventType.ActivityTaskCompleted,
            EventType.DecisionTaskScheduled, EventType.DecisionTaskStarted, EventType.DecisionTaskCompleted, EventType.WorkflowExecutionCompleted,
        }));
        Assert.That(history.Select(e => e.EventId), Is.EqualTo(Enumerable.Range(1, 11).Select(i => (long)i)));
        var scheduled = history[4].ActivityTaskScheduledEventAttributes!;
        Assert.That((scheduled.DecisionTaskCompletedEventId, scheduled.TaskList.Name, scheduled.StartToCloseTimeout), Is.EqualTo((4L, ActivityList, "NONE")));
        Assert.That(history[6].ActivityTaskCompletedEventAttributes!.Result, Is.EqualTo("done"));
        Assert.That((history[6].ActivityTaskCompletedEventAttributes!.ScheduledEventId, history[6].ActivityTaskCompletedEventAttributes!.StartedEventId), Is.EqualTo((5L, 6L)));
        Assert.That(history[9].DecisionTaskCompletedEventAttributes!.StartedEventId, Is.EqualTo(9));
        Assert.That(history[10].WorkflowExecutionCompletedEventAttributes!.Result, Is.EqualTo("ok"));
        Assert.That(history[0].WorkflowExecutionStartedEventAttributes!.Input, Is.EqualTo("in"));

        var info = _h.Describe(wf).ExecutionInfo;
        Assert.That((info.ExecutionStatus, info.CloseStatus), Is.EqualTo((ExecutionStatus.Closed, (CloseStatus?)CloseStatus.Completed)));
    }

    [Test]
    public void The_started_event_carries_the_types_defaults()
    {
        var wf = _h.Start();
        var started = _h.History(wf)[0].WorkflowExecutionStartedEventAttributes!;
        Assert.That((started.TaskList.Name, started.ExecutionStartToCloseTimeout, started.TaskStartToCloseTimeout, started.ChildPolicy),
            Is.EqualTo((Decisions, "3600", "30", ChildPolicy.Terminate)));
    }

    [Test]
    public void Events_that_arrive_while_a_decision_runs_schedule_the_next_one_which_waits_for_the_first_to_finish()
    {
        var wf = _h.Start();
        var d1 = _h.PollDecision();
        Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "s" }));
        Assert.That(Run(_h.Swf.CountPendingDecisionTasksAsync(new CountPendingDecisionTasksInput { Domain = Domain, TaskList = new TaskList { Name = Decisions } })).Count,
            Is.EqualTo(0), "a second decision task is not handed out while one is started");
        _h.Decide(d1);
        var d2 = _h.PollDecision();
        Assert.That(_h.EventTypes(wf), Is.EqualTo(new[]
        {
            EventType.WorkflowExecutionStarted, EventType.DecisionTaskScheduled, EventType.DecisionTaskStarted,
            EventType.WorkflowExecutionSignaled, EventType.DecisionTaskScheduled, EventType.DecisionTaskCompleted, EventType.DecisionTaskStarted,
        }));
        Assert.That(d2.StartedEventId, Is.EqualTo(7));
    }

    [Test]
    public void Describe_counts_what_is_open_and_keeps_the_latest_execution_context()
    {
        var wf = _h.Start();
        var d = _h.PollDecision();
        Run(_h.Swf.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput
        {
            TaskToken = d.TaskToken, ExecutionContext = "ctx",
            Decisions = [ScheduleActivity("a1"), ScheduleActivity("a2"), StartTimer("t", "100")],
        }));
        var detail = _h.Describe(wf);
        Assert.That(detail.OpenCounts.OpenActivityTasks, Is.EqualTo(2));
        Assert.That(detail.OpenCounts.OpenTimers, Is.EqualTo(1));
        Assert.That(detail.OpenCounts.OpenDecisionTasks, Is.EqualTo(0));
        Assert.That(detail.OpenCounts.OpenChildWorkflowExecutions, Is.EqualTo(0));
        Assert.That(detail.OpenCounts.OpenLambdaFunctions, Is.EqualTo(0));
        Assert.That(detail.LatestExecutionContext, Is.EqualTo("ctx"));
        Assert.That(detail.LatestActivityTaskTimestamp, Is.Not.Null);
        Assert.That(detail.ExecutionConfiguration.TaskList.Name, Is.EqualTo(Decisions));
    }

    [Test]
    public void A_stale_task_token_is_an_unknown_resource()
    {
        _h.Start();
        var d = _h.PollDecision();
        _h.Decide(d);
        Assert.That(() => _h.Decide(d), Throws.TypeOf<UnknownResourceException>());
        Assert.That(() => Run(_h.Swf.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = "garbage" })),
            Throws.TypeOf<UnknownResourceException>());
    }

    [Test]
    public void Activity_failure_and_cancellation_are_recorded_with_their_details()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(), ScheduleActivity("a1"), ScheduleActivity("a2"));
        var a1 = _h.PollActivity();
        var a2 = _h.PollActivity();
        Run(_h.Swf.RespondActivityTaskFailedAsync(new RespondActivityTaskFailedInput { TaskToken = a1.TaskToken, Reason = "r", Details = "d" }));
        Run(_h.Swf.RespondActivityTaskCanceledAsync(new RespondActivityTaskCanceledInput { TaskToken = a2.TaskToken, Details = "c" }));
        var h = _h.History(wf);
        var failed = h.Single(e => e.EventType == EventType.ActivityTaskFailed).ActivityTaskFailedEventAttributes!;
        Assert.That((failed.Reason, failed.Details), Is.EqualTo(("r", "d")));
        Assert.That(h.Single(e => e.EventType == EventType.ActivityTaskCanceled).ActivityTaskCanceledEventAttributes!.Details, Is.EqualTo("c"));
        Assert.That(h.Count(e => e.EventType == EventType.DecisionTaskScheduled), Is.EqualTo(2), "one decision task scheduled for both");
    }

    [Test]
    public void Signals_cancel_requests_and_termination_reach_the_history()
    {
        var wf = _h.Start();
        Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "go", Input = "i" }));
        Run(_h.Swf.RequestCancelWorkflowExecutionAsync(new RequestCancelWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId }));
        Assert.That(_h.Describe(wf).ExecutionInfo.CancelRequested, Is.True);
        Run(_h.Swf.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, Reason = "stop" }));
        Assert.That(_h.EventTypes(wf), Is.EqualTo(new[]
        {
            EventType.WorkflowExecutionStarted, EventType.DecisionTaskScheduled, EventType.WorkflowExecutionSignaled,
            EventType.WorkflowExecutionCancelRequested, EventType.WorkflowExecutionTerminated,
        }));
        Assert.That(_h.Describe(wf).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.Terminated));
        Assert.That(Run(_h.Swf.CountPendingDecisionTasksAsync(new CountPendingDecisionTasksInput { Domain = Domain, TaskList = new TaskList { Name = Decisions } })).Count,
            Is.EqualTo(0), "a closed execution's decision task leaves the task list");
        Assert.That(() => Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "late" })),
            Throws.TypeOf<UnknownResourceException>());
    }
}
