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
}
