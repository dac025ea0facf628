using Flow.Swf;
using NUnit.Framework;

namespace Flow.Testing.Tests;

/// <summary>Histories as the aws CLI prints them (see CliHistories/README.md).</summary>
public sealed class CliHistoryTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "CliHistories");

    private sealed class Greeter : IWorkflowInstance
    {
        public async Task<string?> ExecuteAsync(string? input) =>
            await Workflow.ExecuteActivityAsync(new ActivityDefinition("Shout", "1.0"), input);

        public Task? HandleSignal(string signalName, string? input) => null;
        public string? GetState() => null;
    }

    [Test]
    public void Output_with_ISO_8601_timestamps_the_aws_CLI_v2_default_is_read_with_their_offsets()
    {
        var (events, _) = WorkflowReplayer.ParseHistory(File.ReadAllText(Path.Combine(Folder, "greeter.aws-cli-iso8601.json")));

        Assert.That(events.Select(e => e.EventType), Is.EqualTo(new[]
        {
            EventType.WorkflowExecutionStarted, EventType.DecisionTaskScheduled, EventType.DecisionTaskStarted, EventType.DecisionTaskCompleted,
            EventType.ActivityTaskScheduled, EventType.ActivityTaskStarted, EventType.ActivityTaskCompleted, EventType.DecisionTaskScheduled,
            EventType.DecisionTaskStarted, EventType.DecisionTaskCompleted, EventType.WorkflowExecutionCompleted,
        }));
        // "2026-12-04T00:20:06.731000-05:00"
        Assert.That(events[0].EventTimestamp, Is.EqualTo(new DateTimeOffset(2026, 12, 4, 5, 20, 6, 731, TimeSpan.Zero)));
    }

    [Test]
    public void Output_with_ISO_8601_timestamps_replays()
    {
        var replayer = new WorkflowReplayer(new WorkflowHandler(new WorkflowDefinition("Greeter", "1.0"), () => new Greeter()));

        var results = replayer.ReplayFolder(Folder);

        Assert.That(results, Has.Count.EqualTo(1));
        Assert.That(results[0].Succeeded, results[0].Describe());
        Assert.That(results[0].EventCount, Is.EqualTo(11));
    }

    [Test]
    public void A_timestamp_that_is_neither_epoch_seconds_nor_ISO_8601_is_reported_as_unreadable()
    {
        var result = new WorkflowReplayer(new WorkflowHandler(new WorkflowDefinition("Greeter", "1.0"), () => new Greeter()))
            .ReplayJson("""{"events":[{"eventId":1,"eventType":"WorkflowExecutionStarted","eventTimestamp":"yesterday"}]}""");

        Assert.That(result.Error, Is.InstanceOf<FormatException>());
        Assert.That(result.Error!.Message, Does.Contain("event 1").And.Contain("yesterday"));
    }
}

/// <summary>Histories without the run's id (SWF's history does not carry it): child workflow ids made from it.</summary>
public sealed class RunIdTests
{
    private static readonly WorkflowDefinition Kid = new("Kid", "1");

    private sealed class Parent : IWorkflowInstance
    {
        public async Task<string?> ExecuteAsync(string? input) => await Workflow.ExecuteChildWorkflowAsync(Kid, "x");
        public Task? HandleSignal(string signalName, string? input) => null;
        public string? GetState() => null;
    }

    private static List<HistoryEvent> History(string childId) =>
        new HistoryBuilder(new WorkflowDefinition("Parent", "1"))
            .WorkflowStarted().Decision()
            .ChildInitiated(childId, Kid.ToWorkflowType(), "x").ChildStarted(childId).ChildCompleted(childId, "\"ok\"")
            .Decision().WorkflowCompleted("\"ok\"")
            .Events;

    private static WorkflowReplayer Replayer() => new(new WorkflowHandler(new WorkflowDefinition("Parent", "1"), () => new Parent()));

    [Test]
    public void Without_a_run_id_the_replayer_takes_it_from_the_first_child_id_Flow_made()
    {
        // (A '/' of the real run id is spelled '_' in child ids, so Random's seed may still differ: pass the run when known.)
        var result = Replayer().Replay(History("22Ztb_7v4uS1Ad+3PAwF5Tl4cGzlPmp7S3pCsfjhmUSlQ=.1"));

        Assert.That(result.Succeeded, result.Describe());
        Assert.That(result.Execution.RunId, Is.EqualTo("22Ztb_7v4uS1Ad+3PAwF5Tl4cGzlPmp7S3pCsfjhmUSlQ="));
    }

    [Test]
    public void A_given_run_id_is_used_as_it_is()
    {
        var execution = new WorkflowExecution { WorkflowId = "p", RunId = "abc" };

        Assert.That(Replayer().Replay(History("abc.1"), execution).Succeeded);
        Assert.That(Replayer().Replay(History("other.1"), execution).Divergence?.Code, Does.Contain("abc.1"));
    }
}
