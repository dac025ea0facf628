using System.Text.Json;
using Flow.Swf;
using Flow.Workflows;

namespace Flow.Runtime.Tests.Workflows;

/// <summary>
/// Histories that Amazon SWF recorded for simpleflow workflows (tests/Histories, MIT). For each,
/// a Flow workflow that does what the original did; replaying every decision point must make the decisions the
/// history records right after it, and the whole history must replay without a disagreement.
/// </summary>
public class RealHistoryTests
{
    private static readonly string Folder = Swf.Support.TestFiles.HistoriesFolder;

    private static List<HistoryEvent> Load(string name) =>
        JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(Folder, name)), SwfJsonContext.Default.History)!.Events;

    private static ActivityOptions Id(string id) => new() { ActivityId = id };

    /// <summary>The check each history file gets: the behaviour it shows, replayed against the workflow it implies.</summary>
    private static readonly Dictionary<string, (string Behaviour, Action Check)> Checks = new(StringComparer.Ordinal)
    {
        ["simpleflow__workflow_execution_basic.json"] = (nameof(Basic_three_activities_with_two_in_one_decision), Basic_three_activities_with_two_in_one_decision),
        ["simpleflow__cancel_requested.json"] = (nameof(Cancel_requested_while_an_activity_runs_cancels_the_workflow), Cancel_requested_while_an_activity_runs_cancels_the_workflow),
        ["simpleflow__child_workflow.json"] = (nameof(A_child_workflow_result_completes_the_parent), A_child_workflow_result_completes_the_parent),
        ["simpleflow__failing_activity.json"] = (nameof(A_failed_activity_fails_the_workflow_with_the_activity_failure), A_failed_activity_fails_the_workflow_with_the_activity_failure),
        ["simpleflow__lambda.json"] = (nameof(A_lambda_task_in_history_is_reported_as_unsupported), A_lambda_task_in_history_is_reported_as_unsupported),
        ["simpleflow__unrequested_signal.json"] = (nameof(An_unknown_signal_is_ignored_and_a_result_that_arrives_during_a_decision_is_seen_by_the_next), An_unknown_signal_is_ignored_and_a_result_that_arrives_during_a_decision_is_seen_by_the_next),
        ["simpleflow__with_replays.json"] = (nameof(Markers_and_a_reused_wake_up_timer_across_decisions), Markers_and_a_reused_wake_up_timer_across_decisions),
        ["simpleflow__without_replays.json"] = (nameof(Three_markers_and_a_zero_second_timer_in_one_decision), Three_markers_and_a_zero_second_timer_in_one_decision),
    };

    private static IEnumerable<string> FolderFiles() =>
        Directory.GetFiles(Folder, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal);

    /// <summary>One case per file in the folder, found there rather than listed, so a file added without a check fails.</summary>
    private static IEnumerable<TestCaseData> Histories() => FolderFiles().Select(file =>
        new TestCaseData(file).SetName($"{(Checks.TryGetValue(file, out var c) ? c.Behaviour : "A_history_with_no_check")}(\"{file}\")"));

    [TestCaseSource(nameof(Histories))]
    public void Every_history_in_the_folder_parses_and_replays_against_the_workflow_it_implies(string file)
    {
        Assert.That(Load(file), Is.Not.Empty, file);
        if (!Checks.TryGetValue(file, out var check))
            Assert.Fail($"{file} (tests/Histories) has no check in RealHistoryTests.Checks: write the workflow it implies and replay it.");
        check.Check();
    }

    [Test]
    public void Every_check_has_its_history_in_the_folder()
    {
        Assert.That(Checks.Keys, Is.SubsetOf(FolderFiles()));
    }

    private static void Basic_three_activities_with_two_in_one_decision()
    {
        var events = Load("simpleflow__workflow_execution_basic.json");
        var increment = new ActivityDefinition("examples.basic.increment", "example");
        var delay = new ActivityDefinition("examples.basic.Delay", "example");
        var twice = new ActivityDefinition("examples.basic.double", "example");

        var decisions = ReplayEveryDecision(events, async input =>
        {
            var x = await Workflow.ExecuteActivityAsync(increment, input, Id("activity-examples.basic.increment-1"));
            var waited = Workflow.ExecuteActivityAsync(delay, "{\"args\":[30,2],\"kwargs\":{}}", Id("activity-examples.basic.Delay-1"));
            var doubled = Workflow.ExecuteActivityAsync(twice, $"{{\"args\":[{x}],\"kwargs\":{{}}}}", Id("activity-examples.basic.double-1"));
            await Task.WhenAll(waited, doubled);
            return await doubled;
        });

        Assert.That(decisions[^1].Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("4"));
    }

    private static void Cancel_requested_while_an_activity_runs_cancels_the_workflow()
    {
        var events = Load("simpleflow__cancel_requested.json");
        var activity = new ActivityDefinition("tests.integration.workflow.cancel_workflow", "example");

        var decisions = ReplayEveryDecision(events, async _ =>
        {
            var running = Workflow.ExecuteActivityAsync(activity, null, Id("activity-tests.integration.workflow.cancel_workflow-1"));
            await Workflow.WaitConditionAsync(() => running.IsCompleted, cancellationToken: Workflow.CancellationToken);
            return await running;
        });

        Assert.That(decisions[^1].Single().DecisionType, Is.EqualTo(DecisionType.CancelWorkflowExecution));
    }

    private static void A_child_workflow_result_completes_the_parent()
    {
        var events = Load("simpleflow__child_workflow.json");
        var chain = new WorkflowDefinition("tests.integration.workflow.ChainTestWorkflow", "example");

        var decisions = ReplayEveryDecision(events, async _ =>
        {
            var result = await Workflow.ExecuteChildWorkflowAsync(chain, "{\"args\":[4],\"kwargs\":{}}",
                new ChildWorkflowOptions { WorkflowId = "workflow-chaintest-test-simpleflow-workflow--6d7a0f66--1" });
            return $"[{result}]";
        });

        Assert.That(decisions[^1].Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("[[5,10]]"));
    }

    private static void A_failed_activity_fails_the_workflow_with_the_activity_failure()
    {
        var events = Load("simpleflow__failing_activity.json");
        var pingpong = new ActivityDefinition("tests.integration.workflow.pingpong_activity", "example");
        ActivityFailedException? seen = null;

        var decisions = ReplayEveryDecision(events, async _ =>
        {
            try
            {
                return await Workflow.ExecuteActivityAsync(pingpong, null, Id("activity-tests.integration.workflow.pingpong_activity-e9b9602a28c9605983a4f37997122e3a"));
            }
            catch (ActivityFailedException e)
            {
                seen = e;
                throw;
            }
        });

        var fail = decisions[^1].Single().FailWorkflowExecutionDecisionAttributes!;
        Assert.That(fail.Reason, Is.EqualTo(typeof(ActivityFailedException).FullName));
        Assert.That(fail.Details, Does.Contain("JumboTooLargeError: Message too long (10485762 chars)"));
        Assert.That(seen!.Reason, Is.EqualTo("JumboTooLargeError: Message too long (10485762 chars)"));
    }

    private static void A_lambda_task_in_history_is_reported_as_unsupported()
    {
        var events = Load("simpleflow__lambda.json");
        var executor = new WorkflowExecutor("domain", Defs.Handler(_ => Task.FromResult<string?>(null)));

        var error = Assert.Throws<NotSupportedException>(() => executor.ProcessDecisionTask(TaskUpTo(events, events[^1].EventId)));
        Assert.That(error!.Message, Does.Contain("event 5").And.Contain("LambdaFunctionScheduled").And.Contain("activity"));
    }

    private static void An_unknown_signal_is_ignored_and_a_result_that_arrives_during_a_decision_is_seen_by_the_next()
    {
        var events = Load("simpleflow__unrequested_signal.json");
        var send = new ActivityDefinition("tests.integration.workflow.send_unrequested_signal", "example");

        var decisions = ReplayEveryDecision(events, _ =>
            Workflow.ExecuteActivityAsync(send, null, Id("activity-tests.integration.workflow.send_unrequested_signal-1")));

        Assert.That(decisions, Has.Count.EqualTo(3));
        Assert.That(decisions[1], Is.Empty, "the decision at event 9 saw only the unknown signal");
        Assert.That(decisions[2].Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("\"signal sent!\""));
    }

    private static void Markers_and_a_reused_wake_up_timer_across_decisions()
    {
        var events = Load("simpleflow__with_replays.json");

        ReplayEveryDecision(events, async _ =>
        {
            Workflow.RecordMarker("marker 1", null);
            await Workflow.DelayAsync("_simpleflow_wake_up_timer", TimeSpan.Zero);
            Workflow.RecordMarker("marker 1", "\"some details\"");
            await Workflow.DelayAsync("_simpleflow_wake_up_timer", TimeSpan.Zero);
            Workflow.RecordMarker("marker 2", "\"2nd marker's details\"");
            await Workflow.DelayAsync("_simpleflow_wake_up_timer", TimeSpan.Zero);
            return "null";
        });
    }

    private static void Three_markers_and_a_zero_second_timer_in_one_decision()
    {
        var events = Load("simpleflow__without_replays.json");

        var decisions = ReplayEveryDecision(events, async _ =>
        {
            Workflow.RecordMarker("marker 1", null);
            Workflow.RecordMarker("marker 1", "\"some details\"");
            Workflow.RecordMarker("marker 2", "\"2nd marker's details\"");
            await Workflow.DelayAsync("_simpleflow_wake_up_timer", TimeSpan.Zero);
            return "null";
        });

        Assert.That(decisions[0].Select(d => d.RecordMarkerDecisionAttributes?.Details), Is.EqualTo(new[] { null, "\"some details\"", "\"2nd marker's details\"", null }));
    }

    /// <summary>Replays each completed decision from scratch and checks the decisions against the events recorded
    /// after its DecisionTaskCompleted; then replays the whole history. Returns the decisions per decision task.</summary>
    private static List<List<Decision>> ReplayEveryDecision(List<HistoryEvent> events, Func<string?, Task<string?>> workflow)
    {
        var all = new List<List<Decision>>();
        foreach (var completed in events.Where(e => e.EventType == EventType.DecisionTaskCompleted))
        {
            var startedId = completed.DecisionTaskCompletedEventAttributes!.StartedEventId;
            var executor = new WorkflowExecutor("domain", Defs.Handler(workflow));
            var decisions = executor.ProcessDecisionTask(TaskUpTo(events, startedId)).Decisions;
            Assert.That(decisions.Select(Describe), Is.EqualTo(Recorded(events, completed.EventId)), $"decision task started at event {startedId}");
            all.Add(decisions);
        }
        var whole = new WorkflowExecutor("domain", Defs.Handler(workflow)).ProcessDecisionTask(TaskUpTo(events, events[^1].EventId, startedId: 0));
        Assert.That(whole.Decisions, Is.Empty);
        return all;
    }

    private static DecisionTask TaskUpTo(List<HistoryEvent> events, long lastId, long? startedId = null) => new()
    {
        TaskToken = "token",
        StartedEventId = startedId ?? lastId,
        WorkflowExecution = new() { WorkflowId = "simpleflow", RunId = "run" },
        WorkflowType = new() { Name = "example", Version = "example" },
        Events = [.. events.Where(e => e.EventId <= lastId)],
    };

    /// <summary>The decisions that produced the events right after DecisionTaskCompleted <paramref name="completedId"/>.</summary>
    private static IEnumerable<string> Recorded(List<HistoryEvent> events, long completedId) =>
        events.SkipWhile(e => e.EventId <= completedId).TakeWhile(e => RecordedDecision(e) is not null).Select(e => RecordedDecision(e)!);

    private static string? RecordedDecision(HistoryEvent e) => e.EventType switch
    {
        EventType.ActivityTaskScheduled => $"ScheduleActivityTask {e.ActivityTaskScheduledEventAttributes!.ActivityId}",
        EventType.TimerStarted => $"StartTimer {e.TimerStartedEventAttributes!.TimerId} {e.TimerStartedEventAttributes.StartToFireTimeout}",
        EventType.MarkerRecorded => $"RecordMarker {e.MarkerRecordedEventAttributes!.MarkerName}",
        EventType.StartChildWorkflowExecutionInitiated => $"StartChildWorkflowExecution {e.StartChildWorkflowExecutionInitiatedEventAttributes!.WorkflowId}",
        EventType.WorkflowExecutionCompleted => "CompleteWorkflowExecution",
        EventType.WorkflowExecutionFailed => "FailWorkflowExecution",
        EventType.WorkflowExecutionCanceled => "CancelWorkflowExecution",
        EventType.WorkflowExecutionContinuedAsNew => "ContinueAsNewWorkflowExecution",
        _ => null,
    };

    private static string Describe(Decision d) => d.DecisionType switch
    {
        DecisionType.ScheduleActivityTask => $"ScheduleActivityTask {d.ScheduleActivityTaskDecisionAttributes!.ActivityId}",
        DecisionType.StartTimer => $"StartTimer {d.StartTimerDecisionAttributes!.TimerId} {d.StartTimerDecisionAttributes.StartToFireTimeout}",
        DecisionType.RecordMarker => $"RecordMarker {d.RecordMarkerDecisionAttributes!.MarkerName}",
        DecisionType.StartChildWorkflowExecution => $"StartChildWorkflowExecution {d.StartChildWorkflowExecutionDecisionAttributes!.WorkflowId}",
        var other => other.ToString(),
    };
}
