using Flow.Swf;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

public class ChildAndExternalTests
{
    Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    static Decision StartChild(string id, ChildPolicy? policy = null, string type = "Flow") => new()
    {
        DecisionType = DecisionType.StartChildWorkflowExecution,
        StartChildWorkflowExecutionDecisionAttributes = new StartChildWorkflowExecutionDecisionAttributes
        {
            WorkflowId = id, WorkflowType = new WorkflowType { Name = type, Version = "1" }, Input = "child-in", ChildPolicy = policy,
            TaskList = new TaskList { Name = "children" },
        },
    };

    DecisionTask PollChildren() => _h.PollDecision("children");

    WorkflowExecution StartParentWithChild(ChildPolicy? policy = null)
    {
        var parent = _h.Start("parent");
        _h.Decide(_h.PollDecision(), StartChild("child", policy));
        return parent;
    }

    WorkflowExecution ChildOf(WorkflowExecution parent) =>
        _h.History(parent).Single(e => e.EventType == EventType.ChildWorkflowExecutionStarted).ChildWorkflowExecutionStartedEventAttributes!.WorkflowExecution;

    [Test]
    public void A_child_starts_and_its_completion_is_reported_to_the_parent()
    {
        var parent = StartParentWithChild();
        Assert.That(_h.EventTypes(parent).Skip(4), Is.EqualTo(new[]
        {
            EventType.StartChildWorkflowExecutionInitiated, EventType.ChildWorkflowExecutionStarted, EventType.DecisionTaskScheduled,
        }));
        var child = ChildOf(parent);
        var childStarted = _h.History(child)[0].WorkflowExecutionStartedEventAttributes!;
        Assert.That((childStarted.ParentWorkflowExecution!.RunId, childStarted.ParentInitiatedEventId, childStarted.Input), Is.EqualTo((parent.RunId, (long?)5, "child-in")));
        Assert.That(_h.Describe(parent).OpenCounts.OpenChildWorkflowExecutions, Is.EqualTo(1));

        _h.Decide(PollChildren(), Complete("child-out"));
        var done = _h.History(parent).Single(e => e.EventType == EventType.ChildWorkflowExecutionCompleted).ChildWorkflowExecutionCompletedEventAttributes!;
        Assert.That((done.Result, done.InitiatedEventId, done.StartedEventId, done.WorkflowExecution.RunId), Is.EqualTo(("child-out", 5L, 6L, child.RunId)));
        Assert.That(_h.Describe(parent).OpenCounts.OpenChildWorkflowExecutions, Is.EqualTo(0));
    }

