using Flow.Swf;
using Microsoft.Data.Sqlite;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

public class SqliteTests
{
    string _path = null!;
    Harness _h = null!;

    [SetUp]
    public void SetUp()
    {
        _path = Path.Combine(Path.GetTempPath(), $"flow-local-{Guid.NewGuid():N}.db");
        _h = new Harness(_path);
    }

    [TearDown]
    public void TearDown()
    {
        _h.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _path, _path + "-wal", _path + "-shm" })
            File.Delete(f);
    }

    [Test]
    public void Domains_types_and_histories_survive_a_restart()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(), ScheduleActivity("a"));
        var before = _h.History(wf);
        _h.Restart();
        Assert.That(Run(_h.Swf.DescribeDomainAsync(new DescribeDomainInput { Name = Domain })).DomainInfo.Name, Is.EqualTo(Domain));
        Assert.That(Run(_h.Swf.DescribeActivityTypeAsync(new DescribeActivityTypeInput { Domain = Domain, ActivityType = new ActivityType { Name = "Work", Version = "1" } }))
            .Configuration.DefaultTaskList!.Name, Is.EqualTo(Activities));
        var after = _h.History(wf);
        Assert.That(after.Select(e => (e.EventId, e.EventType, e.EventTimestamp)), Is.EqualTo(before.Select(e => (e.EventId, e.EventType, e.EventTimestamp))));
    }

    [Test]
    public void A_restart_resumes_pending_tasks_and_the_workflow_finishes()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(), ScheduleActivity("a"), ScheduleActivity("b"));
        var started = _h.PollActivity();
        _h.Restart();
        Assert.That(Run(_h.Swf.CountPendingActivityTasksAsync(new CountPendingActivityTasksInput { Domain = Domain, TaskList = new TaskList { Name = Activities } })).Count,
            Is.EqualTo(1));
        Run(_h.Swf.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = started.TaskToken, Result = "1" }));
        var b = _h.PollActivity();
        Assert.That(b.ActivityId, Is.EqualTo("b"));
        Run(_h.Swf.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = b.TaskToken, Result = "2" }));
        _h.Restart();
        _h.Decide(_h.PollDecision(), Complete("done"));
        Assert.That(_h.Describe(wf).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.Completed));
        Assert.That(_h.EventTypes(wf).Count(t => t == EventType.ActivityTaskCompleted), Is.EqualTo(2));
    }

    [Test]
    public void A_restart_resumes_timers_and_timeouts()
    {
        var wf = _h.Start(configure: s => s.ExecutionStartToCloseTimeout = "1000");
        _h.Decide(_h.PollDecision(), StartTimer("t", "10"), ScheduleActivity("a", configure: a => a.ScheduleToStartTimeout = "20"));
        _h.Restart();
        _h.Advance(TimeSpan.FromSeconds(10));
        Assert.That(_h.EventTypes(wf), Does.Contain(EventType.TimerFired));
        _h.Restart();
        _h.Advance(TimeSpan.FromSeconds(10));
        Assert.That(_h.EventTypes(wf), Does.Contain(EventType.ActivityTaskTimedOut));
        var decision = _h.PollDecision();
        _h.Restart();
        _h.Advance(TimeSpan.FromSeconds(30));
        Assert.That(_h.EventTypes(wf), Does.Contain(EventType.DecisionTaskTimedOut), "the started decision task's timeout outlived the restart");
        Assert.That(() => _h.Decide(decision), Throws.TypeOf<UnknownResourceException>());
        _h.Restart();
        _h.Advance(TimeSpan.FromSeconds(1000));
        Assert.That(_h.Describe(wf).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.TimedOut));
    }

    [Test]
    public void Timeouts_that_came_due_while_stopped_fire_on_open()
    {
        var wf = _h.Start(configure: s => s.ExecutionStartToCloseTimeout = "100");
        _h.Engine.Dispose();
        _h.Time.Advance(TimeSpan.FromSeconds(200));
        _h.Restart();
        Assert.That(_h.Describe(wf).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.TimedOut));
    }

    [Test]
    public void A_child_workflow_keeps_reporting_to_its_parent_across_a_restart()
    {
        var parent = _h.Start("parent");
        _h.Decide(_h.PollDecision(), new Decision
        {
            DecisionType = DecisionType.StartChildWorkflowExecution,
            StartChildWorkflowExecutionDecisionAttributes = new() { WorkflowId = "child", WorkflowType = new WorkflowType { Name = "Flow", Version = "1" } },
        });
        _h.Restart();
        var childTask = _h.PollDecision();
        Assert.That(childTask.WorkflowExecution.WorkflowId, Is.AnyOf("child", "parent"));
        if (childTask.WorkflowExecution.WorkflowId == "parent")
            childTask = _h.PollDecision();
        _h.Decide(childTask, Complete("r"));
        Assert.That(_h.EventTypes(parent), Does.Contain(EventType.ChildWorkflowExecutionCompleted));
    }

    [Test]
    public void Every_acknowledged_call_is_in_the_file_without_a_clean_shutdown()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(), ScheduleActivity("a"));
        var task = _h.PollActivity();
        // A second engine opens the file while the first still runs, as after a crash of the first.
        using var other = new LocalSwf(new LocalSwfOptions { DatabasePath = _path, TimeProvider = _h.Time });
        var history = Run(other.Client.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput { Domain = Domain, Execution = wf }));
        Assert.That(history.Events.Select(e => e.EventType).Last(), Is.EqualTo(EventType.ActivityTaskStarted));
        Run(other.Client.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = task.TaskToken }));
        Assert.That(Run(other.Client.PollForDecisionTaskAsync(new PollForDecisionTaskInput
        {
            Domain = Domain, TaskList = new TaskList { Name = Decisions },
        })).WorkflowExecution.RunId, Is.EqualTo(wf.RunId));
    }
}
