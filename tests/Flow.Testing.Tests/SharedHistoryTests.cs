using Flow.Swf;
using NUnit.Framework;

namespace Flow.Testing.Tests;

/// <summary>The workflows the real SWF histories in tests/Histories imply (written by simpleflow, a Python
/// framework), replayed against those histories.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class SharedHistoryTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Histories");

    private static ActivityDefinition Activity(string name) => new(name, "example");

    private static ActivityOptions Id(string activityId) => new() { ActivityId = activityId };

    private sealed class Code(Func<Task<string?>> run) : IWorkflowInstance
    {
        public Task<string?> ExecuteAsync(string? input) => run();
        public Task? HandleSignal(string signalName, string? input) => null;
        public string? GetState() => null;
    }

    private static WorkflowHandler Handler(string name, Func<Task<string?>> run) =>
        new(new WorkflowDefinition(name, "example"), () => new Code(run));

    /// <summary>increment(1), then Delay and double scheduled in one decision; the result is double's.</summary>
    private static readonly WorkflowHandler Basic = Handler("basic", async () =>
    {
        var x = await Workflow.ExecuteActivityAsync(Activity("examples.basic.increment"), "{\"args\":[1],\"kwargs\":{}}", Id("activity-examples.basic.increment-1"));
        var delay = Workflow.ExecuteActivityAsync(Activity("examples.basic.Delay"), "{\"args\":[30,2],\"kwargs\":{}}", Id("activity-examples.basic.Delay-1"));
        var doubled = Workflow.ExecuteActivityAsync(Activity("examples.basic.double"), "{\"args\":[" + x + "],\"kwargs\":{}}", Id("activity-examples.basic.double-1"));
        await delay;
        return await doubled;
    });

    /// <summary>An activity; a cancel request cancels the run without cancelling the activity.</summary>
    private static readonly WorkflowHandler CancelRequested = Handler("example", async () =>
    {
        var activity = Workflow.ExecuteActivityAsync(Activity("tests.integration.workflow.cancel_workflow"), "{\"args\":[],\"kwargs\":{}}",
            Id("activity-tests.integration.workflow.cancel_workflow-1"));
        await Workflow.WaitConditionAsync(() => activity.IsCompleted || Workflow.CancellationToken.IsCancellationRequested);
        Workflow.CancellationToken.ThrowIfCancellationRequested();
        return await activity;
    });

    private static readonly WorkflowHandler Child = Handler("example", async () =>
    {
        var result = await Workflow.ExecuteChildWorkflowAsync(new WorkflowDefinition("tests.integration.workflow.ChainTestWorkflow", "example"),
            "{\"args\":[4],\"kwargs\":{}}", new ChildWorkflowOptions { WorkflowId = "workflow-chaintest-test-simpleflow-workflow--6d7a0f66--1" });
        return "[" + result + "]";
    });

    private static readonly WorkflowHandler FailingActivity = Handler("example", async () =>
        await Workflow.ExecuteActivityAsync(Activity("tests.integration.workflow.pingpong_activity"), null,
            Id("activity-tests.integration.workflow.pingpong_activity-e9b9602a28c9605983a4f37997122e3a")));

    private static readonly WorkflowHandler UnrequestedSignal = Handler("example", async () =>
        await Workflow.ExecuteActivityAsync(Activity("tests.integration.workflow.send_unrequested_signal"), null,
            Id("activity-tests.integration.workflow.send_unrequested_signal-1")));

    /// <summary>A marker per decision, each followed by a zero-second wake-up timer.</summary>
    private static readonly WorkflowHandler WithReplays = Handler("example", async () =>
    {
        Workflow.RecordMarker("marker 1", null);
        await ForeignHistories.DelayAsync("_simpleflow_wake_up_timer", TimeSpan.Zero);
        Workflow.RecordMarker("marker 1", "\"some details\"");
        await ForeignHistories.DelayAsync("_simpleflow_wake_up_timer", TimeSpan.Zero);
        Workflow.RecordMarker("marker 2", "\"2nd marker's details\"");
        await ForeignHistories.DelayAsync("_simpleflow_wake_up_timer", TimeSpan.Zero);
        return "null";
    });

    /// <summary>All three markers and one wake-up timer in one decision.</summary>
    private static readonly WorkflowHandler WithoutReplays = Handler("example", async () =>
    {
        Workflow.RecordMarker("marker 1", null);
        Workflow.RecordMarker("marker 1", "\"some details\"");
        Workflow.RecordMarker("marker 2", "\"2nd marker's details\"");
        await ForeignHistories.DelayAsync("_simpleflow_wake_up_timer", TimeSpan.Zero);
        return "null";
    });

    private static readonly Dictionary<string, WorkflowHandler> Workflows = new()
    {
        ["simpleflow__workflow_execution_basic.json"] = Basic,
        ["simpleflow__cancel_requested.json"] = CancelRequested,
        ["simpleflow__child_workflow.json"] = Child,
        ["simpleflow__failing_activity.json"] = FailingActivity,
        ["simpleflow__unrequested_signal.json"] = UnrequestedSignal,
        ["simpleflow__with_replays.json"] = WithReplays,
        ["simpleflow__without_replays.json"] = WithoutReplays,
        ["simpleflow__lambda.json"] = Basic,
    };

    /// <summary>Histories whose replay must stop with the clear unsupported-feature error.</summary>
    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal) { "simpleflow__lambda.json" };

    /// <summary>Every file of the folder, found there rather than listed, so a file added without a workflow fails.</summary>
    private static IEnumerable<string> Files =>
        Directory.GetFiles(Folder, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(Files))]
    public void A_real_history_replays_against_the_workflow_it_implies(string file)
    {
        if (!Workflows.TryGetValue(file, out var workflow))
        {
            Assert.Fail($"{file} (tests/Histories) has no workflow in SharedHistoryTests.Workflows: write the workflow it implies.");
            return;
        }

        var result = new WorkflowReplayer(workflow).ReplayJson(File.ReadAllText(Path.Combine(Folder, file)), source: file);

        if (Unsupported.Contains(file))
        {
            Assert.That(result.Error, Is.InstanceOf<NotSupportedException>(), result.Describe());
            return;
        }
        Assert.That(result.Succeeded, result.Describe());
        Assert.That(result.NextDecisions, Is.Empty, "a closed history leaves nothing to decide");
    }

    [Test]
    public void Every_mapped_history_is_in_the_folder()
    {
        Assert.That(Workflows.Keys, Is.SubsetOf(Files));
    }

    [Test]
    public void A_history_with_Lambda_tasks_fails_with_the_clear_unsupported_error()
    {
        var result = new WorkflowReplayer(Basic).ReplayJson(File.ReadAllText(Path.Combine(Folder, "simpleflow__lambda.json")));

        Assert.That(result.Error, Is.InstanceOf<NotSupportedException>());
        Assert.That(result.Error!.Message, Does.Contain("History event 5 is LambdaFunctionScheduled").And.Contain("does not support AWS Lambda tasks"));
    }

    [Test]
    public void Batch_mode_returns_one_result_per_file()
    {
        var replayer = new WorkflowReplayer(WithReplays);

        var results = replayer.ReplayFolder(Folder);

        Assert.That(results.Select(r => Path.GetFileName(r.Source)), Is.EqualTo(Directory.GetFiles(Folder, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)));
        Assert.That(results.Single(r => r.Source!.EndsWith("with_replays.json", StringComparison.Ordinal)).Succeeded);
        Assert.That(results.Single(r => r.Source!.EndsWith("without_replays.json", StringComparison.Ordinal)).Divergence, Is.Not.Null);
    }

    [Test]
    public void A_changed_workflow_is_reported_at_the_first_event_that_differs_with_both_sides()
    {
        // Double scheduled before Delay: the decision completed at event 10 recorded Delay first.
        var swapped = Handler("basic", async () =>
        {
            var x = await Workflow.ExecuteActivityAsync(Activity("examples.basic.increment"), null, Id("activity-examples.basic.increment-1"));
            var doubled = Workflow.ExecuteActivityAsync(Activity("examples.basic.double"), null, Id("activity-examples.basic.double-1"));
            var delay = Workflow.ExecuteActivityAsync(Activity("examples.basic.Delay"), null, Id("activity-examples.basic.Delay-1"));
            await delay;
            return await doubled;
        });

        var result = new WorkflowReplayer(swapped).ReplayJson(File.ReadAllText(Path.Combine(Folder, "simpleflow__workflow_execution_basic.json")));

        Assert.That(result.Divergence, Is.Not.Null, result.Describe());
        Assert.That(result.Divergence!.EventId, Is.EqualTo(11));
        Assert.That(result.Divergence.History, Does.Contain("activity-examples.basic.Delay-1"));
        Assert.That(result.Divergence.Code, Does.Contain("activity-examples.basic.double-1"));
    }
}
