using Flow.Swf;
using Flow.Workflows;
using Microsoft.Extensions.Logging;

namespace Flow.Runtime.Tests.Workflows;

public class MarkerTests
{
    [Test]
    public void RecordMarker_records_name_and_details_and_RecordMarkerFailed_replays_quietly()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.Do(EventType.RecordMarkerFailed, e => e.RecordMarkerFailedEventAttributes = new() { MarkerName = "m", Cause = RecordMarkerFailedCause.OperationNotPermitted, DecisionTaskCompletedEventId = 4 });
        h.Decide();
        Func<string?, Task<string?>> workflow = async _ => { Workflow.RecordMarker("m", "d"); await Workflow.WaitConditionAsync(() => false); return null; };

        var first = Defs.Executor(workflow).ProcessDecisionTask(h.Task(startedId: 3));
        var next = Defs.Executor(workflow).ProcessDecisionTask(h.Task());

        var marker = first.Decisions.Single().RecordMarkerDecisionAttributes!;
        Assert.That((marker.MarkerName, marker.Details), Is.EqualTo(("m", "d")));
        Assert.That(next.Decisions, Is.Empty);
    }

    private static Func<string?, Task<string?>> Versioned(int min, int max) => async _ =>
    {
        var version = Workflow.GetVersion("new-step", min, max);
        if (version >= 1)
            await Workflow.ExecuteActivityAsync(Defs.Other, null);
        return await Workflow.ExecuteActivityAsync(Defs.Act, version.ToString());
    };

    [Test]
    public void GetVersion_in_a_new_run_returns_the_newest_version_and_records_it()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(Versioned(Workflow.DefaultVersion, 2)).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.RecordMarker, DecisionType.ScheduleActivityTask }));
        Assert.That(result.Decisions[0].RecordMarkerDecisionAttributes!.Details, Is.EqualTo("{\"changeId\":\"new-step\",\"version\":2}"));
    }

    [Test]
    public void GetVersion_in_replay_returns_the_recorded_version()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.Marker(WorkflowContext.VersionMarker, "{\"changeId\":\"new-step\",\"version\":1}");
        h.ActivityScheduled("1", Defs.Other);
        h.Signaled("poke", null);
        h.Decide();

        var result = Defs.Executor(Versioned(Workflow.DefaultVersion, 2)).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions, Is.Empty);
    }

    [Test]
    public void GetVersion_for_a_run_that_predates_the_change_returns_DefaultVersion_and_records_nothing()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var s = h.ActivityScheduled("1");
        h.ActivityCompleted(s, "\"old\"");
        h.Decide();

        var result = Defs.Executor(Versioned(Workflow.DefaultVersion, 2)).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.CompleteWorkflowExecution }));
    }

    [Test]
    public void GetVersion_below_the_supported_range_is_a_non_determinism_error()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.ActivityScheduled("1");
        h.Decide();

        var error = Assert.Throws<NonDeterminismException>(() => Defs.Executor(Versioned(1, 2)).ProcessDecisionTask(h.Task()));
        Assert.That(error!.Message, Does.Contain("new-step").And.Contain("version -1"));
    }

    /// <summary>A side effect whose value feeds an activity: the value the live run used shows in the activity's input.</summary>
    private static Func<string?, Task<string?>> SideEffectThenActivity(Func<int> calls) => async _ =>
    {
        var value = await Workflow.SideEffectAsync(() => $"value{calls()}");
        return await Workflow.ExecuteActivityAsync(Defs.Act, value);
    };

    /// <summary>Completes the decision task in progress with the refused <paramref name="marker"/> and activity "1" of
    /// <paramref name="type"/>, then the activity completes and the next decision task starts.</summary>
    private static void RefusedThenActivityCompletes(HistoryBuilder h, string marker, ActivityDefinition? type = null)
    {
        h.DecisionCompleted();
        h.MarkerFailed(marker);
        var s = h.ActivityScheduled("1", type);
        h.ActivityStarted(s);
        h.ActivityCompleted(s, "\"done\"");
        h.Decide();
    }

    private static void FailsForTheLostMarker(DecisionTaskResult result, string marker)
    {
        var fail = result.Decisions.Single().FailWorkflowExecutionDecisionAttributes!;
        Assert.That(fail.Reason, Is.EqualTo("Flow.MarkerNotRecorded"));
        Assert.That(fail.Details, Does.Contain(marker).And.Contain("OPERATION_NOT_PERMITTED"));
    }

    [Test]
    public void A_side_effect_marker_that_SWF_refused_fails_the_run_at_the_next_decision_of_the_live_run()
    {
        var calls = 0;
        var executor = Defs.Executor(SideEffectThenActivity(() => ++calls));
        var h = new HistoryBuilder().Started();
        var first = h.Decide();
        Assert.That(executor.ProcessDecisionTask(h.Task()).Types(), Is.EqualTo(new[] { DecisionType.RecordMarker, DecisionType.ScheduleActivityTask }));
        RefusedThenActivityCompletes(h, WorkflowContext.SideEffectMarker);

        var result = executor.ProcessDecisionTask(h.Task(after: first));

        FailsForTheLostMarker(result, WorkflowContext.SideEffectMarker);
    }

    [Test]
    public void A_refused_side_effect_marker_fails_the_run_the_same_way_when_the_history_is_replayed_from_scratch()
    {
        var calls = 0;
        var h = new HistoryBuilder().Started();
        h.Decide();
        RefusedThenActivityCompletes(h, WorkflowContext.SideEffectMarker);

        var result = Defs.Executor(SideEffectThenActivity(() => ++calls)).ProcessDecisionTask(h.Task());

        FailsForTheLostMarker(result, WorkflowContext.SideEffectMarker);
        Assert.That(calls, Is.Zero, "a replay never runs the side effect again to stand in for the lost value");
    }

    [Test]
    public void A_refused_version_marker_fails_the_run_at_the_next_decision()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();
        RefusedThenActivityCompletes(h, WorkflowContext.VersionMarker, Defs.Other);

        var result = Defs.Executor(Versioned(Workflow.DefaultVersion, 2)).ProcessDecisionTask(h.Task());

        FailsForTheLostMarker(result, WorkflowContext.VersionMarker);
    }

    [Test]
    public void A_run_that_failed_for_a_refused_marker_replays_to_its_end_without_a_divergence()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();
        RefusedThenActivityCompletes(h, WorkflowContext.SideEffectMarker);
        h.DecisionCompleted();
        h.Do(EventType.WorkflowExecutionFailed, e => e.WorkflowExecutionFailedEventAttributes = new()
        { Reason = "Flow.MarkerNotRecorded", DecisionTaskCompletedEventId = h.LastCompleted });

        var result = Defs.Executor(SideEffectThenActivity(() => 1)).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions, Is.Empty);
    }

    [Test]
    public void SideEffect_runs_once_and_replays_return_the_recorded_value_without_running_it()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();
        var calls = 0;
        Func<string?, Task<string?>> workflow = async _ =>
        {
            var value = await Workflow.SideEffectAsync(() => $"value{++calls}");
            return await Workflow.ExecuteActivityAsync(Defs.Act, value);
        };

        var live = Defs.Executor(workflow).ProcessDecisionTask(h.Task());
        h.DecisionCompleted();
        h.Marker(WorkflowContext.SideEffectMarker, "value1");
        h.ActivityScheduled("1");
        h.Signaled("poke", null);
        h.Decide();
        var replay = Defs.Executor(workflow).ProcessDecisionTask(h.Task());

        Assert.That(live.Decisions[0].RecordMarkerDecisionAttributes!.Details, Is.EqualTo("value1"));
        Assert.That(live.Decisions[1].ScheduleActivityTaskDecisionAttributes!.Input, Is.EqualTo("value1"));
        Assert.That(replay.Decisions, Is.Empty);
        Assert.That(calls, Is.EqualTo(1));
    }

    [Test]
    public void A_side_effect_that_throws_is_recorded_and_replays_throw_it_again_without_running_it()
    {
        // Code that catches the failure and goes on must take the same path on replay, where the function (which
        // could succeed this time) does not run.
        var calls = 0;
        Func<string?, Task<string?>> workflow = async _ =>
        {
            try
            {
                return await Workflow.SideEffectAsync(() => ++calls == 1 ? throw new IOException("disk full") : "fine");
            }
            catch (SideEffectFailedException e)
            {
                return await Workflow.ExecuteActivityAsync(Defs.Act, $"{e.ErrorType}|{e.ErrorMessage}");
            }
        };
        var h = new HistoryBuilder().Started();
        h.Decide();

        var live = Defs.Executor(workflow).ProcessDecisionTask(h.Task());

        Assert.That(live.Types(), Is.EqualTo(new[] { DecisionType.RecordMarker, DecisionType.ScheduleActivityTask }));
        var marker = live.Decisions[0].RecordMarkerDecisionAttributes!;
        Assert.That(marker.MarkerName, Is.EqualTo(WorkflowContext.SideEffectFailedMarker));
        Assert.That(marker.Details, Does.StartWith("{\"type\":\"System.IO.IOException\",\"bases\":[\"System.SystemException\",\"System.Exception\"],\"message\":\"disk full\""));
        Assert.That(live.Decisions[1].ScheduleActivityTaskDecisionAttributes!.Input, Is.EqualTo("System.IO.IOException|disk full"));
        h.DecisionCompleted();
        h.Marker(marker.MarkerName, marker.Details);
        var s = h.ActivityScheduled("1");
        h.ActivityCompleted(s, "\"done\"");
        h.Decide();

        var replayed = Defs.Executor(workflow).ProcessDecisionTask(h.Task());

        Assert.That(calls, Is.EqualTo(1), "the function ran once, live");
        Assert.That(replayed.Types(), Is.EqualTo(new[] { DecisionType.CompleteWorkflowExecution }));
    }

    [Test]
    public void NewGuid_and_Random_are_the_same_on_every_replay_of_a_run_and_differ_between_runs()
    {
        string? Run(string runId)
        {
            var h = new HistoryBuilder().Started();
            h.Execution.RunId = runId;
            h.Decide();
            return Defs.Executor(_ => Task.FromResult<string?>($"{Workflow.NewGuid()} {Workflow.Random.Next()}"))
                .ProcessDecisionTask(h.Task()).Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result;
        }

        var first = Run("a");
        var again = Run("a");
        Assert.That(again, Is.EqualTo(first));
        Assert.That(Run("b"), Is.Not.EqualTo(first));
        Assert.That(Guid.Parse(first!.Split(' ')[0]).Version, Is.EqualTo(4));
    }
}

