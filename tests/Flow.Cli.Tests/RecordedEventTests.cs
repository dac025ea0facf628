using System.Text;
using System.Text.Json;
using Flow.Cli.Dev;
using Flow.Swf;

namespace Flow.Cli.Tests;

/// <summary>flow dev writes the JSON the store recorded for each event into decision tasks and history pages,
/// rather than serialising every event again at every decision.</summary>
[TestFixture]
public sealed class RecordedEventTests
{
    [Test]
    public async Task Decision_tasks_and_history_pages_write_each_events_recorded_json_which_is_what_serialising_gives()
    {
        var folder = Directory.CreateTempSubdirectory("flow-recorded-");
        try
        {
            DecisionTask task;
            History history;
            await using (var engine = LocalEngine.Open(DevCommand.ParseOptions(CommandLine.Parse(["--db", Path.Combine(folder.FullName, "flow.db"), "--long-poll-seconds", "1"], "memory"))))
            {
                var swf = engine.Client;
                await swf.RegisterDomainAsync(new RegisterDomainInput { Name = "d", WorkflowExecutionRetentionPeriodInDays = "1" });
                await swf.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput
                {
                    Domain = "d", Name = "W", Version = "1", DefaultTaskList = new TaskList { Name = "decisions" },
                    DefaultTaskStartToCloseTimeout = "30", DefaultExecutionStartToCloseTimeout = "600", DefaultChildPolicy = ChildPolicy.Terminate,
                });
                var run = await swf.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
                {
                    Domain = "d", WorkflowId = "w-1", WorkflowType = new WorkflowType { Name = "W", Version = "1" }, Input = "\"é \\u0001 input\"",
                    TagList = ["a", "b"],
                });
                task = await swf.PollForDecisionTaskAsync(new PollForDecisionTaskInput { Domain = "d", TaskList = new TaskList { Name = "decisions" } });
                history = await swf.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryInput
                {
                    Domain = "d", Execution = new WorkflowExecution { WorkflowId = "w-1", RunId = run.RunId! },
                });
            }

            Assert.That(task.Events.Select(e => e.EventType), Is.EqualTo(new[]
            {
                EventType.WorkflowExecutionStarted, EventType.DecisionTaskScheduled, EventType.DecisionTaskStarted,
            }));
            Assert.That(task.Events.All(e => e.Json is not null), "the store recorded each event's JSON");
            Assert.That(Write(task, SwfOperationTable.WithRecordedEvents.DecisionTask), Is.EqualTo(Write(task, SwfJsonContext.Default.DecisionTask)));
            Assert.That(Write(history, SwfOperationTable.WithRecordedEvents.History), Is.EqualTo(Write(history, SwfJsonContext.Default.History)));

            // The recorded bytes are what goes out: a stand-in for the first event shows up as it is.
            var recorded = task.Events[0].Json;
            task.Events[0].Json = """{"eventId":1,"eventType":"Recorded","eventTimestamp":1}"""u8.ToArray();
            Assert.That(Write(task, SwfOperationTable.WithRecordedEvents.DecisionTask), Does.Contain("""{"eventId":1,"eventType":"Recorded","eventTimestamp":1}"""));
            task.Events[0].Json = null;
            Assert.That(Write(task, SwfOperationTable.WithRecordedEvents.DecisionTask), Is.EqualTo(Write(task, SwfJsonContext.Default.DecisionTask)),
                "an event without recorded JSON is serialised from its members");
            Assert.That(recorded, Is.Not.Null);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public async Task A_closed_runs_events_let_go_of_their_recorded_json()
    {
        var folder = Directory.CreateTempSubdirectory("flow-recorded-");
        try
        {
            await using var engine = LocalEngine.Open(DevCommand.ParseOptions(CommandLine.Parse(["--db", Path.Combine(folder.FullName, "flow.db"), "--long-poll-seconds", "1"], "memory")));
            var swf = engine.Client;
            await swf.RegisterDomainAsync(new RegisterDomainInput { Name = "d", WorkflowExecutionRetentionPeriodInDays = "1" });
            await swf.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput
            {
                Domain = "d", Name = "W", Version = "1", DefaultTaskList = new TaskList { Name = "decisions" },
                DefaultTaskStartToCloseTimeout = "30", DefaultExecutionStartToCloseTimeout = "600", DefaultChildPolicy = ChildPolicy.Terminate,
            });
            await swf.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput { Domain = "d", WorkflowId = "w-1", WorkflowType = new WorkflowType { Name = "W", Version = "1" } });
            var task = await swf.PollForDecisionTaskAsync(new PollForDecisionTaskInput { Domain = "d", TaskList = new TaskList { Name = "decisions" } });
            Assert.That(task.Events.All(e => e.Json is not null));

            await swf.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput
            {
                TaskToken = task.TaskToken,
                Decisions = [new Decision { DecisionType = DecisionType.CompleteWorkflowExecution, CompleteWorkflowExecutionDecisionAttributes = new() }],
            });

            Assert.That(task.Events.Select(e => e.Json), Is.All.Null, "the history of a closed run is kept once, as objects");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private static string Write<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
            JsonSerializer.Serialize(writer, value, info);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
