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
        foreach (var f in new[] { _path, _path + "-wal", _path + "-shm", _path + ".lock" })
            File.Delete(f);
    }

    [Test]
    public void A_store_holding_a_repeated_tag_key_loads_one_tag_per_key_and_takes_new_tags()
    {
        var arn = Run(_h.Swf.DescribeDomainAsync(new DescribeDomainInput { Name = Domain })).DomainInfo.Arn!;
        Run(_h.Swf.TagResourceAsync(new TagResourceInput { ResourceArn = arn, Tags = [new ResourceTag { Key = "x", Value = "1" }] }));
        _h.Engine.Dispose();
        SqliteConnection.ClearAllPools();
        using (var c = new SqliteConnection($"Data Source={_path}"))
        {
            // As an older version wrote it: the same key twice.
            c.Open();
            using var update = c.CreateCommand();
            update.CommandText = """UPDATE domains SET json = replace(json, '{"key":"x","value":"1"}', '{"key":"x","value":"1"},{"key":"x","value":"2"}')""";
            Assert.That(update.ExecuteNonQuery(), Is.EqualTo(1));
        }
        SqliteConnection.ClearAllPools();
        _h.Restart();
        Run(_h.Swf.TagResourceAsync(new TagResourceInput { ResourceArn = arn, Tags = [new ResourceTag { Key = "z", Value = "3" }] }));
        var tags = Run(_h.Swf.ListTagsForResourceAsync(new ListTagsForResourceInput { ResourceArn = arn })).Tags!;
        Assert.That(tags.Select(t => (t.Key, t.Value)), Is.EqualTo(new[] { ("x", (string?)"2"), ("z", "3") }));
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
            .Configuration.DefaultTaskList!.Name, Is.EqualTo(ActivityList));
        var after = _h.History(wf);
        Assert.That(after.Select(e => (e.EventId, e.EventType, e.EventTimestamp)), Is.EqualTo(before.Select(e => (e.EventId, e.EventType, e.EventTimestamp))));
        var work = new ActivityType { Name = "Work", Version = "1" };
        Run(_h.Swf.DeprecateActivityTypeAsync(new DeprecateActivityTypeInput { Domain = Domain, ActivityType = work }));
        Run(_h.Swf.DeleteActivityTypeAsync(new DeleteActivityTypeInput { Domain = Domain, ActivityType = work }));
        Run(_h.Swf.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = Domain, WorkflowId = wf.WorkflowId }));
        _h.Restart();
        Assert.That(() => Run(_h.Swf.DescribeActivityTypeAsync(new DescribeActivityTypeInput { Domain = Domain, ActivityType = work })),
            Throws.TypeOf<UnknownResourceException>());
        Assert.That(_h.Describe(wf).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.Terminated));
    }

    [Test]
    public void A_restart_resumes_pending_tasks_and_the_workflow_finishes()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(), ScheduleActivity("a"), ScheduleActivity("b"));
        var started = _h.PollActivity();
        _h.Restart();
        Assert.That(Run(_h.Swf.CountPendingActivityTasksAsync(new CountPendingActivityTasksInput { Domain = Domain, TaskList = new TaskList { Name = ActivityList } })).Count,
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
    public void A_restart_keeps_a_started_activitys_heartbeat_start_to_close_and_schedule_to_close_timeouts()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(),
            ScheduleActivity("hb", configure: a => a.HeartbeatTimeout = "10"),
            ScheduleActivity("stc", configure: a => a.StartToCloseTimeout = "20"),
            ScheduleActivity("s2c", configure: a => a.ScheduleToCloseTimeout = "30"));
        var started = new[] { _h.PollActivity(), _h.PollActivity(), _h.PollActivity() }.ToDictionary(t => t.ActivityId);
        _h.Advance(TimeSpan.FromSeconds(5));
        Run(_h.Swf.RecordActivityTaskHeartbeatAsync(new RecordActivityTaskHeartbeatInput { TaskToken = started["hb"].TaskToken, Details = "at 5" }));

        (string Id, ActivityTaskTimeoutType Type, string? Details)[] TimedOut()
        {
            var h = _h.History(wf);
            return h.Where(e => e.EventType == EventType.ActivityTaskTimedOut).Select(e => e.ActivityTaskTimedOutEventAttributes!)
                .Select(t => (h[(int)t.ScheduledEventId - 1].ActivityTaskScheduledEventAttributes!.ActivityId, t.TimeoutType, t.Details)).ToArray();
        }

        _h.Restart();
        _h.Advance(TimeSpan.FromSeconds(9));
        Assert.That(TimedOut(), Is.Empty, "the heartbeat at 5 s moved the heartbeat timeout to 15 s");
        _h.Restart();
        _h.Advance(TimeSpan.FromSeconds(1));
        Assert.That(TimedOut(), Is.EqualTo(new[] { ("hb", ActivityTaskTimeoutType.Heartbeat, (string?)"at 5") }));
        _h.Restart();
        _h.Advance(TimeSpan.FromSeconds(5));
        Assert.That(TimedOut()[1..], Is.EqualTo(new[] { ("stc", ActivityTaskTimeoutType.StartToClose, (string?)null) }));
        _h.Restart();
        _h.Advance(TimeSpan.FromSeconds(10));
        Assert.That(TimedOut()[2..], Is.EqualTo(new[] { ("s2c", ActivityTaskTimeoutType.ScheduleToClose, (string?)null) }));
        Assert.That(() => Run(_h.Swf.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = started["s2c"].TaskToken })),
            Throws.TypeOf<UnknownResourceException>(), "a timed-out task's token is dead after a restart too");
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
    public void Every_acknowledged_call_is_in_the_file_before_it_returns()
    {
        var wf = _h.Start();
        _h.Decide(_h.PollDecision(), ScheduleActivity("a"));
        _h.PollActivity();
        // Read the file beside the running engine, as a restart after a crash would.
        using var db = new SqliteConnection($"Data Source={_path};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var count = db.CreateCommand();
        count.CommandText = "SELECT count(*) FROM events WHERE run_id = $r";
        count.Parameters.AddWithValue("$r", wf.RunId);
        Assert.That(count.ExecuteScalar(), Is.EqualTo(6L), "started, scheduled, started, completed, activity scheduled, activity started");
    }

    [Test]
    public void Task_and_page_tokens_handed_out_before_a_restart_are_good_after_it()
    {
        var wf = _h.Start();
        var decision = _h.PollDecision(configure: p => p.MaximumPageSize = 2);
        Assert.That(decision.NextPageToken, Is.Not.Null);
        Run(_h.Swf.RegisterActivityTypeAsync(new RegisterActivityTypeInput { Domain = Domain, Name = "More", Version = "1" }));
        var types = Run(_h.Swf.ListActivityTypesAsync(new ListActivityTypesInput { Domain = Domain, RegistrationStatus = RegistrationStatus.Registered, MaximumPageSize = 1 }));
        var history = Run(_h.Swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput { Domain = Domain, Execution = wf, MaximumPageSize = 1 }));
        _h.Restart();
        var rest = Run(_h.Swf.PollForDecisionTaskAsync(new PollForDecisionTaskInput
        {
            Domain = Domain, TaskList = new TaskList { Name = Decisions }, NextPageToken = decision.NextPageToken,
        }));
        Assert.That(rest.Events.Select(e => e.EventId), Is.EqualTo(new long[] { 3 }));
        Assert.That(Run(_h.Swf.ListActivityTypesAsync(new ListActivityTypesInput
        {
            Domain = Domain, RegistrationStatus = RegistrationStatus.Registered, MaximumPageSize = 1, NextPageToken = types.NextPageToken,
        })).TypeInfos.Single().ActivityType.Name, Is.EqualTo("Work"));
        Assert.That(Run(_h.Swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput
        {
            Domain = Domain, Execution = wf, MaximumPageSize = 1, NextPageToken = history.NextPageToken,
        })).Events.Single().EventId, Is.EqualTo(2));
        _h.Decide(decision, Complete());
        Assert.That(_h.Describe(wf).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.Completed));
    }

    [Test]
    public void A_second_engine_cannot_open_a_file_in_use()
    {
        Assert.That(() => new LocalSwf(new LocalSwfOptions { DatabasePath = _path, TimeProvider = _h.Time }),
            Throws.InvalidOperationException.With.Message.Contains("in use"));
    }
    [TestCase(SqliteSynchronous.Normal, 1L, TestName = "synchronous=NORMAL is the store's default")]
    [TestCase(SqliteSynchronous.Full, 2L, TestName = "synchronous=FULL is set on the store's connection when asked for")]
    public void The_synchronous_option_reaches_the_store_connection(SqliteSynchronous synchronous, long expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"flow-local-{Guid.NewGuid():N}.db");
        try
        {
            var options = synchronous == SqliteSynchronous.Normal
                ? new LocalSwfOptions { DatabasePath = path }
                : new LocalSwfOptions { DatabasePath = path, Synchronous = synchronous };
            using var engine = new LocalSwf(options);
            Assert.That(engine.Sqlite!.Scalar("PRAGMA synchronous"), Is.EqualTo(expected));
            Assert.That(engine.Sqlite!.Scalar("PRAGMA journal_mode"), Is.EqualTo("wal"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { path, path + "-wal", path + "-shm", path + ".lock" })
                File.Delete(f);
        }
    }
}
