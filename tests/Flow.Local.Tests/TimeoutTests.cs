using Flow.Swf;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

public class TimeoutTests
{
    Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    WorkflowExecution StartWithActivity(Action<ScheduleActivityTaskDecisionAttributes> timeouts)
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(), ScheduleActivity("a", configure: timeouts));
        return wf;
    }

    ActivityTaskTimedOutEventAttributes? TimedOut(WorkflowExecution wf) =>
        _h.History(wf).SingleOrDefault(e => e.EventType == EventType.ActivityTaskTimedOut)?.ActivityTaskTimedOutEventAttributes;

    [Test]
    public void The_workflow_times_out_at_its_execution_start_to_close_timeout()
    {
        var wf = _h.Start(configure: s => s.ExecutionStartToCloseTimeout = "100");
        _h.Advance(TimeSpan.FromSeconds(99));
        Assert.That(_h.Describe(wf).ExecutionInfo.ExecutionStatus, Is.EqualTo(ExecutionStatus.Open));
        _h.Advance(TimeSpan.FromSeconds(1));
        var last = _h.History(wf).Last();
        Assert.That(last.EventType, Is.EqualTo(EventType.WorkflowExecutionTimedOut));
        Assert.That(last.WorkflowExecutionTimedOutEventAttributes!.TimeoutType, Is.EqualTo(WorkflowExecutionTimeoutType.StartToClose));
        Assert.That(_h.Describe(wf).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.TimedOut));
    }

    [Test]
    public void A_decision_task_times_out_at_its_start_to_close_timeout_and_is_scheduled_again()
    {
        var wf = _h.Start();
        var d = _h.PollDecision();
        _h.Advance(TimeSpan.FromSeconds(30));
        var h = _h.History(wf);
        Assert.That(h.Skip(3).Select(e => e.EventType), Is.EqualTo(new[] { EventType.DecisionTaskTimedOut, EventType.DecisionTaskScheduled }));
        var timedOut = h[3].DecisionTaskTimedOutEventAttributes!;
        Assert.That((timedOut.TimeoutType, timedOut.ScheduledEventId, timedOut.StartedEventId), Is.EqualTo((DecisionTaskTimeoutType.StartToClose, 2L, 3L)));
        Assert.That(() => _h.Decide(d), Throws.TypeOf<UnknownResourceException>(), "the timed-out task's token is dead");
        var again = _h.PollDecision();
        Assert.That(again.StartedEventId, Is.EqualTo(6));
    }

    [Test]
    public void An_activity_times_out_when_nobody_starts_it_in_time()
    {
        var wf = StartWithActivity(a => a.ScheduleToStartTimeout = "5");
        _h.Advance(TimeSpan.FromSeconds(5));
        Assert.That(TimedOut(wf)!.TimeoutType, Is.EqualTo(ActivityTaskTimeoutType.ScheduleToStart));
        Assert.That(Run(_h.Swf.CountPendingActivityTasksAsync(new CountPendingActivityTasksInput { Domain = Domain, TaskList = new TaskList { Name = ActivityList } })).Count,
            Is.EqualTo(0));
    }

    [Test]
    public void A_started_activity_no_longer_times_out_schedule_to_start()
    {
        var wf = StartWithActivity(a => a.ScheduleToStartTimeout = "5");
        _h.PollActivity();
        _h.Advance(TimeSpan.FromSeconds(10));
        Assert.That(TimedOut(wf), Is.Null);
    }

    [Test]
    public void An_activity_times_out_at_its_start_to_close_timeout()
    {
        var wf = StartWithActivity(a => a.StartToCloseTimeout = "10");
        _h.Advance(TimeSpan.FromSeconds(100));
        Assert.That(TimedOut(wf), Is.Null, "start-to-close counts from the start");
        var task = _h.PollActivity();
        _h.Advance(TimeSpan.FromSeconds(10));
        var timedOut = TimedOut(wf)!;
        Assert.That((timedOut.TimeoutType, timedOut.StartedEventId), Is.EqualTo((ActivityTaskTimeoutType.StartToClose, task.StartedEventId)));
        Assert.That(() => Run(_h.Swf.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = task.TaskToken })),
            Throws.TypeOf<UnknownResourceException>());
    }

    [Test]
    public void An_activity_times_out_at_its_schedule_to_close_timeout_even_when_started()
    {
        var wf = StartWithActivity(a => a.ScheduleToCloseTimeout = "20");
        _h.Advance(TimeSpan.FromSeconds(15));
        _h.PollActivity();
        _h.Advance(TimeSpan.FromSeconds(5));
        Assert.That(TimedOut(wf)!.TimeoutType, Is.EqualTo(ActivityTaskTimeoutType.ScheduleToClose));
    }

    [Test]
    public void Heartbeats_keep_an_activity_alive_and_their_absence_times_it_out_with_the_last_details()
    {
        var wf = StartWithActivity(a => a.HeartbeatTimeout = "10");
        var task = _h.PollActivity();
        for (var i = 0; i < 3; i++)
        {
            _h.Advance(TimeSpan.FromSeconds(8));
            Run(_h.Swf.RecordActivityTaskHeartbeatAsync(new RecordActivityTaskHeartbeatInput { TaskToken = task.TaskToken, Details = $"beat {i}" }));
        }
        Assert.That(TimedOut(wf), Is.Null);
        _h.Advance(TimeSpan.FromSeconds(10));
        var timedOut = TimedOut(wf)!;
        Assert.That((timedOut.TimeoutType, timedOut.Details), Is.EqualTo((ActivityTaskTimeoutType.Heartbeat, "beat 2")));
    }

    [Test]
    public void A_timed_out_decision_task_with_one_already_scheduled_adds_no_second_scheduled_event()
    {
        var wf = _h.Start();
        _h.PollDecision();
        Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "s" }));
        _h.Advance(TimeSpan.FromSeconds(30));
        Assert.That(_h.EventTypes(wf).Skip(3), Is.EqualTo(new[]
        {
            EventType.WorkflowExecutionSignaled, EventType.DecisionTaskScheduled, EventType.DecisionTaskTimedOut,
        }));
        Assert.That(_h.PollDecision().StartedEventId, Is.EqualTo(7));
    }
    [Test]
    public void Thousands_of_heartbeats_keep_one_heartbeat_timeout_queued()
    {
        var wf = StartWithActivity(a => a.HeartbeatTimeout = "300");
        var task = _h.PollActivity();
        var queued = _h.Engine.DueCount;
        for (var i = 0; i < 5000; i++)
        {
            _h.Advance(TimeSpan.FromMilliseconds(10));
            Run(_h.Swf.RecordActivityTaskHeartbeatAsync(new RecordActivityTaskHeartbeatInput { TaskToken = task.TaskToken }));
        }
        Assert.That(_h.Engine.DueCount, Is.LessThanOrEqualTo(queued));
        _h.Advance(TimeSpan.FromSeconds(299));
        Assert.That(TimedOut(wf), Is.Null, "the timeout moved with the last heartbeat");
        _h.Advance(TimeSpan.FromSeconds(1));
        Assert.That(TimedOut(wf)!.TimeoutType, Is.EqualTo(ActivityTaskTimeoutType.Heartbeat));
    }

    [Test]
    public void A_heartbeat_timeout_that_fired_early_is_queued_again_for_the_last_heartbeat()
    {
        var wf = StartWithActivity(a => a.HeartbeatTimeout = "10");
        var task = _h.PollActivity();
        _h.Advance(TimeSpan.FromSeconds(9));
        Run(_h.Swf.RecordActivityTaskHeartbeatAsync(new RecordActivityTaskHeartbeatInput { TaskToken = task.TaskToken }));
        _h.Advance(TimeSpan.FromSeconds(1));
        Assert.That(TimedOut(wf), Is.Null, "the first due time passed with a heartbeat in between");
        _h.Advance(TimeSpan.FromSeconds(8));
        Assert.That(TimedOut(wf), Is.Null);
        _h.Advance(TimeSpan.FromSeconds(1));
        Assert.That(TimedOut(wf)!.TimeoutType, Is.EqualTo(ActivityTaskTimeoutType.Heartbeat));
    }
}

