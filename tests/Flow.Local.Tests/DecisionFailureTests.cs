using Flow.Swf;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

/// <summary>Each decision a well-formed batch cannot carry out records its *Failed event with SWF's cause
/// and the decision task that made it, and a new decision task is scheduled so the decider can react.</summary>
public class DecisionFailureTests
{
    Harness _h = null!;

    [SetUp]
    public void SetUp()
    {
        _h = new Harness();
        // A workflow type with no defaults at all, and one that is deprecated.
        Run(_h.Swf.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput { Domain = Domain, Name = "Flow", Version = "bare" }));
        Run(_h.Swf.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput
        {
            Domain = Domain, Name = "Flow", Version = "old", DefaultTaskList = new TaskList { Name = Decisions },
            DefaultExecutionStartToCloseTimeout = "3600", DefaultTaskStartToCloseTimeout = "30", DefaultChildPolicy = ChildPolicy.Terminate,
        }));
        Run(_h.Swf.DeprecateWorkflowTypeAsync(new DeprecateWorkflowTypeInput { Domain = Domain, WorkflowType = new WorkflowType { Name = "Flow", Version = "old" } }));
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    /// <summary>Decides on the workflow's first task and returns what the batch recorded after DecisionTaskCompleted.</summary>
    List<HistoryEvent> Decide(WorkflowExecution wf, params Decision[] decisions)
    {
        var d = _h.PollDecision();
        _h.Decide(d, decisions);
        var events = _h.History(wf).Where(e => e.EventId > d.StartedEventId).ToList();
        Assert.That(events[0].EventType, Is.EqualTo(EventType.DecisionTaskCompleted));
        Assert.That(events[^1].EventType, Is.EqualTo(EventType.DecisionTaskScheduled), "a failure schedules a decision task");
        return events;
    }

    /// <summary>The newest events, newest first (a long history's first page would not reach them).</summary>
    List<HistoryEvent> Latest(WorkflowExecution wf, int count) => Run(_h.Swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput
    {
        Domain = Domain, Execution = wf, ReverseOrder = true, MaximumPageSize = count,
    })).Events;

    static StartChildWorkflowExecutionDecisionAttributes Child(string version, string? missing = null) => new()
    {
        WorkflowId = "child", WorkflowType = new WorkflowType { Name = "Flow", Version = version }, Control = "ctl",
        ExecutionStartToCloseTimeout = missing == "esc" ? null : "60",
        TaskList = missing == "taskList" ? null : new TaskList { Name = "children" },
        TaskStartToCloseTimeout = missing == "tsc" ? null : "10",
        ChildPolicy = missing == "policy" ? null : ChildPolicy.Abandon,
    };

    static Decision StartChild(StartChildWorkflowExecutionDecisionAttributes a) =>
        new() { DecisionType = DecisionType.StartChildWorkflowExecution, StartChildWorkflowExecutionDecisionAttributes = a };

    [TestCase("esc", StartChildWorkflowExecutionFailedCause.DefaultExecutionStartToCloseTimeoutUndefined)]
    [TestCase("taskList", StartChildWorkflowExecutionFailedCause.DefaultTaskListUndefined)]
    [TestCase("tsc", StartChildWorkflowExecutionFailedCause.DefaultTaskStartToCloseTimeoutUndefined)]
    [TestCase("policy", StartChildWorkflowExecutionFailedCause.DefaultChildPolicyUndefined)]
    public void A_child_without_a_needed_value_or_default_fails_with_its_DEFAULT_UNDEFINED_cause(string missing, StartChildWorkflowExecutionFailedCause cause)
    {
        var wf = _h.Start();
        var events = Decide(wf, StartChild(Child("bare", missing)));
        Assert.That(events.Select(e => e.EventType), Is.EqualTo(new[]
        {
            EventType.DecisionTaskCompleted, EventType.StartChildWorkflowExecutionFailed, EventType.DecisionTaskScheduled,
        }));
        var failed = events[1].StartChildWorkflowExecutionFailedEventAttributes!;
        Assert.That((failed.Cause, failed.WorkflowId, failed.WorkflowType.Version, failed.Control, failed.InitiatedEventId, failed.DecisionTaskCompletedEventId),
            Is.EqualTo((cause, "child", "bare", "ctl", 0L, events[0].EventId)));
        Assert.That(_h.Describe(wf).OpenCounts.OpenChildWorkflowExecutions, Is.Zero);
        Assert.That(() => _h.Describe(new WorkflowExecution { WorkflowId = "child", RunId = "x" }), Throws.TypeOf<UnknownResourceException>());
    }

    [Test]
    public void A_child_given_every_value_starts_even_when_its_type_has_no_defaults()
    {
        var wf = _h.Start();
        var events = Decide(wf, StartChild(Child("bare")));
        Assert.That(events.Select(e => e.EventType), Is.EqualTo(new[]
        {
            EventType.DecisionTaskCompleted, EventType.StartChildWorkflowExecutionInitiated, EventType.ChildWorkflowExecutionStarted,
            EventType.DecisionTaskScheduled,
        }));
    }

    [Test]
    public void A_child_of_a_deprecated_type_fails_with_WORKFLOW_TYPE_DEPRECATED()
    {
        var wf = _h.Start();
        var events = Decide(wf, StartChild(Child("old")));
        Assert.That(events[1].StartChildWorkflowExecutionFailedEventAttributes!.Cause, Is.EqualTo(StartChildWorkflowExecutionFailedCause.WorkflowTypeDeprecated));
    }

    static Decision ContinueAsNew(string? version, string? missing = null) => new()
    {
        DecisionType = DecisionType.ContinueAsNewWorkflowExecution,
        ContinueAsNewWorkflowExecutionDecisionAttributes = new ContinueAsNewWorkflowExecutionDecisionAttributes
        {
            WorkflowTypeVersion = version,
            ExecutionStartToCloseTimeout = missing == "esc" ? null : "60",
            TaskList = missing == "taskList" ? null : new TaskList { Name = "next" },
            TaskStartToCloseTimeout = missing == "tsc" ? null : "10",
            ChildPolicy = missing == "policy" ? null : ChildPolicy.Abandon,
        },
    };

    [TestCase("bare", "esc", ContinueAsNewWorkflowExecutionFailedCause.DefaultExecutionStartToCloseTimeoutUndefined)]
    [TestCase("bare", "taskList", ContinueAsNewWorkflowExecutionFailedCause.DefaultTaskListUndefined)]
    [TestCase("bare", "tsc", ContinueAsNewWorkflowExecutionFailedCause.DefaultTaskStartToCloseTimeoutUndefined)]
    [TestCase("bare", "policy", ContinueAsNewWorkflowExecutionFailedCause.DefaultChildPolicyUndefined)]
    [TestCase("old", null, ContinueAsNewWorkflowExecutionFailedCause.WorkflowTypeDeprecated)]
    [TestCase("9", null, ContinueAsNewWorkflowExecutionFailedCause.WorkflowTypeDoesNotExist)]
    public void Continue_as_new_that_cannot_start_its_run_fails_with_its_cause_and_the_run_stays_open(
        string version, string? missing, ContinueAsNewWorkflowExecutionFailedCause cause)
    {
        var wf = _h.Start();
        var events = Decide(wf, ContinueAsNew(version, missing));
        Assert.That(events.Select(e => e.EventType), Is.EqualTo(new[]
        {
            EventType.DecisionTaskCompleted, EventType.ContinueAsNewWorkflowExecutionFailed, EventType.DecisionTaskScheduled,
        }));
        var failed = events[1].ContinueAsNewWorkflowExecutionFailedEventAttributes!;
        Assert.That((failed.Cause, failed.DecisionTaskCompletedEventId), Is.EqualTo((cause, events[0].EventId)));
        Assert.That(_h.Describe(wf).ExecutionInfo.ExecutionStatus, Is.EqualTo(ExecutionStatus.Open));
    }

    [Test]
    public void Continue_as_new_fails_with_UNHANDLED_DECISION_when_events_arrived_since_the_task_started()
    {
        var wf = _h.Start();
        var d = _h.PollDecision();
        Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "late" }));
        _h.Decide(d, ContinueAsNew(null));
        var last = _h.History(wf)[^1];
        Assert.That(last.ContinueAsNewWorkflowExecutionFailedEventAttributes!.Cause, Is.EqualTo(ContinueAsNewWorkflowExecutionFailedCause.UnhandledDecision));
        Assert.That(_h.Describe(wf).ExecutionInfo.ExecutionStatus, Is.EqualTo(ExecutionStatus.Open));
        _h.Decide(_h.PollDecision(), ContinueAsNew(null));
        Assert.That(_h.Describe(wf).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.ContinuedAsNew));
    }

    [Test]
    public void Fail_and_cancel_fail_with_UNHANDLED_DECISION_when_events_arrived_since_the_task_started()
    {
        var wf = _h.Start();
        var d = _h.PollDecision();
        Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "late" }));
        _h.Decide(d, new Decision { DecisionType = DecisionType.FailWorkflowExecution, FailWorkflowExecutionDecisionAttributes = new() { Reason = "r" } });
        Assert.That(_h.History(wf)[^1].FailWorkflowExecutionFailedEventAttributes!.Cause, Is.EqualTo(FailWorkflowExecutionFailedCause.UnhandledDecision));
        d = _h.PollDecision();
        Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "later" }));
        _h.Decide(d, new Decision { DecisionType = DecisionType.CancelWorkflowExecution, CancelWorkflowExecutionDecisionAttributes = new() });
        Assert.That(_h.History(wf)[^1].CancelWorkflowExecutionFailedEventAttributes!.Cause, Is.EqualTo(CancelWorkflowExecutionFailedCause.UnhandledDecision));
        Assert.That(_h.Describe(wf).ExecutionInfo.ExecutionStatus, Is.EqualTo(ExecutionStatus.Open));
    }

    [Test]
    public void The_thousand_and_first_open_timer_fails_with_OPEN_TIMERS_LIMIT_EXCEEDED()
    {
        var wf = _h.Start();
        for (var batch = 0; batch < 11; batch++)
        {
            if (batch > 0)
                Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "more" }));
            var size = batch < 10 ? 100 : 1;
            _h.Decide(_h.PollDecision(), [.. Enumerable.Range(0, size).Select(i => StartTimer($"t{batch}-{i}", "600"))]);
        }
        Assert.That(_h.Describe(wf).OpenCounts.OpenTimers, Is.EqualTo(1000));
        var failed = Latest(wf, 2)[1].StartTimerFailedEventAttributes!;
        Assert.That((failed.Cause, failed.TimerId), Is.EqualTo((StartTimerFailedCause.OpenTimersLimitExceeded, "t10-0")));
    }

    [Test]
    public void The_thousand_and_first_open_child_fails_with_OPEN_CHILDREN_LIMIT_EXCEEDED()
    {
        var wf = _h.Start();
        for (var batch = 0; batch < 11; batch++)
        {
            var size = batch < 10 ? 100 : 1;
            _h.Decide(_h.PollDecision(), [.. Enumerable.Range(0, size).Select(i => StartChild(new StartChildWorkflowExecutionDecisionAttributes
            {
                WorkflowId = $"c{batch}-{i}", WorkflowType = new WorkflowType { Name = "Flow", Version = "1" }, TaskList = new TaskList { Name = "children" },
            }))]);
        }
        Assert.That(_h.Describe(wf).OpenCounts.OpenChildWorkflowExecutions, Is.EqualTo(1000));
        var failed = Latest(wf, 2)[1].StartChildWorkflowExecutionFailedEventAttributes!;
        Assert.That((failed.Cause, failed.WorkflowId), Is.EqualTo((StartChildWorkflowExecutionFailedCause.OpenChildrenLimitExceeded, "c10-0")));
    }
}
