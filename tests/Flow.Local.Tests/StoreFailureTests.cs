using Flow.Swf;
using Microsoft.Data.Sqlite;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

/// <summary>Commits that really fail (another program holding the file's write lock, a file that cannot grow):
/// a call answered InternalFailure is a call not done, in memory and after a restart, and the file stays loadable.</summary>
public class StoreFailureTests
{
    string _path = null!;
    Harness _h = null!;

    [SetUp]
    public void SetUp()
    {
        _path = Path.Combine(Path.GetTempPath(), $"flow-local-{Guid.NewGuid():N}.db");
        _h = new Harness(_path, busyTimeout: TimeSpan.FromSeconds(1));
    }

    [TearDown]
    public void TearDown()
    {
        _h.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _path, _path + "-wal", _path + "-shm", _path + ".lock" })
            File.Delete(f);
    }

    /// <summary>Another connection in BEGIN IMMEDIATE: our commits wait out the busy timeout and fail.</summary>
    SqliteConnection HoldWriteLock()
    {
        var db = new SqliteConnection($"Data Source={_path};Pooling=False");
        db.Open();
        using var begin = db.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        begin.ExecuteNonQuery();
        return db;
    }

    static void AssertNotDone(Action call)
    {
        var e = Assert.Throws<SwfException>(call)!;
        Assert.That(e.ErrorCode, Is.EqualTo("InternalFailure"));
        Assert.That((int)e.StatusCode, Is.EqualTo(500));
        Assert.That(e.IsRetryable, Is.True);
        Assert.That(e.Message, Does.Contain("not done").And.Contain("database is locked"));
    }

    int OpenCount() => Run(_h.Swf.CountOpenWorkflowExecutionsAsync(new CountOpenWorkflowExecutionsInput
    {
        Domain = Domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UnixEpoch },
    })).Count;

    [Test]
    public void A_start_whose_commit_fails_is_not_started_in_memory_nor_after_a_restart()
    {
        var kept = _h.Start("kept");
        using (HoldWriteLock())
            AssertNotDone(() => _h.Start("held"));
        // The tester's sequence: after the lock is gone, the same start succeeds (it was never started) ...
        Assert.That(OpenCount(), Is.EqualTo(1));
        Assert.That(() => Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = "held", SignalName = "s" })),
            Throws.TypeOf<UnknownResourceException>());
        var held = _h.Start("held");
        Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = "held", SignalName = "s" }));
        // ... and a restart loads every acknowledged change, nothing else.
        _h.Restart();
        Assert.That(_h.Engine.StoreProblems, Is.Empty);
        Assert.That(OpenCount(), Is.EqualTo(2));
        Assert.That(_h.EventTypes(held), Is.EqualTo(new[] { EventType.WorkflowExecutionStarted, EventType.DecisionTaskScheduled, EventType.WorkflowExecutionSignaled }));
        Assert.That(_h.EventTypes(kept), Is.EqualTo(new[] { EventType.WorkflowExecutionStarted, EventType.DecisionTaskScheduled }));
    }

    [Test]
    public void A_failed_signal_leaves_no_event_and_the_decider_sees_the_history_as_committed()
    {
        var wf = _h.Start();
        using (HoldWriteLock())
            AssertNotDone(() => Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId, SignalName = "lost" })));
        var task = _h.PollDecision();
        Assert.That(task.Events.Select(e => e.EventType), Is.EqualTo(new[] { EventType.WorkflowExecutionStarted, EventType.DecisionTaskScheduled, EventType.DecisionTaskStarted }));
        _h.Decide(task, Complete("done"));
        _h.Restart();
        Assert.That(_h.EventTypes(wf), Does.Not.Contain(EventType.WorkflowExecutionSignaled).And.Contain(EventType.WorkflowExecutionCompleted));
    }

    [Test]
    public void A_failed_poll_hands_out_no_task_and_the_task_goes_to_the_next_poller()
    {
        var wf = _h.Start();
        using (HoldWriteLock())
            AssertNotDone(() => _h.PollDecision());
        Assert.That(Run(_h.Swf.CountPendingDecisionTasksAsync(new CountPendingDecisionTasksInput { Domain = Domain, TaskList = new TaskList { Name = Decisions } })).Count,
            Is.EqualTo(1));
        var task = _h.PollDecision();
        Assert.That(task.StartedEventId, Is.EqualTo(3), "the failed poll's DecisionTaskStarted was never recorded");
        _h.Decide(task, Complete());
        Assert.That(_h.Describe(wf).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.Completed));
    }

    [Test]
    public void A_waiting_poll_woken_by_a_failed_call_gets_an_empty_answer_not_an_unrecorded_task()
    {
        var waiting = _h.Swf.PollForDecisionTaskAsync(new PollForDecisionTaskInput { Domain = Domain, TaskList = new TaskList { Name = Decisions } });
        Assert.That(waiting.IsCompleted, Is.False);
        using (HoldWriteLock())
            AssertNotDone(() => _h.Start());
        var answer = waiting.Wait(TimeSpan.FromSeconds(30)) ? waiting.Result : null;
        Assert.That(answer, Is.Not.Null, "the woken poll must be answered");
        Assert.That(answer!.TaskToken, Is.Null.Or.Empty);
        Assert.That(OpenCount(), Is.Zero);
        _h.Start();
        Assert.That(_h.PollDecision().StartedEventId, Is.EqualTo(3));
    }

    long FiredInTheFile()
    {
        using var db = new SqliteConnection($"Data Source={_path};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var count = db.CreateCommand();
        count.CommandText = "SELECT count(*) FROM events WHERE json LIKE '%\"TimerFired\"%'";
        return (long)count.ExecuteScalar()!;
    }

    [Test]
    public void A_timer_whose_firing_fails_to_save_fires_once_when_the_store_recovers()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(), StartTimer("t", "10"));
        using (HoldWriteLock())
            _h.Advance(TimeSpan.FromSeconds(10));
        Assert.That(FiredInTheFile(), Is.Zero, "the firing was not saved, so it did not happen");
        // No call comes: the timer itself tries again.
        _h.Advance(LocalSwf.StoreRetryDelay);
        Assert.That(FiredInTheFile(), Is.EqualTo(1));
        Assert.That(_h.EventTypes(wf).Count(t => t == EventType.TimerFired), Is.EqualTo(1));
        _h.Restart();
        Assert.That(_h.EventTypes(wf).Count(t => t == EventType.TimerFired), Is.EqualTo(1));
    }

    [Test]
    public void A_file_that_cannot_grow_fails_the_calls_past_its_size_and_a_restart_loads_exactly_the_acknowledged_ones()
    {
        // max_page_count caps the file as a full disk does (SQLite answers SQLITE_FULL either way).
        using (var c = new SqliteConnection($"Data Source={_path};Mode=ReadOnly;Pooling=False"))
        {
            c.Open();
            using var q = c.CreateCommand();
            q.CommandText = "PRAGMA page_count";
            var pages = (long)q.ExecuteScalar()!;
            _h.Engine.Sqlite!.Execute($"PRAGMA max_page_count = {pages + 40}");
        }
        var input = new string('x', 20_000);
        var acknowledged = new List<WorkflowExecution>();
        var failed = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            try
            {
                acknowledged.Add(_h.Start($"wf-{i}", input));
            }
            catch (SwfException e) when (e.ErrorCode == "InternalFailure")
            {
                Assert.That(e.Message, Does.Contain("full"));
                failed.Add($"wf-{i}");
            }
        }
        Assert.That(acknowledged, Is.Not.Empty);
        Assert.That(failed, Is.Not.Empty, "the capped file should have filled up");
        Assert.That(OpenCount(), Is.EqualTo(acknowledged.Count));
        foreach (var id in failed.Take(5))
            Assert.That(() => Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = id, SignalName = "s" })),
                Throws.TypeOf<UnknownResourceException>().Or.InstanceOf<SwfException>().With.Property("ErrorCode").EqualTo("InternalFailure"));

        // More room: the failed starts can be made now, and everything acknowledged is in the file.
        _h.Engine.Sqlite!.Execute("PRAGMA max_page_count = 1073741823");
        foreach (var id in failed)
            acknowledged.Add(_h.Start(id, input));
        Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = failed[0], SignalName = "s" }));
        _h.Restart();
        Assert.That(_h.Engine.StoreProblems, Is.Empty);
        Assert.That(OpenCount(), Is.EqualTo(60));
        foreach (var wf in acknowledged)
            Assert.That(_h.History(wf).Select(e => e.EventId), Is.EqualTo(Enumerable.Range(1, wf.WorkflowId == failed[0] ? 3 : 2).Select(i => (long)i)));
    }

    [Test]
    public void Concurrent_calls_around_failed_group_commits_keep_exactly_the_acknowledged_changes()
    {
        using (var c = new SqliteConnection($"Data Source={_path};Mode=ReadOnly;Pooling=False"))
        {
            c.Open();
            using var q = c.CreateCommand();
            q.CommandText = "PRAGMA page_count";
            _h.Engine.Sqlite!.Execute($"PRAGMA max_page_count = {(long)q.ExecuteScalar()! + 60}");
        }
        var input = new string('x', 5_000);
        var started = new System.Collections.Concurrent.ConcurrentDictionary<string, WorkflowExecution>();
        var signaled = new System.Collections.Concurrent.ConcurrentBag<string>();
        var failedSignals = new System.Collections.Concurrent.ConcurrentBag<string>();
        var failedStarts = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            for (var i = 0; i < 40; i++)
            {
                var id = $"wf-{t}-{i}";
                try
                {
                    started[id] = _h.Start(id, input);
                }
                catch (SwfException e) when (e.ErrorCode == "InternalFailure")
                {
                    failedStarts.Add(id);
                }
                foreach (var target in started.Keys.Take(3))
                {
                    var name = $"{id}->{target}";
                    try
                    {
                        Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = target, SignalName = "s", Input = name }));
                        signaled.Add(name);
                    }
                    catch (SwfException e) when (e.ErrorCode == "InternalFailure")
                    {
                        failedSignals.Add(name);
                    }
                }
            }
        });
        Assert.That(failedStarts, Is.Not.Empty, "the capped file should have filled up");
        _h.Engine.Sqlite!.Execute("PRAGMA max_page_count = 1073741823");
        _h.Restart();
        Assert.That(_h.Engine.StoreProblems, Is.Empty);
        Assert.That(OpenCount(), Is.EqualTo(started.Count));
        var inputs = started.Values.SelectMany(wf => _h.History(wf))
            .Where(e => e.EventType == EventType.WorkflowExecutionSignaled).Select(e => e.WorkflowExecutionSignaledEventAttributes!.Input!).ToList();
        Assert.That(inputs, Is.EquivalentTo(signaled), "every acknowledged signal, and no failed one, is in the histories");
        foreach (var wf in started.Values)
            Assert.That(_h.History(wf).Select(e => e.EventId), Is.EqualTo(Enumerable.Range(1, _h.History(wf).Count).Select(i => (long)i)));
    }

    [Test]
    public void A_damaged_execution_is_reported_and_left_in_the_file_while_the_rest_loads()
    {
        var good = _h.Start("good");
        var bad = _h.Start("bad");
        Run(_h.Swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = "bad", SignalName = "s" }));
        _h.Dispose();
        // What the old engine could leave: the execution's record counts 3 events, only event 3 is stored.
        using (var db = new SqliteConnection($"Data Source={_path};Pooling=False"))
        {
            db.Open();
            using var delete = db.CreateCommand();
            delete.CommandText = "DELETE FROM events WHERE run_id = $r AND event_id < 3";
            delete.Parameters.AddWithValue("$r", bad.RunId);
            Assert.That(delete.ExecuteNonQuery(), Is.EqualTo(2));
        }
        _h.Restart();
        Assert.That(_h.Engine.StoreProblems, Has.Count.EqualTo(1));
        Assert.That(_h.Engine.StoreProblems[0], Does.Contain("execution bad").And.Contain(bad.RunId).And.Contain("counts 3 events but the file holds 1")
            .And.Contain("missing event 1, 2").And.Contain("rows are kept"));
        Assert.That(_h.EventTypes(good), Has.Count.EqualTo(2));
        Assert.That(() => _h.Describe(bad), Throws.TypeOf<UnknownResourceException>());
        _h.Start("another");
        _h.Restart();
        using var check = new SqliteConnection($"Data Source={_path};Mode=ReadOnly;Pooling=False");
        check.Open();
        using var count = check.CreateCommand();
        count.CommandText = "SELECT count(*) FROM executions WHERE run_id = $r";
        count.Parameters.AddWithValue("$r", bad.RunId);
        Assert.That(count.ExecuteScalar(), Is.EqualTo(1L), "the damaged execution's row is never dropped");
        Assert.That(_h.Engine.StoreProblems, Has.Count.EqualTo(1));
    }
}