/// <summary>Timeouts that came due are fired before a call acts, not only by the timer: a response that arrives after
/// its timeout is refused even while the timer's callback has yet to run.</summary>
public class DueBeforeCallTests
{
    /// <summary>A clock whose timers never fire: time moves, and only the calls see it.</summary>
    sealed class TimersNeverFire(DateTimeOffset start) : Microsoft.Extensions.Time.Testing.FakeTimeProvider(start)
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Never();

        sealed class Never : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    string? _path;
    Harness _h = null!;

    void Open(bool sqlite)
    {
        _path = sqlite ? Path.Combine(Path.GetTempPath(), $"flow-local-{Guid.NewGuid():N}.db") : null;
        _h = new Harness(_path, new TimersNeverFire(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [TearDown]
    public void TearDown()
    {
        _h.Dispose();
        if (_path is null)
            return;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _path, _path + "-wal", _path + "-shm", _path + ".lock" })
            File.Delete(f);
    }

    ActivityTask StartedActivity(out WorkflowExecution wf)
    {
        wf = _h.Start();
        _h.Decide(_h.PollDecision(), ScheduleActivity("a", configure: a => a.StartToCloseTimeout = "10"));
        return _h.PollActivity();
    }

    [TestCase(false, TestName = "A completion after its start-to-close timeout is refused before the timer fires (memory)")]
    [TestCase(true, TestName = "A completion after its start-to-close timeout is refused before the timer fires (SQLite)")]
    public void A_completion_after_its_start_to_close_timeout_is_refused_before_the_timer_fires(bool sqlite)
    {
        Open(sqlite);
        var task = StartedActivity(out var wf);
        _h.Advance(TimeSpan.FromSeconds(10));
        Assert.That(() => Run(_h.Swf.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = task.TaskToken })),
            Throws.TypeOf<UnknownResourceException>());
        var timedOut = _h.History(wf).Single(e => e.EventType == EventType.ActivityTaskTimedOut).ActivityTaskTimedOutEventAttributes!;
        Assert.That(timedOut.TimeoutType, Is.EqualTo(ActivityTaskTimeoutType.StartToClose));
        Assert.That(_h.EventTypes(wf), Does.Not.Contain(EventType.ActivityTaskCompleted));
    }

    [Test]
    public void A_poll_after_a_decision_task_timed_out_gets_the_decision_task_scheduled_again()
    {
        Open(sqlite: false);
        var wf = _h.Start();
        var stale = _h.PollDecision();
        _h.Advance(TimeSpan.FromSeconds(30));
        var again = _h.PollDecision();
        Assert.That(again.StartedEventId, Is.GreaterThan(stale.StartedEventId));
        Assert.That(_h.EventTypes(wf), Does.Contain(EventType.DecisionTaskTimedOut));
    }
}