    [Test]
    public void A_childs_failure_cancellation_termination_and_timeout_are_reported_to_the_parent()
    {
        var parent = _h.Start("parent");
        _h.Decide(_h.PollDecision(), StartChild("f"), StartChild("c"), StartChild("t"), new Decision
        {
            DecisionType = DecisionType.StartChildWorkflowExecution,
            StartChildWorkflowExecutionDecisionAttributes = new StartChildWorkflowExecutionDecisionAttributes
            {
                WorkflowId = "o", WorkflowType = new WorkflowType { Name = "Flow", Version = "1" }, ExecutionStartToCloseTimeout = "10",
                TaskList = new TaskList { Name = "slow" },
            },
        });
        var tasks = new[] { PollChildren(), PollChildren(), PollChildren() }.ToDictionary(t => t.WorkflowExecution.WorkflowId);
        _h.Decide(tasks["f"], new Decision { DecisionType = DecisionType.FailWorkflowExecution, FailWorkflowExecutionDecisionAttributes = new() { Reason = "bad" } });
        _h.Decide(tasks["c"], new Decision { DecisionType = DecisionType.CancelWorkflowExecution, CancelWorkflowExecutionDecisionAttributes = new() });
        Run(_h.Swf.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = Domain, WorkflowId = "t" }));
        _h.Advance(TimeSpan.FromSeconds(10));
        var types = _h.EventTypes(parent);
        Assert.That(types, Does.Contain(EventType.ChildWorkflowExecutionFailed));
        Assert.That(types, Does.Contain(EventType.ChildWorkflowExecutionCanceled));
        Assert.That(types, Does.Contain(EventType.ChildWorkflowExecutionTerminated));
        Assert.That(types, Does.Contain(EventType.ChildWorkflowExecutionTimedOut));
        Assert.That(_h.History(parent).Single(e => e.EventType == EventType.ChildWorkflowExecutionFailed).ChildWorkflowExecutionFailedEventAttributes!.Reason,
            Is.EqualTo("bad"));
    }

    [Test]
    public void A_child_with_a_running_workflow_id_fails_with_WORKFLOW_ALREADY_RUNNING()
    {
        _h.Start("child", configure: s => s.TaskList = new TaskList { Name = "elsewhere" });
        var parent = StartParentWithChild();
        var failed = _h.History(parent).Single(e => e.EventType == EventType.StartChildWorkflowExecutionFailed).StartChildWorkflowExecutionFailedEventAttributes!;
        Assert.That((failed.Cause, failed.InitiatedEventId), Is.EqualTo((StartChildWorkflowExecutionFailedCause.WorkflowAlreadyRunning, 5L)));
    }

    [Test]
    public void A_child_of_an_unknown_type_fails_with_WORKFLOW_TYPE_DOES_NOT_EXIST()
    {
        var parent = _h.Start("parent");
        _h.Decide(_h.PollDecision(), StartChild("child", type: "Nope"));
        var h = _h.History(parent);
        Assert.That(h[4].StartChildWorkflowExecutionFailedEventAttributes!.Cause, Is.EqualTo(StartChildWorkflowExecutionFailedCause.WorkflowTypeDoesNotExist));
        Assert.That(h[5].EventType, Is.EqualTo(EventType.DecisionTaskScheduled));
    }

    [Test]
    public void Closing_a_parent_terminates_children_under_TERMINATE()
    {
        var parent = StartParentWithChild(ChildPolicy.Terminate);
        var child = ChildOf(parent);
        _h.Decide(_h.PollDecision(), Complete());
        var last = _h.History(child).Last();
        Assert.That(last.EventType, Is.EqualTo(EventType.WorkflowExecutionTerminated));
        Assert.That(last.WorkflowExecutionTerminatedEventAttributes!.Cause, Is.EqualTo(WorkflowExecutionTerminatedCause.ChildPolicyApplied));
    }

    [Test]
    public void Closing_a_parent_asks_children_to_cancel_under_REQUEST_CANCEL()
    {
        var parent = _h.Start("parent", configure: s => s.ChildPolicy = ChildPolicy.RequestCancel);
        _h.Decide(_h.PollDecision(), StartChild("child"));
        var child = ChildOf(parent);
        _h.Decide(_h.PollDecision(), Complete());
        var requested = _h.History(child).Single(e => e.EventType == EventType.WorkflowExecutionCancelRequested);
        Assert.That(requested.WorkflowExecutionCancelRequestedEventAttributes!.Cause, Is.EqualTo(WorkflowExecutionCancelRequestedCause.ChildPolicyApplied));
        Assert.That(_h.Describe(child).ExecutionInfo.ExecutionStatus, Is.EqualTo(ExecutionStatus.Open));
    }

    [Test]
    public void Closing_a_parent_leaves_children_alone_under_ABANDON()
    {
        var parent = _h.Start("parent", configure: s => s.ChildPolicy = ChildPolicy.Abandon);
        _h.Decide(_h.PollDecision(), StartChild("child"));
        var child = ChildOf(parent);
        Run(_h.Swf.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = Domain, WorkflowId = "parent" }));
        Assert.That(_h.EventTypes(child), Is.EqualTo(new[] { EventType.WorkflowExecutionStarted, EventType.DecisionTaskScheduled }));
    }

    [Test]
    public void Continue_as_new_closes_the_run_and_starts_a_new_one_with_the_same_workflow_id()
    {
        var first = _h.Start();
        _h.Decide(_h.PollDecision(), new Decision
        {
            DecisionType = DecisionType.ContinueAsNewWorkflowExecution,
            ContinueAsNewWorkflowExecutionDecisionAttributes = new ContinueAsNewWorkflowExecutionDecisionAttributes { Input = "again", TagList = ["t"] },
        });
        var continued = _h.History(first).Last();
        Assert.That(continued.EventType, Is.EqualTo(EventType.WorkflowExecutionContinuedAsNew));
        var newRun = continued.WorkflowExecutionContinuedAsNewEventAttributes!.NewExecutionRunId;
        Assert.That(_h.Describe(first).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.ContinuedAsNew));
        var second = new WorkflowExecution { WorkflowId = first.WorkflowId, RunId = newRun };
        var started = _h.History(second)[0].WorkflowExecutionStartedEventAttributes!;
        Assert.That((started.ContinuedExecutionRunId, started.Input), Is.EqualTo((first.RunId, "again")));
        Assert.That(_h.PollDecision().WorkflowExecution.RunId, Is.EqualTo(newRun));
    }

    [Test]
    public void Continue_as_new_to_a_missing_version_fails_with_its_cause()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(), new Decision
        {
            DecisionType = DecisionType.ContinueAsNewWorkflowExecution,
            ContinueAsNewWorkflowExecutionDecisionAttributes = new ContinueAsNewWorkflowExecutionDecisionAttributes { WorkflowTypeVersion = "9" },
        });
        Assert.That(_h.History(wf)[4].ContinueAsNewWorkflowExecutionFailedEventAttributes!.Cause,
            Is.EqualTo(ContinueAsNewWorkflowExecutionFailedCause.WorkflowTypeDoesNotExist));
    }

    [Test]
    public void A_signal_to_another_workflow_is_delivered_and_acknowledged()
    {
        var target = _h.Start("target");
        var source = _h.Start("source");
        _h.PollDecision(); // target's first decision task
        var d = _h.PollDecision();
        Assert.That(d.WorkflowExecution.WorkflowId, Is.EqualTo("source"));
        _h.Decide(d, new Decision
        {
            DecisionType = DecisionType.SignalExternalWorkflowExecution,
            SignalExternalWorkflowExecutionDecisionAttributes = new() { WorkflowId = "target", SignalName = "hello", Input = "hi", Control = "c" },
        });
        Assert.That(_h.EventTypes(source).Skip(4), Is.EqualTo(new[]
        {
            EventType.SignalExternalWorkflowExecutionInitiated, EventType.ExternalWorkflowExecutionSignaled, EventType.DecisionTaskScheduled,
        }));
        var signaled = _h.History(target).Single(e => e.EventType == EventType.WorkflowExecutionSignaled).WorkflowExecutionSignaledEventAttributes!;
        Assert.That((signaled.SignalName, signaled.Input, signaled.ExternalWorkflowExecution!.RunId, signaled.ExternalInitiatedEventId),
            Is.EqualTo(("hello", "hi", source.RunId, (long?)5)));
    }

    [Test]
    public void A_signal_or_cancel_to_an_unknown_workflow_fails_with_UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(),
            new Decision
            {
                DecisionType = DecisionType.SignalExternalWorkflowExecution,
                SignalExternalWorkflowExecutionDecisionAttributes = new() { WorkflowId = "ghost", SignalName = "s" },
            },
            new Decision
            {
                DecisionType = DecisionType.RequestCancelExternalWorkflowExecution,
                RequestCancelExternalWorkflowExecutionDecisionAttributes = new() { WorkflowId = "ghost" },
            });
        var h = _h.History(wf);
        Assert.That(h.Single(e => e.EventType == EventType.SignalExternalWorkflowExecutionFailed).SignalExternalWorkflowExecutionFailedEventAttributes!.Cause,
            Is.EqualTo(SignalExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution));
        Assert.That(h.Single(e => e.EventType == EventType.RequestCancelExternalWorkflowExecutionFailed).RequestCancelExternalWorkflowExecutionFailedEventAttributes!.Cause,
            Is.EqualTo(RequestCancelExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution));
    }

    [Test]
    public void A_cancel_request_to_another_workflow_is_delivered_and_acknowledged()
    {
        var target = _h.Start("target");
        _h.Start("source");
        _h.PollDecision();
        var d = _h.PollDecision();
        _h.Decide(d, new Decision
        {
            DecisionType = DecisionType.RequestCancelExternalWorkflowExecution,
            RequestCancelExternalWorkflowExecutionDecisionAttributes = new() { WorkflowId = "target" },
        });
        Assert.That(_h.EventTypes(d.WorkflowExecution).Skip(4), Is.EqualTo(new[]
        {
            EventType.RequestCancelExternalWorkflowExecutionInitiated, EventType.ExternalWorkflowExecutionCancelRequested, EventType.DecisionTaskScheduled,
        }));
        Assert.That(_h.Describe(target).ExecutionInfo.CancelRequested, Is.True);
        Assert.That(_h.EventTypes(target), Does.Contain(EventType.WorkflowExecutionCancelRequested));
    }

    [Test]
    public void A_child_that_continues_as_new_reports_to_its_parent_when_the_new_run_closes()
    {
        var parent = StartParentWithChild();
        _h.Decide(PollChildren(), new Decision
        {
            DecisionType = DecisionType.ContinueAsNewWorkflowExecution,
            ContinueAsNewWorkflowExecutionDecisionAttributes = new() { TaskList = new TaskList { Name = "children" } },
        });
        Assert.That(_h.EventTypes(parent), Does.Not.Contain(EventType.ChildWorkflowExecutionCompleted));
        var second = PollChildren();
        _h.Decide(second, Complete("last"));
        var done = _h.History(parent).Single(e => e.EventType == EventType.ChildWorkflowExecutionCompleted).ChildWorkflowExecutionCompletedEventAttributes!;
        Assert.That((done.WorkflowExecution.RunId, done.Result), Is.EqualTo((second.WorkflowExecution.RunId, "last")));
    }
}