public class CloseTests
{
    [Test]
    public void An_unhandled_exception_fails_the_workflow_with_its_type_as_reason_and_message_and_stack_as_details()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        Exception? thrown = null;

        var result = Defs.Executor(_ => throw (thrown = new InvalidOperationException("bad state"))).ProcessDecisionTask(h.Task());

        var fail = result.Decisions.Single().FailWorkflowExecutionDecisionAttributes!;
        Assert.That(fail.Reason, Is.EqualTo("System.InvalidOperationException"));
        // The exception's own stack, whatever frames the JIT kept: no frame name is pinned.
        Assert.That(thrown!.StackTrace, Is.Not.Empty);
        Assert.That(fail.Details, Is.EqualTo("bad state\n" + thrown.StackTrace));
    }

    [Test]
    public void Failure_details_are_cut_to_SWFs_limit_with_a_visible_marker()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(_ => throw new InvalidOperationException(new string('x', 40_000))).ProcessDecisionTask(h.Task());

        var details = result.Decisions.Single().FailWorkflowExecutionDecisionAttributes!.Details!;
        Assert.That(details, Has.Length.EqualTo(32768).And.EndsWith("[truncated]"));
        Assert.That(WorkflowContext.Truncate(new string('r', 300), 256), Has.Length.EqualTo(256));
    }

    [Test]
    public void A_workflow_that_ends_cancelled_after_a_cancel_request_is_canceled()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.Do(EventType.WorkflowExecutionCancelRequested, e => e.WorkflowExecutionCancelRequestedEventAttributes = new());
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            await Workflow.DelayAsync(Timeout.InfiniteTimeSpan, Workflow.CancellationToken);
            return null;
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.CancelWorkflowExecution }));
    }

    [Test]
    public void A_cancel_request_cancels_the_timers_that_use_the_workflows_token()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.TimerStarted("t1", "600");
        h.Do(EventType.WorkflowExecutionCancelRequested, e => e.WorkflowExecutionCancelRequestedEventAttributes = new());
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            await Workflow.DelayAsync(TimeSpan.FromMinutes(10), Workflow.CancellationToken);
            return null;
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.CancelTimer, DecisionType.CancelWorkflowExecution }));
    }

    [Test]
    public void An_OperationCanceledException_without_a_cancel_request_fails_the_workflow()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(_ => throw new OperationCanceledException()).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.FailWorkflowExecution }));
    }

    [Test]
    public void ContinueAsNew_becomes_the_decision_with_the_new_input_and_options()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(_ => throw Workflow.ContinueAsNew(Defs.Test, "next", new WorkflowStartOptions { TaskList = "tl", TagList = ["x"] }))
            .ProcessDecisionTask(h.Task());

        var can = result.Decisions.Single().ContinueAsNewWorkflowExecutionDecisionAttributes!;
        Assert.That((can.Input, can.WorkflowTypeVersion, can.TaskList!.Name, can.TagList!.Single()), Is.EqualTo(("next", "1", "tl", "x")));
    }

    [Test]
    public void A_close_refused_as_UNHANDLED_DECISION_is_made_again_after_the_new_events()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.Do(EventType.CompleteWorkflowExecutionFailed, e => e.CompleteWorkflowExecutionFailedEventAttributes = new()
        { Cause = CompleteWorkflowExecutionFailedCause.UnhandledDecision, DecisionTaskCompletedEventId = 4 });
        h.Signaled("late", "1");
        h.Decide();

        var result = Defs.Executor(() => new TestWorkflow(_ => Task.FromResult<string?>("done"))
        { Signals = { ["late"] = _ => { Workflow.RecordMarker("late signal", null); return Task.CompletedTask; } } }).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.RecordMarker, DecisionType.CompleteWorkflowExecution }));
        Assert.That(result.Decisions[1].CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("done"));
    }

    [TestCase(EventType.FailWorkflowExecutionFailed)]
    [TestCase(EventType.CancelWorkflowExecutionFailed)]
    [TestCase(EventType.ContinueAsNewWorkflowExecutionFailed)]
    public void Every_close_refused_as_UNHANDLED_DECISION_is_made_again(EventType refusal)
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.Do(refusal, e =>
        {
            e.FailWorkflowExecutionFailedEventAttributes = new() { Cause = FailWorkflowExecutionFailedCause.UnhandledDecision, DecisionTaskCompletedEventId = 4 };
            e.CancelWorkflowExecutionFailedEventAttributes = new() { Cause = CancelWorkflowExecutionFailedCause.UnhandledDecision, DecisionTaskCompletedEventId = 4 };
            e.ContinueAsNewWorkflowExecutionFailedEventAttributes = new() { Cause = ContinueAsNewWorkflowExecutionFailedCause.UnhandledDecision, DecisionTaskCompletedEventId = 4 };
        });
        h.Signaled("late", null);
        h.Decide();
        Func<string?, Task<string?>> workflow = refusal switch
        {
            EventType.FailWorkflowExecutionFailed => _ => throw new InvalidOperationException("no"),
            EventType.ContinueAsNewWorkflowExecutionFailed => _ => throw Workflow.ContinueAsNew(Defs.Test, "again"),
            _ => _ => throw new OperationCanceledException(),
        };
        var expected = refusal switch
        {
            EventType.FailWorkflowExecutionFailed => DecisionType.FailWorkflowExecution,
            EventType.ContinueAsNewWorkflowExecutionFailed => DecisionType.ContinueAsNewWorkflowExecution,
            _ => DecisionType.FailWorkflowExecution, // OperationCanceledException without a cancel request fails
        };
        if (refusal == EventType.CancelWorkflowExecutionFailed)
        {
            // Replace the history: cancel requested before the first decision.
            h = new HistoryBuilder().Started();
            h.Do(EventType.WorkflowExecutionCancelRequested, e => e.WorkflowExecutionCancelRequestedEventAttributes = new());
            h.Decided();
            h.Do(refusal, e => e.CancelWorkflowExecutionFailedEventAttributes = new() { Cause = CancelWorkflowExecutionFailedCause.UnhandledDecision, DecisionTaskCompletedEventId = h.LastCompleted });
            h.Signaled("late", null);
            h.Decide();
            expected = DecisionType.CancelWorkflowExecution;
        }

        var result = Defs.Executor(workflow).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { expected }));
    }

    [Test]
    public void A_continue_as_new_SWF_refuses_for_good_fails_the_run_instead()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.Do(EventType.ContinueAsNewWorkflowExecutionFailed, e => e.ContinueAsNewWorkflowExecutionFailedEventAttributes = new()
        { Cause = ContinueAsNewWorkflowExecutionFailedCause.WorkflowTypeDeprecated, DecisionTaskCompletedEventId = 4 });
        h.Decide();

        var result = Defs.Executor(_ => throw Workflow.ContinueAsNew(Defs.Test, "again")).ProcessDecisionTask(h.Task());

        var fail = result.Decisions.Single().FailWorkflowExecutionDecisionAttributes!;
        Assert.That((fail.Reason, fail.Details), Is.EqualTo(("ContinueAsNewWorkflowExecutionFailed", "SWF refused ContinueAsNewWorkflowExecution: WORKFLOW_TYPE_DEPRECATED.")));
    }

    [Test]
    public void A_result_over_SWFs_limit_fails_the_workflow_with_a_clear_reason()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(_ => Task.FromResult<string?>(new string('r', 40_000))).ProcessDecisionTask(h.Task());

        var fail = result.Decisions.Single().FailWorkflowExecutionDecisionAttributes!;
        Assert.That(fail.Reason, Is.EqualTo("Flow.ResultTooLarge"));
        Assert.That(fail.Details, Does.Contain("40000"));
    }

    [Test]
    public void A_signal_handler_that_throws_fails_the_workflow()
    {
        var h = new HistoryBuilder().Started();
        h.Signaled("bad", null);
        h.Decide();

        var result = Defs.Executor(() => new TestWorkflow(async _ => { await Workflow.WaitConditionAsync(() => false); return null; })
        { Signals = { ["bad"] = _ => throw new FormatException("bad signal") } }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().FailWorkflowExecutionDecisionAttributes!.Reason, Is.EqualTo("System.FormatException"));
    }
}

