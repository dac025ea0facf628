using Flow.Swf;
using Microsoft.Data.Sqlite;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

/// <summary>The client flow dev uses: a call's task completes once the store's committer has saved it (no thread
/// waits for the file). The same promises as the blocking path: nothing is answered, and no poller hears of a task,
/// before it is in the file; a failed commit is a call not done.</summary>
public class AwaitedCommitTests
{
    string _path = null!;
    Harness _h = null!;
    LocalSwfClient _swf = null!;

    [SetUp]
    public void SetUp()
    {
        _path = Path.Combine(Path.GetTempPath(), $"flow-local-{Guid.NewGuid():N}.db");
        _h = new Harness(_path, busyTimeout: TimeSpan.FromSeconds(1));
        _swf = new LocalSwfClient(_h.Engine, copy: false, awaitCommits: true);
    }

    [TearDown]
    public void TearDown()
    {
        _h.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _path, _path + "-wal", _path + "-shm", _path + ".lock" })
            File.Delete(f);
    }

    long EventsInTheFile(string? runId = null)
    {
        // Read beside the running engine, as a restart after a crash would.
        using var db = new SqliteConnection($"Data Source={_path};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var count = db.CreateCommand();
        count.CommandText = runId is null ? "SELECT count(*) FROM events" : "SELECT count(*) FROM events WHERE run_id = $r";
        if (runId is not null)
            count.Parameters.AddWithValue("$r", runId);
        return (long)count.ExecuteScalar()!;
    }

    Task<Run> StartAsync(string workflowId) => _swf.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
    {
        Domain = Domain, WorkflowId = workflowId, WorkflowType = new WorkflowType { Name = "Flow", Version = "1" },
    });

    Task<DecisionTask> PollDecisionAsync() =>
        _swf.PollForDecisionTaskAsync(new PollForDecisionTaskInput { Domain = Domain, TaskList = new TaskList { Name = Decisions }, Identity = "d" });

    [Test]
    public async Task Every_awaited_call_is_in_the_file_when_its_task_completes()
    {
        var run = await StartAsync("wf-1");
        Assert.That(EventsInTheFile(run.RunId), Is.EqualTo(2), "started, decision scheduled");

        var decision = await PollDecisionAsync();
        Assert.That(EventsInTheFile(run.RunId), Is.EqualTo(3), "the task handed out is recorded before the poller has it");

        await _swf.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput
        {
            TaskToken = decision.TaskToken, Decisions = [ScheduleActivity("a")],
        });
        var activity = await _swf.PollForActivityTaskAsync(new PollForActivityTaskInput
        {
            Domain = Domain, TaskList = new TaskList { Name = ActivityList }, Identity = "w",
        });
        Assert.That(activity.ActivityId, Is.EqualTo("a"));
        Assert.That(EventsInTheFile(run.RunId), Is.EqualTo(6), "started, scheduled, started, completed, activity scheduled, activity started");
    }

    [Test]
    public async Task Many_calls_at_once_share_commits_and_each_is_in_the_file_when_it_completes()
    {
        var waiting = Enumerable.Range(0, 20).Select(_ => PollDecisionAsync()).ToList();
        var starts = Enumerable.Range(0, 200).Select(i => Task.Run(() => StartAsync($"wf-{i}"))).ToList();

        var runs = await Task.WhenAll(starts);
        foreach (var run in runs.Take(50))
            Assert.That(EventsInTheFile(run.RunId), Is.GreaterThanOrEqualTo(2), "started and decision scheduled, at least");
        var handedOut = await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(EventsInTheFile(), Is.EqualTo(2 * runs.Length + handedOut.Length));
        Assert.That(handedOut.Select(t => t.WorkflowExecution.RunId).Distinct().Count(), Is.EqualTo(20), "each waiting poll got its own task");
        foreach (var task in handedOut)
            Assert.That(EventsInTheFile(task.WorkflowExecution.RunId), Is.EqualTo(3), "the task it got was recorded first");
    }

    [Test]
    public async Task A_call_whose_commit_fails_is_not_done_and_the_poll_it_woke_gets_an_empty_answer()
    {
        var waiting = PollDecisionAsync();
        Assert.That(waiting.IsCompleted, Is.False);
        using (var db = new SqliteConnection($"Data Source={_path};Pooling=False"))
        {
            db.Open();
            using var begin = db.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE"; // our commit waits out the busy timeout and fails
            begin.ExecuteNonQuery();

            var e = Assert.ThrowsAsync<SwfException>(() => StartAsync("held"))!;
            Assert.That(e.ErrorCode, Is.EqualTo("InternalFailure"));
            Assert.That(e.Message, Does.Contain("not done").And.Contain("database is locked"));
            var answer = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(answer.TaskToken, Is.Null.Or.Empty, "the task it would have had was never recorded");
        }

        Assert.That(EventsInTheFile(), Is.Zero);
        var run = await StartAsync("held");
        Assert.That((await PollDecisionAsync()).WorkflowExecution.RunId, Is.EqualTo(run.RunId));
        _h.Restart();
        Assert.That(_h.EventTypes(new WorkflowExecution { WorkflowId = "held", RunId = run.RunId! }),
            Is.EqualTo(new[] { EventType.WorkflowExecutionStarted, EventType.DecisionTaskScheduled, EventType.DecisionTaskStarted }));
    }

    [Test]
    public async Task What_awaits_a_commit_may_call_the_engine_again_from_the_committers_thread()
    {
        // The committer runs what awaits its commits on its own thread once it has let go of the store's locks: chains
        // of calls made from there (awaited, and blocking ones that commit on the calling thread) all finish.
        var blocking = new LocalSwfClient(_h.Engine, copy: false, awaitCommits: false);
        async Task Chain(int i)
        {
            await StartAsync($"chain-{i}-a");
            await StartAsync($"chain-{i}-b");
            blocking.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
            {
                Domain = Domain, WorkflowId = $"chain-{i}-c", WorkflowType = new WorkflowType { Name = "Flow", Version = "1" },
            }).GetAwaiter().GetResult();
            await StartAsync($"chain-{i}-d");
        }

        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => Chain(i)))).WaitAsync(TimeSpan.FromSeconds(60));

        var open = await _swf.CountOpenWorkflowExecutionsAsync(new CountOpenWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UnixEpoch },
        });
        Assert.That(open.Count, Is.EqualTo(400));
        Assert.That(EventsInTheFile(), Is.EqualTo(800), "started and decision scheduled, for each, in the file");
    }

    [Test]
    public async Task A_call_that_finds_another_running_is_queued_without_blocking_its_thread()
    {
        // While one call runs, others wait in the engine's queue, not on its lock: CallAsync returns at once with a
        // task that completes, in the file, once the running call is done; a fault reaches its own caller only.
        using var running = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = Task.Run(() => _h.Engine.CallAsync(() =>
        {
            running.Set();
            release.Wait();
            return _h.Engine.StartWorkflowExecution(new StartWorkflowExecutionInput
            {
                Domain = Domain, WorkflowId = "first", WorkflowType = new WorkflowType { Name = "Flow", Version = "1" },
            }).RunId;
        }));
        Assert.That(running.Wait(TimeSpan.FromSeconds(30)), Is.True);

        var queued = new List<Task<Run>>();
        Task<Run>? unknown = null;
        var caller = new Thread(() =>
        {
            for (var i = 0; i < 20; i++)
                queued.Add(StartAsync($"queued-{i}"));
            unknown = _swf.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
            {
                Domain = "no-such-domain", WorkflowId = "x", WorkflowType = new WorkflowType { Name = "Flow", Version = "1" },
            });
        });
        caller.Start();
        Assert.That(caller.Join(TimeSpan.FromSeconds(10)), Is.True, "the calls returned while another call ran");
        Assert.That(queued.Any(t => t.IsCompleted) || unknown!.IsCompleted, Is.False, "none ran before the running call let go");

        release.Set();
        var firstRun = await first.WaitAsync(TimeSpan.FromSeconds(30));
        var runs = await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.ThrowsAsync<UnknownResourceException>(() => unknown!);

        Assert.That(runs.Select(r => r.RunId).Append(firstRun).Distinct().Count(), Is.EqualTo(21));
        Assert.That(EventsInTheFile(), Is.EqualTo(42), "started and decision scheduled, for each, in the file");
    }

    [Test]
    public async Task A_staged_commit_without_rows_is_still_completed_for_whoever_awaits_it()
    {
        // An execution created and dropped within one call stages no row, but the call still waits for its commit.
        var path = Path.Combine(Path.GetTempPath(), $"flow-local-{Guid.NewGuid():N}.db");
        try
        {
            using (var store = new SqliteStore(path))
            {
                store.Load();
                var changes = new ChangeSet();
                var gone = new ExecutionState { Domain = Domain, WorkflowId = "w", RunId = "r" };
                changes.Executions.Add(gone);
                changes.DeletedExecutions.Add(gone);

                var commit = store.Stage(changes)!;

                await store.WaitDurableAsync(commit).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.That(commit.Done, Is.True);
                Assert.That(commit.Error, Is.Null);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { path, path + "-wal", path + "-shm", path + ".lock" })
                File.Delete(f);
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Calls_staged_before_a_reload_are_saved_first_never_answered_without_their_rows(bool awaited)
    {
        // The engine reloads from the file when a call fails after changing memory; calls staged before it but not
        // yet committed are whole: they reach the file (or fail), on both paths, and never hang or pass unsaved.
        var path = Path.Combine(Path.GetTempPath(), $"flow-local-{Guid.NewGuid():N}.db");
        try
        {
            using (var store = new SqliteStore(path))
            {
                store.Load();
                var changes = new ChangeSet();
                changes.Executions.Add(new ExecutionState { Domain = Domain, WorkflowId = "staged", RunId = "run-staged" });
                var commit = store.Stage(changes)!;

                var reloaded = store.Reload();

                if (awaited)
                    await store.WaitDurableAsync(commit).WaitAsync(TimeSpan.FromSeconds(30));
                else
                    store.WaitDurable(commit);
                Assert.That(commit.Error, Is.Null);
                Assert.That(reloaded.Executions.Select(e => e.RunId), Is.EqualTo(new[] { "run-staged" }), "the reload reads it back");
            }
            using var db = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            db.Open();
            using var count = db.CreateCommand();
            count.CommandText = "SELECT count(*) FROM executions WHERE run_id = 'run-staged'";
            Assert.That(count.ExecuteScalar(), Is.EqualTo(1L));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { path, path + "-wal", path + "-shm", path + ".lock" })
                File.Delete(f);
        }
    }

    [Test]
    public async Task A_call_that_changes_nothing_completes_at_once_or_after_the_commit_it_saw()
    {
        var described = await _swf.DescribeDomainAsync(new DescribeDomainInput { Name = Domain });
        Assert.That(described.DomainInfo.Name, Is.EqualTo(Domain));
        var empty = await _swf.ListOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UnixEpoch },
        });
        Assert.That(empty.ExecutionInfos, Is.Empty);
    }

    long EventInTheFile(string runId, long eventId, string eventType)
    {
        using var db = new SqliteConnection($"Data Source={_path};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var count = db.CreateCommand();
        count.CommandText = "SELECT count(*) FROM events WHERE run_id = $r AND event_id = $i AND json LIKE $t";
        count.Parameters.AddWithValue("$r", runId);
        count.Parameters.AddWithValue("$i", eventId);
        count.Parameters.AddWithValue("$t", $"%\"{eventType}\"%");
        return (long)count.ExecuteScalar()!;
    }

    [Test]
    public async Task Concurrent_awaited_calls_around_a_file_that_fills_up_keep_exactly_the_acknowledged_changes()
    {
        using (var c = new SqliteConnection($"Data Source={_path};Mode=ReadOnly;Pooling=False"))
        {
            c.Open();
            using var q = c.CreateCommand();
            q.CommandText = "PRAGMA page_count";
            _h.Engine.Sqlite!.Execute($"PRAGMA max_page_count = {(long)q.ExecuteScalar()! + 60}");
        }
        var input = new string('x', 5_000);
        var started = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var signaled = new System.Collections.Concurrent.ConcurrentBag<string>();
        var failedStarts = new System.Collections.Concurrent.ConcurrentBag<string>();
        var handedOut = new System.Collections.Concurrent.ConcurrentBag<DecisionTask>();
        var unrecorded = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var done = new CancellationTokenSource();

        async Task Decider()
        {
            while (!done.IsCancellationRequested)
            {
                DecisionTask task;
                try
                {
                    task = await PollDecisionAsync();
                }
                catch (SwfException e) when (e.ErrorCode == "InternalFailure")
                {
                    continue;
                }
                catch (ObjectDisposedException) when (done.IsCancellationRequested)
                {
                    return; // a poll queued behind other calls ran after the restart disposed this engine
                }
                if (string.IsNullOrEmpty(task.TaskToken))
                    continue;
                if (EventInTheFile(task.WorkflowExecution.RunId!, task.StartedEventId, "DecisionTaskStarted") != 1)
                    unrecorded.Add($"{task.WorkflowExecution.WorkflowId}@{task.StartedEventId}");
                handedOut.Add(task);
            }
        }

        async Task Client(int t)
        {
            for (var i = 0; i < 30; i++)
            {
                var id = $"wf-{t}-{i}";
                try
                {
                    var run = await _swf.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
                    {
                        Domain = Domain, WorkflowId = id, WorkflowType = new WorkflowType { Name = "Flow", Version = "1" }, Input = input,
                    });
                    started[id] = run.RunId!;
                }
                catch (SwfException e) when (e.ErrorCode == "InternalFailure")
                {
                    failedStarts.Add(id);
                }
                foreach (var target in started.Keys.Take(2))
                {
                    var name = $"{id}->{target}";
                    try
                    {
                        await _swf.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = Domain, WorkflowId = target, SignalName = "s", Input = name });
                        signaled.Add(name);
                    }
                    catch (SwfException e) when (e.ErrorCode == "InternalFailure")
                    {
                    }
                }
            }
        }

        var deciders = Enumerable.Range(0, 3).Select(_ => Task.Run(Decider)).ToList();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() => Client(t)))).WaitAsync(TimeSpan.FromSeconds(60));
        done.Cancel();
        _h.Engine.Sqlite!.Execute("PRAGMA max_page_count = 1073741823");
        _h.Restart(); // waiting polls get empty answers
        await Task.WhenAll(deciders).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(failedStarts, Is.Not.Empty, "the capped file should have filled up");
        Assert.That(unrecorded, Is.Empty, "a poller had a task whose start was not in the file");
        Assert.That(_h.Engine.StoreProblems, Is.Empty);
        var histories = started.ToDictionary(p => p.Key, p => _h.History(new WorkflowExecution { WorkflowId = p.Key, RunId = p.Value }));
        var inputs = histories.Values.SelectMany(h => h)
            .Where(e => e.EventType == EventType.WorkflowExecutionSignaled).Select(e => e.WorkflowExecutionSignaledEventAttributes!.Input!).ToList();
        Assert.That(inputs, Is.EquivalentTo(signaled), "every acknowledged signal, and no failed one, is in the histories");
        foreach (var task in handedOut)
            Assert.That(histories[task.WorkflowExecution.WorkflowId!][(int)task.StartedEventId - 1].EventType, Is.EqualTo(EventType.DecisionTaskStarted));
    }

    [Test]
    public async Task Disposing_with_awaited_calls_behind_a_held_write_lock_completes_every_one()
    {
        var waiting = Enumerable.Range(0, 3).Select(_ => PollDecisionAsync()).ToList();
        List<Task<Run>> starts;
        using (var db = new SqliteConnection($"Data Source={_path};Pooling=False"))
        {
            db.Open();
            using var begin = db.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
            starts = Enumerable.Range(0, 10).Select(i => StartAsync($"held-{i}")).ToList();
            _h.Engine.Dispose();
        }
        foreach (var s in starts)
        {
            var e = Assert.ThrowsAsync<SwfException>(() => s.WaitAsync(TimeSpan.FromSeconds(30)))!;
            Assert.That(e.ErrorCode, Is.EqualTo("InternalFailure"));
        }
        foreach (var w in waiting)
            Assert.That((await w.WaitAsync(TimeSpan.FromSeconds(30))).TaskToken, Is.Null.Or.Empty);
        Assert.That(EventsInTheFile(), Is.Zero);
    }
}