public class SignalTests
{
    [Test]
    public void A_signal_that_arrives_with_the_start_is_handled_in_the_first_decision()
    {
        var h = new HistoryBuilder().Started();
        h.Signaled("approve", "\"yes\"");
        h.Decide();
        string? approval = null;

        var result = Defs.Executor(() => new TestWorkflow(async _ => { await Workflow.WaitConditionAsync(() => approval is not null); return approval; })
        { Signals = { ["approve"] = input => { approval = input; return Task.CompletedTask; } } }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("\"yes\""));
    }

    [Test]
    public void A_signal_handler_can_run_workflow_code_while_Execute_waits()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.Signaled("work", "\"w\"");
        h.Decide();

        var result = Defs.Executor(() => new TestWorkflow(async _ => { await Workflow.WaitConditionAsync(() => false); return null; })
        { Signals = { ["work"] = async input => await Workflow.ExecuteActivityAsync(Defs.Other, input) } }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().ScheduleActivityTaskDecisionAttributes!.ActivityType.Name, Is.EqualTo("other"));
    }

    [Test]
    public void An_unknown_signal_is_logged_and_ignored()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.Signaled("mystery", null);
        h.Decide();
        var logs = new TestLoggerFactory();

        var result = Defs.Executor(async _ => { await Workflow.WaitConditionAsync(() => false); return null; }, new ReplayOptions { LoggerFactory = logs })
            .ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions, Is.Empty);
        Assert.That(logs.Messages, Has.Some.Contains("mystery"));
    }
}

/// <summary>Collects log messages (Microsoft.Extensions.Logging itself is not referenced here).</summary>
internal sealed class TestLoggerFactory : ILoggerFactory, ILogger
{
    private readonly Lock _gate = new();
    public List<string> Messages { get; } = [];
    public ManualResetEventSlim ErrorLogged { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate) Messages.Add(formatter(state, exception));
        if (logLevel >= LogLevel.Error)
            ErrorLogged.Set();
    }
}
